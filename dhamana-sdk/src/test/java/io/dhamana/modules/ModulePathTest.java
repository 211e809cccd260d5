package io.dhamana.modules;

import io.dhamana.TicketingClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDK as a named module, the way a modular application uses it: an application module that {@code requires
 * io.dhamana} is compiled against the SDK's classes and run in its own JVM with only the SDK's mandatory modules on
 * the module path (SLF4J and the UUID library; none of the optional store drivers). It runs a hold on the engine and
 * prints the audit; anything the descriptor failed to export, or a mandatory module missing, fails the run.
 */
class ModulePathTest {

    private static final String MODULE_INFO = """
            module shop {
                requires io.dhamana;
            }
            """;

    private static final String MAIN = """
            package shop;

            import io.dhamana.*;
            import io.dhamana.engine.EngineStore;
            import java.net.URI;
            import java.time.Duration;

            public final class Main {
                public static void main(String[] args) {
                    try (TicketingClient client = TicketingClient.builder().ownedStore(EngineStore.create())
                            .expirySweepInterval(Duration.ZERO).build()) {
                        EventId show = EventId.of("modular");
                        client.createEvent(EventSpec.builder(show).generalAdmission("floor", 10, 2, 1_000).build());
                        BuyerId fan = BuyerId.of("fan");
                        client.verifyFan(show, fan, URI.create("https://id.example/fan")).value();
                        Hold hold = client.hold(HoldRequest.units(show, SectionId.of("floor"), fan, 2)).value();
                        System.out.println("held " + hold.units() + " in module " + TicketingClient.class.getModule()
                                .getName() + "; audit clean: " + client.audit().isClean());
                    }
                }
            }
            """;

    @Test
    void anApplicationModuleRequiringTheSdkRunsOnTheModulePath(@TempDir Path dir) throws Exception {
        // What the SDK's module needs at run time, as it was built: its classes and its two mandatory libraries.
        List<String> modulePath = List.of(location(TicketingClient.class), location(org.slf4j.Logger.class),
                location(com.github.f4b6a3.uuid.UuidCreator.class));
        Path src = dir.resolve("src/shop");
        Files.createDirectories(src.resolve("shop"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("shop/Main.java"), MAIN);
        Path out = dir.resolve("out/shop");

        run(List.of(tool("javac"), "--module-path", String.join(File.pathSeparator, modulePath), "-d", out.toString(),
                src.resolve("module-info.java").toString(), src.resolve("shop/Main.java").toString()));
        String output = run(List.of(tool("java"), "--module-path",
                String.join(File.pathSeparator, modulePath) + File.pathSeparator + out, "-m", "shop/shop.Main"));
        assertThat(output).contains("held 2 in module io.dhamana; audit clean: true");
    }

    /** Runs a JDK tool to its end; returns what it printed, failing the test if it failed. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** A tool of the JDK running the tests (the test JVM is a JDK: it compiled them). */
    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }
}

package io.dhamana.reliability;

import io.dhamana.testkit.RestartablePostgres;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passwords never show: not in exception messages, causes, suppressed failures, {@code toString()} or
 * {@code description()}, and not in any log line, of the SDK, of HikariCP or of the JDBC driver, at any level.
 *
 * <p>A server of the test's own checks passwords ({@code scram-sha-256}). A child JVM ({@link SecretLeakProbe})
 * builds PostgreSQL stores with a recognisable secret: as a wrong password, inside the URL, towards an unreachable
 * port and an unresolvable host, inside malformed URLs and before the host, in a caller's own pool, and finally as
 * the right password (stores built, clients running, background sweeps logging). The child runs with SLF4J at
 * {@code trace} and java.util.logging (pgjdbc's) at {@code ALL}, and prints every failure's full stack trace. Its
 * whole output, logs included, must not contain the secret or the right password, in plain or URL-encoded form.
 * A child process is used because log levels are fixed when loggers are first made, which in this JVM happened long
 * before.
 *
 * <p>Aurora DSQL's IAM tokens belong here as well once the DSQL store is on the main line.
 */
class SecretsTest {
    @Test
    void noSecretAppearsInAnyMessageDescriptionOrLogLine() throws Exception {
        String secret = "Sekr1t-" + UUID.randomUUID().toString().replace("-", "");
        String right = "R1ght-" + UUID.randomUUID().toString().replace("-", "");
        String role = "leak_probe";
        Path dir = Files.createTempDirectory("dhamana-secrets-");
        try (RestartablePostgres server = RestartablePostgres.start()) {
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + right + "'");
                st.execute("GRANT CREATE ON DATABASE postgres TO " + role);
            }
            server.requirePasswords();

            Path julConfig = dir.resolve("logging.properties");
            Files.writeString(julConfig, String.join("\n",
                    "handlers=java.util.logging.ConsoleHandler",
                    ".level=ALL",
                    "java.util.logging.ConsoleHandler.level=ALL",
                    "org.postgresql.level=ALL", ""));
            Path output = dir.resolve("probe.out");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                    "-Dorg.slf4j.simpleLogger.log.com.zaxxer.hikari.pool.ProxyConnection=trace",
                    "-Djava.util.logging.config.file=" + julConfig,
                    SecretLeakProbe.class.getName(), secret, right, server.jdbcUrl(), role));
            Process probe = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            assertThat(probe.waitFor(5, TimeUnit.MINUTES)).as("the probe finished").isTrue();
            String seen = Files.readString(output, StandardCharsets.UTF_8);
            List<String> lines = seen.lines().toList();

            assertThat(probe.exitValue()).as(tail(lines)).isZero();
            assertThat(seen).as("the probe ran to the end").contains("PROBE DONE");
            // Each failing scenario failed, and the right password really connected and logged at trace level.
            assertThat(seen).contains("SCENARIO wrong password threw io.dhamana.StoreException")
                    .contains("SCENARIO unreachable host threw io.dhamana.StoreException")
                    .contains("SCENARIO unresolvable host threw io.dhamana.StoreException")
                    .contains("SCENARIO credentials before the host threw io.dhamana.InvalidRequestException")
                    .contains("SCENARIO malformed URL with a password threw io.dhamana.InvalidRequestException")
                    .contains("SCENARIO the right password built:")
                    .contains("password authentication failed")
                    .contains(" DEBUG ").contains("FINE");
            long logLines = lines.stream().filter(l -> l.contains(" DEBUG ") || l.contains(" TRACE ")
                    || l.contains("FINE")).count();
            System.out.printf("[secrets] %d lines of output (%d of them debug or finer) from %d scenarios;"
                    + " secret found %d times%n", lines.size(), logLines,
                    lines.stream().filter(l -> l.startsWith("SCENARIO ") && !l.contains(" threw ")
                            && !l.contains(" built")).count(),
                    lines.stream().filter(l -> leaks(l, secret) || leaks(l, right)).count());
            for (String line : lines) {
                assertThat(leaks(line, secret) || leaks(line, right)).as("a line shows a secret:%n%s", line)
                        .isFalse();
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary files only
            }
        }
    }

    /** The secret, or its distinctive middle, plain or URL-encoded, in any case. */
    private static boolean leaks(String line, String secret) {
        String l = line.toLowerCase(Locale.ROOT);
        String s = secret.toLowerCase(Locale.ROOT);
        return l.contains(s) || l.contains(s.substring(7)) || l.contains(s.replace("-", "%2d"));
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}

package io.dhamana.examples.support;

import io.dhamana.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgsTest {
    private static final Set<String> KNOWN = Set.of("buyers", "bot-percent", "combining");

    @Test
    void readsValuesFlagsAndFallbacks() {
        Args a = Args.parse(new String[] {"--buyers", "20000", "--bot-percent=50", "--combining"}, KNOWN);
        assertThat(a.integer("buyers", 1)).isEqualTo(20_000);
        assertThat(a.integer("bot-percent", 1)).isEqualTo(50);
        assertThat(a.flag("combining")).isTrue();
        assertThat(Args.parse(new String[] {"--buyers", "-3"}, KNOWN).integer("buyers", 1)).isEqualTo(-3);

        Args none = Args.parse(new String[0], KNOWN);
        assertThat(none.integer("buyers", 7)).isEqualTo(7);
        assertThat(none.flag("combining")).isFalse();
        assertThat(none.has("buyers")).isFalse();
        assertThat(Args.parse(new String[] {"--combining=false"}, KNOWN).flag("combining")).isFalse();
    }

    @Test
    void refusesAMisspeltOptionAndNamesTheKnownOnes() {
        assertThatThrownBy(() -> Args.parse(new String[] {"--bot-percnt", "50"}, KNOWN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown option --bot-percnt; known options: ")
                .hasMessageContaining("--bot-percent").hasMessageContaining("--buyers")
                .hasMessageContaining("--combining").hasMessageContaining("--help");
        assertThatThrownBy(() -> Args.parse(new String[] {"--bot-percnt=50"}, KNOWN))
                .hasMessageStartingWith("unknown option --bot-percnt;");
        assertThatThrownBy(() -> Args.parse(new String[] {"buyers", "5"}, KNOWN))
                .hasMessageStartingWith("unexpected argument 'buyers'");
        assertThat(Args.parse(new String[] {"--help"}, KNOWN).flag("help")).isTrue();
    }

    @Test
    void refusesABadNumberAndAMissingValue() {
        assertThatThrownBy(() -> Args.parse(new String[] {"--buyers", "abc"}, KNOWN).integer("buyers", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--buyers must be a whole number, was 'abc'");
        assertThatThrownBy(() -> Args.parse(new String[] {"--buyers", "99999999999"}, KNOWN).integer("buyers", 1))
                .hasMessage("--buyers must be a whole number, was '99999999999'");
        assertThatThrownBy(() -> Args.parse(new String[] {"--buyers"}, KNOWN).integer("buyers", 1))
                .hasMessage("--buyers needs a value");
        assertThatThrownBy(() -> Args.parse(new String[] {"--buyers", "--combining"}, KNOWN).integer("buyers", 1))
                .hasMessage("--buyers needs a value");
        assertThatThrownBy(() -> Args.parse(new String[] {"--combining", "yes"}, KNOWN).flag("combining"))
                .hasMessageStartingWith("--combining takes no value");
    }

    @Test
    void theUsageLineDeclaresTheOptions() {
        assertThat(Args.optionsIn("App [--buyers 60] [--gap-ms 5] [--combining]"))
                .containsExactly("buyers", "gap-ms", "combining");
        assertThat(Args.optionsIn(ExampleStores.usage())).contains("jdbc-url", "user", "password", "isolation",
                "schema", "pool", "dsql-endpoints", "dsql-user", "dsql-routing");
    }

    @Test
    void aBadCommandLineIsOneErrorLineAndTheUsageWithStatusTwo() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Cli.App app = args -> {
            ran.incrementAndGet();
            int buckets = args.integer("buckets", 64);
            if (buckets < 1) {
                throw new IllegalArgumentException("--buckets must be at least 1, was " + buckets);
            }
            if (buckets > 64) {
                throw new InvalidRequestException("buckets", "must be at most 64, was " + buckets); // as the SDK does
            }
            return args.integer("buyers", 1) > 0;
        };
        String usage = "App [--buyers 60] [--buckets 64]";

        Run typo = run(new String[] {"--buyrs", "5"}, usage, app);
        assertThat(typo.status).isEqualTo(Cli.USAGE_ERROR);
        assertThat(typo.err.lines()).hasSize(2);
        assertThat(typo.err.lines().findFirst().orElseThrow())
                .startsWith("error: unknown option --buyrs; known options: --buyers, --buckets, --jdbc-url");
        assertThat(typo.err).contains("usage: App [--buyers 60] [--buckets 64] [--jdbc-url").doesNotContain("\tat ");
        assertThat(ran).as("the app never ran on a misspelt option").hasValue(0);

        Run word = run(new String[] {"--buyers", "abc"}, usage, app);
        assertThat(word.status).isEqualTo(2);
        assertThat(word.err).startsWith("error: --buyers must be a whole number, was 'abc'");

        Run zero = run(new String[] {"--buckets", "0"}, usage, app);
        assertThat(zero.status).isEqualTo(2);
        assertThat(zero.err).startsWith("error: --buckets must be at least 1, was 0");
        Run many = run(new String[] {"--buckets", "100"}, usage, app);
        assertThat(many.status).isEqualTo(2);
        assertThat(many.err).startsWith("error: buckets must be at most 64, was 100");

        assertThat(run(new String[] {"--buyers", "0"}, usage, app).status).as("the app's rule failed").isEqualTo(1);
        assertThat(run(new String[] {"--buyers", "3"}, usage, app).status).isZero();

        int before = ran.get();
        Run help = run(new String[] {"--help"}, usage, app);
        assertThat(help.status).isZero();
        assertThat(help.out).startsWith("App [--buyers 60] [--buckets 64] [--jdbc-url");
        assertThat(ran).hasValue(before);
    }

    private record Run(int status, String out, String err) {}

    private static Run run(String[] argv, String usage, Cli.App app) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.run(argv, usage, app, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

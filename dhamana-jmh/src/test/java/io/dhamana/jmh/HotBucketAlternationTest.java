package io.dhamana.jmh;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/**
 * The alternating hot-bucket run end to end on the engine for a moment (its audits fail the run if anything is
 * oversold or a reported hold is missing from the rows), and the interval it reports. Nothing about speed.
 */
class HotBucketAlternationTest {

    @Test
    void everyPhaseOfEveryCountHoldsAndIsAudited() throws InterruptedException {
        List<HotBucketAlternation.Load> loads = Stream.of("1", "3", "3c").map(HotBucketAlternation.Load::parse)
                .toList();
        HotBucketAlternation run = new HotBucketAlternation("engine", loads, Duration.ofMillis(150), 2);

        double[][] rates = run.alternate();

        assertThat(rates).hasDimensions(3, 2);
        assertThat(Arrays.stream(rates).flatMapToDouble(Arrays::stream)).allMatch(rate -> rate > 0);
    }

    @Test
    void aLoadIsABuyerCountWithOptionalCombiningAndPool() {
        assertThat(HotBucketAlternation.Load.parse("64")).isEqualTo(new HotBucketAlternation.Load("64", 64, false, 0));
        assertThat(HotBucketAlternation.Load.parse("64c")).isEqualTo(new HotBucketAlternation.Load("64c", 64, true, 0));
        assertThat(HotBucketAlternation.Load.parse("8p2")).isEqualTo(new HotBucketAlternation.Load("8p2", 8, false, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> HotBucketAlternation.Load.parse("0"));
        assertThatIllegalArgumentException().isThrownBy(() -> HotBucketAlternation.Load.parse("x64"))
                .withMessageContaining("'x64'");
        assertThatIllegalArgumentException().isThrownBy(() -> new HotBucketAlternation("engine",
                List.of(HotBucketAlternation.Load.parse("1"), HotBucketAlternation.Load.parse("4p2")),
                Duration.ofSeconds(1), 2)).withMessageContaining("no connection pool");
    }

    @Test
    void aPoolOfNoConnectionsOrAnOverlongCountIsNoLoad() {
        for (String bad : new String[]{"64p0", "64p00", "64cp0", "99999999999", "64p99999999999", "64p", ""}) {
            assertThatIllegalArgumentException().as(bad).isThrownBy(() -> HotBucketAlternation.Load.parse(bad))
                    .withMessageContaining("'" + bad + "'");
        }
        assertThat(HotBucketAlternation.Load.parse("64cp1"))
                .isEqualTo(new HotBucketAlternation.Load("64cp1", 64, true, 1));
    }

    @Test
    void theCommandLineGivesTheRunItNamesWithDefaultsForWhatItLeavesOut() {
        HotBucketAlternation.Options o = HotBucketAlternation.parse(new String[]{"postgres", "--loads", "1,64,64c,64p2",
            "--phase", "2.5", "--cycles", "4"});
        assertThat(o.store()).isEqualTo("postgres");
        assertThat(o.loads()).extracting(HotBucketAlternation.Load::label).containsExactly("1", "64", "64c", "64p2");
        assertThat(o.phase()).isEqualTo(Duration.ofMillis(2500));
        assertThat(o.cycles()).isEqualTo(4);

        HotBucketAlternation.Options engine = HotBucketAlternation.parse(new String[]{"engine"});
        assertThat(engine.loads()).extracting(HotBucketAlternation.Load::threads).containsExactly(1, 2, 4, 16, 64);
        assertThat(engine.phase()).isEqualTo(Duration.ofSeconds(1));
        assertThat(engine.cycles()).isEqualTo(8);
        assertThat(HotBucketAlternation.parse(new String[]{"postgres"}).phase()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aBadCommandLineIsRefusedInOneLine() {
        String[][] bad = {
            {}, {"mysql"}, {"postgres", "--cycle", "4"}, {"postgres", "--phase", "x"}, {"postgres", "--phase", "NaN"},
            {"postgres", "--phase", "0"}, {"postgres", "--phase", "-1"}, {"postgres", "--cycles", "1"},
            {"postgres", "--cycles", "two"}, {"postgres", "--cycles"}, {"postgres", "--loads", "1,64p0"},
            {"postgres", "--loads", "1,,64"}, {"postgres", "--loads", "64c,64p2"}, {"engine", "--loads", "1,4p2"},
            {"postgres", "--phase", "1", "--phase", "2"}, {"postgres", "1,64"}};
        for (String[] args : bad) {
            assertThatIllegalArgumentException().as(String.join(" ", args))
                    .isThrownBy(() -> HotBucketAlternation.parse(args))
                    .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("\n"));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> HotBucketAlternation.parse(
                new String[]{"postgres", "--cycle", "4"})).withMessageContaining("unknown option '--cycle'");
        assertThatIllegalArgumentException().isThrownBy(() -> HotBucketAlternation.parse(
                new String[]{"postgres", "--phase", "x"})).withMessageContaining("--phase")
                .withMessageContaining("'x'");
    }

    @Test
    void helpIsAskedForAnywhereOnTheLine() {
        assertThat(HotBucketAlternation.wantsHelp(new String[]{"--help"})).isTrue();
        assertThat(HotBucketAlternation.wantsHelp(new String[]{"postgres", "--loads", "1,64", "-h"})).isTrue();
        assertThat(HotBucketAlternation.wantsHelp(new String[]{"postgres", "--loads", "1,64"})).isFalse();
        assertThat(HotBucketAlternation.USAGE).startsWith("usage: HotBucketAlternation postgres|engine");
    }

    @Test
    void theIntervalIsStudentsForSmallSamples() {
        // mean 3, sample deviation sqrt(2.5), t(4) = 2.776: 2.776 * 1.5811 / sqrt(5)
        assertThat(HotBucketAlternation.halfWidth(new double[] {1, 2, 3, 4, 5})).isCloseTo(1.963, within(0.001));
        assertThat(HotBucketAlternation.halfWidth(new double[] {7, 7, 7})).isZero();
        assertThat(HotBucketAlternation.studentT975(1)).isEqualTo(12.706);
        assertThat(HotBucketAlternation.studentT975(200)).isCloseTo(1.972, within(0.01));
    }
}

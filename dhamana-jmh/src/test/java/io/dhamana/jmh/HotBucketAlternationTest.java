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
    void theIntervalIsStudentsForSmallSamples() {
        // mean 3, sample deviation sqrt(2.5), t(4) = 2.776: 2.776 * 1.5811 / sqrt(5)
        assertThat(HotBucketAlternation.halfWidth(new double[] {1, 2, 3, 4, 5})).isCloseTo(1.963, within(0.001));
        assertThat(HotBucketAlternation.halfWidth(new double[] {7, 7, 7})).isZero();
        assertThat(HotBucketAlternation.studentT975(1)).isEqualTo(12.706);
        assertThat(HotBucketAlternation.studentT975(200)).isCloseTo(1.972, within(0.01));
    }
}

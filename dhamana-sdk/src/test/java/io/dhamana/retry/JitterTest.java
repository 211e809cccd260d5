package io.dhamana.retry;

import io.dhamana.InvalidRequestException;
import io.dhamana.Jitter;
import io.dhamana.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The backoff schedule is a pure function of (retry, previous delay, randomness): checked exactly on chosen points
 * here, and over generated policies and draws in {@link JitterProperties}.
 */
class JitterTest {
    private static final long MS = 1_000_000L;

    /** Always draws the largest value allowed. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    /** Always draws zero. */
    private static final RandomGenerator LOWEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return 0;
        }
    };

    private static RetryPolicy policy(Jitter jitter) {
        return RetryPolicy.builder().backoff(Duration.ofMillis(2), Duration.ofMillis(50)).jitter(jitter).build();
    }

    @Test
    void withoutJitterTheDelayDoublesUpToTheCap() {
        RetryPolicy p = policy(Jitter.NONE);
        assertThat(p.delayNanos(1, 0, LOWEST)).isEqualTo(2 * MS);
        assertThat(p.delayNanos(2, 0, LOWEST)).isEqualTo(4 * MS);
        assertThat(p.delayNanos(5, 0, LOWEST)).isEqualTo(32 * MS);
        assertThat(p.delayNanos(6, 0, LOWEST)).isEqualTo(50 * MS);
        assertThat(p.delayNanos(1_000, 0, LOWEST)).isEqualTo(50 * MS);
    }

    @Test
    void fullJitterSpansZeroToTheExponentialBound() {
        RetryPolicy p = policy(Jitter.FULL);
        assertThat(p.delayNanos(3, 0, LOWEST)).isZero();
        assertThat(p.delayNanos(3, 0, HIGHEST)).isEqualTo(8 * MS);
        assertThat(p.delayNanos(40, 0, HIGHEST)).isEqualTo(50 * MS);
    }

    @Test
    void equalJitterNeverGoesBelowHalfTheBound() {
        RetryPolicy p = policy(Jitter.EQUAL);
        assertThat(p.delayNanos(3, 0, LOWEST)).isEqualTo(4 * MS);
        assertThat(p.delayNanos(3, 0, HIGHEST)).isEqualTo(8 * MS);
    }

    @Test
    void decorrelatedJitterGrowsFromThePreviousDelay() {
        RetryPolicy p = policy(Jitter.DECORRELATED);
        assertThat(p.delayNanos(1, 0, LOWEST)).isEqualTo(2 * MS);
        assertThat(p.delayNanos(1, 0, HIGHEST)).isEqualTo(6 * MS);
        assertThat(p.delayNanos(2, 6 * MS, HIGHEST)).isEqualTo(18 * MS);
        assertThat(p.delayNanos(3, 18 * MS, HIGHEST)).isEqualTo(50 * MS);
    }

    /** With a zero base, a previous delay above a third of the largest long made the draw's bound overflow. */
    @Test
    void decorrelatedJitterAfterAHugePreviousDelayStaysWithinTheCap() {
        RetryPolicy p = RetryPolicy.builder().backoff(Duration.ZERO, Duration.ofMillis(50)).jitter(Jitter.DECORRELATED)
                .build();
        assertThat(p.delayNanos(1, Long.MAX_VALUE, new SplittableRandom(0))).isBetween(0L, 50 * MS);
        assertThat(p.delayNanos(1, Long.MAX_VALUE / 3 + 1, HIGHEST)).isEqualTo(50 * MS);
        assertThat(p.delayNanos(1, Long.MAX_VALUE, LOWEST)).isZero();
    }

    @Test
    void aZeroBaseRetriesImmediately() {
        RetryPolicy p = RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO).build();
        assertThat(p.delayNanos(7, 0, HIGHEST)).isZero();
    }

    @Test
    void thePolicyRefusesNonsense() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("maxAttempts must be between 1 and 100000, was 0");
        assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofMillis(5), Duration.ofMillis(1)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("must not be below baseDelay");
        assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofMillis(-1), Duration.ofMillis(1)))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().jitter(null)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().deadline(Duration.ofDays(2)))
                .isInstanceOf(InvalidRequestException.class);
    }
}

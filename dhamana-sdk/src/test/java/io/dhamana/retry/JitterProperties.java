package io.dhamana.retry;

import io.dhamana.Jitter;
import io.dhamana.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static io.dhamana.testkit.Theories.qt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The backoff schedule by property, for any base and cap a policy accepts, any retry number, any previous delay and
 * any draw of the randomness. The expected range of each jitter is computed here from its Javadoc formula in exact
 * arithmetic, not from the code under test: {@code exp(n) = min(cap, base * 2^(n-1))}; none gives {@code exp(n)},
 * full jitter {@code [0, exp(n)]}, equal jitter {@code [exp(n)/2, exp(n)]}, decorrelated
 * {@code [base, min(cap, 3 * max(previous, base))]}.
 *
 * <p>Random draws alone would almost never touch a bound that is millions of nanoseconds wide, so an off-by-one at
 * either end would pass. The draws here include the lowest and the highest value the randomness can give, and the
 * second property requires those two to land exactly on the ends of the range.
 */
class JitterProperties {
    private static final int TRIES = 500;
    private static final long MAX_BASE_NANOS = Duration.ofMinutes(1).toNanos();
    private static final long MAX_CAP_NANOS = Duration.ofMinutes(5).toNanos();

    @Test
    void everyDelayLiesInItsJittersRangeAndNeverAboveTheCap() {
        qt(TRIES).forAll(jitters(), schedules(), draws()).checkAssert((jitter, s, draw) -> {
            Range expected = Range.of(jitter, s);
            long delay = s.policy(jitter).delayNanos(s.retry(), s.previousNanos(), draw.random());
            assertThat(delay).as("%s delay, expected in %s", jitter, expected).isBetween(expected.low, expected.high);
            assertThat(delay).as("never above the cap").isBetween(0L, s.capNanos());
        });
    }

    @Test
    void theLowestAndHighestDrawsReachTheEndsOfTheRange() {
        qt(TRIES).forAll(jitters(), schedules()).checkAssert((jitter, s) -> {
            Range expected = Range.of(jitter, s);
            RetryPolicy policy = s.policy(jitter);
            assertThat(policy.delayNanos(s.retry(), s.previousNanos(), Draw.LOWEST.random()))
                    .as("%s delay with the lowest draw", jitter).isEqualTo(expected.low);
            assertThat(policy.delayNanos(s.retry(), s.previousNanos(), Draw.HIGHEST.random()))
                    .as("%s delay with the highest draw", jitter).isEqualTo(expected.high);
        });
    }

    /** One retry of one schedule: the policy's base and cap, the retry number and the delay before it. */
    record Schedule(long baseNanos, long capNanos, int retry, long previousNanos) {
        RetryPolicy policy(Jitter jitter) {
            return RetryPolicy.builder().backoff(Duration.ofNanos(baseNanos), Duration.ofNanos(capNanos))
                    .jitter(jitter).build();
        }
    }

    /** The closed range a jitter's delay must lie in, from the formulas, in exact arithmetic. */
    record Range(long low, long high) {
        static Range of(Jitter jitter, Schedule s) {
            BigInteger base = BigInteger.valueOf(s.baseNanos());
            BigInteger cap = BigInteger.valueOf(s.capNanos());
            // Past 2^64 the doubled base is beyond any cap a policy accepts, unless the base is 0: both give the same.
            long exp = base.shiftLeft(Math.min(s.retry() - 1, 64)).min(cap).longValueExact();
            return switch (jitter) {
                case NONE -> new Range(exp, exp);
                case FULL -> new Range(0, exp);
                case EQUAL -> new Range(exp / 2, exp);
                case DECORRELATED -> new Range(s.baseNanos(), BigInteger.valueOf(Math.max(s.previousNanos(),
                        s.baseNanos())).multiply(BigInteger.valueOf(3)).min(cap).longValueExact());
            };
        }

        @Override
        public String toString() {
            return "[" + low + ", " + high + "]";
        }
    }

    /**
     * Where the randomness draws: always its lowest value, always its highest, or a seeded generator. The scripted
     * ends answer every bounded draw, so they hold whichever draw method the jitter calls.
     */
    record Draw(Kind kind, long seed) {
        enum Kind { LOWEST, HIGHEST, SEEDED }

        static final Draw LOWEST = new Draw(Kind.LOWEST, 0);
        static final Draw HIGHEST = new Draw(Kind.HIGHEST, 0);

        RandomGenerator random() {
            return switch (kind) {
                case LOWEST -> new Scripted(false);
                case HIGHEST -> new Scripted(true);
                case SEEDED -> new SplittableRandom(seed);
            };
        }

        @Override
        public String toString() {
            return kind == Kind.SEEDED ? "seeded(" + seed + ")" : kind.name().toLowerCase(Locale.ROOT);
        }
    }

    private record Scripted(boolean highest) implements RandomGenerator {
        @Override
        public long nextLong() {
            return highest ? Long.MAX_VALUE : Long.MIN_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return highest ? bound - 1 : 0;
        }

        @Override
        public long nextLong(long origin, long bound) {
            return highest ? bound - 1 : origin;
        }

        @Override
        public int nextInt(int bound) {
            return highest ? bound - 1 : 0;
        }

        @Override
        public int nextInt(int origin, int bound) {
            return highest ? bound - 1 : origin;
        }

        @Override
        public double nextDouble() {
            return highest ? Math.nextDown(1.0) : 0.0;
        }
    }

    private static Gen<Jitter> jitters() {
        return integers().between(0, Jitter.values().length - 1).map(i -> Jitter.values()[i]);
    }

    /**
     * Bases and caps both tiny (where an off-by-one is a large share of the range) and anywhere a policy accepts;
     * retries from the first to far past where the doubling saturates; previous delays near the base and anywhere.
     */
    private static Gen<Schedule> schedules() {
        Gen<Long> bases = longs().between(0, 16).mix(longs().between(0, MAX_BASE_NANOS));
        Gen<Integer> retries = integers().between(1, 70).mix(integers().between(1, Integer.MAX_VALUE));
        return in -> {
            long base = bases.generate(in);
            long cap = longs().between(base, Math.min(MAX_CAP_NANOS, base + 64))
                    .mix(longs().between(base, MAX_CAP_NANOS)).generate(in);
            int retry = retries.generate(in);
            long previous = longs().between(0, 4 * Math.max(base, 1))
                    .mix(longs().between(0, Long.MAX_VALUE)).generate(in);
            return new Schedule(base, cap, retry, previous);
        };
    }

    private static Gen<Draw> draws() {
        return in -> {
            int kind = integers().between(0, 3).generate(in); // half of the draws seeded
            long seed = longs().all().generate(in);
            return switch (kind) {
                case 0 -> Draw.LOWEST;
                case 1 -> Draw.HIGHEST;
                default -> new Draw(Draw.Kind.SEEDED, seed);
            };
        };
    }
}

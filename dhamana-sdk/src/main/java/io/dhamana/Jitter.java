package io.dhamana;

import java.util.random.RandomGenerator;

/**
 * How a retry's delay is drawn from the exponential schedule {@code exp(n) = min(cap, base * 2^(n-1))} for the
 * n-th retry. Pure functions of their arguments: the randomness is passed in.
 */
public enum Jitter {
    /** {@code exp(n)}: no randomness. Contenders that collided retry in lockstep; kept for comparison. */
    NONE {
        @Override
        long delayNanos(long base, long cap, int retry, long previous, RandomGenerator random) {
            return exponential(base, cap, retry);
        }
    },
    /** {@code uniform(0, exp(n))}: least total work under contention (AWS's recommendation). The default. */
    FULL {
        @Override
        long delayNanos(long base, long cap, int retry, long previous, RandomGenerator random) {
            long e = exponential(base, cap, retry);
            return e == 0 ? 0 : random.nextLong(e + 1);
        }
    },
    /** {@code exp(n)/2 + uniform(0, exp(n)/2)}: never retries immediately. */
    EQUAL {
        @Override
        long delayNanos(long base, long cap, int retry, long previous, RandomGenerator random) {
            long e = exponential(base, cap, retry);
            long half = e / 2;
            return half + (e - half == 0 ? 0 : random.nextLong(e - half + 1));
        }
    },
    /** {@code min(cap, uniform(base, 3 * previous))}: finishes fastest, a little more work than full jitter. */
    DECORRELATED {
        @Override
        long delayNanos(long base, long cap, int retry, long previous, RandomGenerator random) {
            long prev = Math.max(previous, base);
            // Saturates one below the largest long, so that the draw's bound (upper - base + 1) stays positive even
            // with a zero base; any cap is far below either.
            long upper = prev > (Long.MAX_VALUE - 1) / 3 ? Long.MAX_VALUE - 1 : prev * 3;
            long drawn = upper <= base ? base : base + random.nextLong(upper - base + 1);
            return Math.min(cap, drawn);
        }
    };

    /**
     * The delay before retry number {@code retry} (1 for the first retry), in nanoseconds.
     *
     * @param base     the base delay
     * @param cap      the largest delay
     * @param retry    1-based retry number
     * @param previous the previous delay (0 before the first retry); used by {@link #DECORRELATED}
     * @param random   the source of randomness
     */
    abstract long delayNanos(long base, long cap, int retry, long previous, RandomGenerator random);

    static long exponential(long base, long cap, int retry) {
        if (base <= 0) {
            return 0;
        }
        int shift = Math.min(Math.max(retry - 1, 0), 62);
        long e = base << shift;
        if (e < 0 || (e >> shift) != base) {
            return cap;
        }
        return Math.min(cap, e);
    }
}

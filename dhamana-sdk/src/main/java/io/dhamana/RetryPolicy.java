package io.dhamana;

import io.dhamana.internal.Checks;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When and how the client retries a call. A retry re-runs the whole transaction in a new snapshot. Only conflicts
 * (SQLSTATE 40001 and its kin) are retried, plus transient store failures if {@link #retryTransientFailures()};
 * business rejections and invalid input never are. Immutable.
 *
 * @param maxAttempts            attempts in all, counting the first (at least 1)
 * @param baseDelay              the first retry's delay bound; doubles per retry
 * @param maxDelay               the largest delay between two attempts
 * @param deadline               no retry starts after this much time since the first attempt began
 * @param jitter                 how each delay is drawn
 * @param retryTransientFailures also retry lost connections and other transient failures (safe: every call is
 *                               idempotent by its key)
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration deadline, Jitter jitter,
                          boolean retryTransientFailures) {

    private static final RetryPolicy DEFAULTS = new RetryPolicy(50, Duration.ofMillis(1), Duration.ofMillis(50),
            Duration.ofSeconds(30), Jitter.FULL, false);

    /**
     * @param maxAttempts attempts in all, counting the first (at least 1)
     * @param baseDelay the first retry's delay bound; doubles per retry
     * @param maxDelay the largest delay between two attempts
     * @param deadline no retry starts after this much time since the first attempt began
     * @param jitter how each delay is drawn
     * @param retryTransientFailures also retry lost connections and other transient failures (safe: every call is
     *                               idempotent by its key)
     * @throws InvalidRequestException if a value is out of range
     */
    public RetryPolicy {
        Checks.range("maxAttempts", maxAttempts, 1, 100_000);
        Checks.duration("baseDelay", baseDelay, Duration.ZERO, Duration.ofMinutes(1));
        Checks.duration("maxDelay", maxDelay, Duration.ZERO, Duration.ofMinutes(5));
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new InvalidRequestException("maxDelay", "must not be below baseDelay (" + baseDelay + "), was "
                    + maxDelay);
        }
        Checks.duration("deadline", deadline, Duration.ZERO, Duration.ofHours(1));
        Checks.notNull("jitter", jitter);
    }

    /**
     * 50 attempts, 1 ms base, 50 ms cap, full jitter, 30 s deadline, conflicts only.
     *
     * @return the default policy
     */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * One attempt, no retries.
     *
     * @return a policy of one attempt
     */
    public static RetryPolicy noRetries() {
        return DEFAULTS.toBuilder().maxAttempts(1).build();
    }

    /**
     * A builder starting from {@link #defaults()}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return DEFAULTS.toBuilder();
    }

    /**
     * A builder starting from this policy.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The delay before retry number {@code retry} (1-based), in nanoseconds.
     *
     * @param previousNanos the previous delay, 0 before the first retry
     * @param retry the retry, 1-based
     * @param random the source of jitter
     * @return the delay, in nanoseconds, from 0 to the maximum delay
     */
    public long delayNanos(int retry, long previousNanos, RandomGenerator random) {
        Checks.range("retry", retry, 1, Integer.MAX_VALUE);
        Checks.range("previousNanos", previousNanos, 0, Long.MAX_VALUE);
        Checks.notNull("random", random);
        return jitter.delayNanos(baseDelay.toNanos(), maxDelay.toNanos(), retry, previousNanos, random);
    }

    /** Builds a {@link RetryPolicy}; each setter validates at once. Not thread-safe. */
    public static final class Builder {
        private int maxAttempts;
        private Duration baseDelay;
        private Duration maxDelay;
        private Duration deadline;
        private Jitter jitter;
        private boolean retryTransientFailures;

        private Builder(RetryPolicy from) {
            maxAttempts = from.maxAttempts;
            baseDelay = from.baseDelay;
            maxDelay = from.maxDelay;
            deadline = from.deadline;
            jitter = from.jitter;
            retryTransientFailures = from.retryTransientFailures;
        }

        /**
         * Attempts in all, counting the first; 1 to 100,000.
         *
         * @param attempts the attempts
         * @return this builder
         */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = Checks.range("maxAttempts", attempts, 1, 100_000);
            return this;
        }

        /**
         * Sets the base delay and the cap of the exponential schedule.
         *
         * @param base the first delay
         * @param max the longest delay
         * @return this builder
         */
        public Builder backoff(Duration base, Duration max) {
            Checks.duration("baseDelay", base, Duration.ZERO, Duration.ofMinutes(1));
            Checks.duration("maxDelay", max, Duration.ZERO, Duration.ofMinutes(5));
            if (max.compareTo(base) < 0) {
                throw new InvalidRequestException("maxDelay", "must not be below baseDelay (" + base + "), was " + max);
            }
            this.baseDelay = base;
            this.maxDelay = max;
            return this;
        }

        /**
         * No retry starts after this much time from the start of the call; zero to one hour.
         *
         * @param deadline the deadline
         * @return this builder
         */
        public Builder deadline(Duration deadline) {
            this.deadline = Checks.duration("deadline", deadline, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /** How each delay is randomised.

@param jitter the jitter
@return this builder */
        public Builder jitter(Jitter jitter) {
            this.jitter = Checks.notNull("jitter", jitter);
            return this;
        }

        /**
         * Whether lost connections and timeouts are retried too (safe: every call is idempotent by its key).
         *
         * @param retry true to retry them
         * @return this builder
         */
        public Builder retryTransientFailures(boolean retry) {
            this.retryTransientFailures = retry;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @return the policy
         * @throws InvalidRequestException if the maximum delay is below the base delay
         */
        public RetryPolicy build() {
            return new RetryPolicy(maxAttempts, baseDelay, maxDelay, deadline, jitter, retryTransientFailures);
        }
    }
}

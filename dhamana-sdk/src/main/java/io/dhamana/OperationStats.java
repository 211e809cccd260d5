package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A thread-safe {@link OperationListener} that counts attempts, conflicts, retries and outcomes per operation.
 * Register it with {@link TicketingClient.Builder#listener(OperationListener)} and read {@link #snapshot(Operation)}.
 */
public final class OperationStats implements OperationListener {

    /**
     * Counts for one operation at one moment.
     *
     * @param calls             finished calls (successes + rejections + failures)
     * @param attempts          transactions started
     * @param conflicts         attempts lost to a serialization conflict
     * @param retries           attempts started after a failed one
     * @param successes         committed calls
     * @param rejections        calls refused for a business reason
     * @param failures          calls that ended in an exception
     * @param totalLatencyNanos latency summed over finished calls
     * @param maxLatencyNanos   the slowest finished call
     */
    public record Snapshot(Operation operation, long calls, long attempts, long conflicts, long retries,
                           long successes, long rejections, long failures, long totalLatencyNanos,
                           long maxLatencyNanos) {
        /**
         * Checks the counts.
         *
         * @param operation the operation counted
         * @param calls finished calls (successes + rejections + failures)
         * @param attempts transactions started
         * @param conflicts attempts lost to a serialization conflict
         * @param retries attempts started after a failed one
         * @param successes committed calls
         * @param rejections calls refused for a business reason
         * @param failures calls that ended in an exception
         * @param totalLatencyNanos latency summed over finished calls
         * @param maxLatencyNanos the slowest finished call
         * @throws InvalidRequestException if the operation is null or a count negative
         */
        public Snapshot {
            Checks.notNull("operation", operation);
            Checks.notNegative("calls", calls);
            Checks.notNegative("attempts", attempts);
            Checks.notNegative("conflicts", conflicts);
            Checks.notNegative("retries", retries);
            Checks.notNegative("successes", successes);
            Checks.notNegative("rejections", rejections);
            Checks.notNegative("failures", failures);
            Checks.notNegative("totalLatencyNanos", totalLatencyNanos);
            Checks.notNegative("maxLatencyNanos", maxLatencyNanos);
        }

        /**
         * Mean latency of finished calls in nanoseconds, 0 when none.
         *
         * @return the mean, in nanoseconds
         */
        public double meanLatencyNanos() {
            return calls == 0 ? 0 : (double) totalLatencyNanos / calls;
        }

        /**
         * Conflicts per finished call.
         *
         * @return conflicts divided by finished calls, 0 when none
         */
        public double conflictsPerCall() {
            return calls == 0 ? 0 : (double) conflicts / calls;
        }

        /**
         * Retries per finished call.
         *
         * @return retries divided by finished calls, 0 when none
         */
        public double retriesPerCall() {
            return calls == 0 ? 0 : (double) retries / calls;
        }
    }

    private static final class Counters {
        final LongAdder attempts = new LongAdder();
        final LongAdder conflicts = new LongAdder();
        final LongAdder retries = new LongAdder();
        final LongAdder successes = new LongAdder();
        final LongAdder rejections = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder latency = new LongAdder();
        final LongAccumulator maxLatency = new LongAccumulator(Math::max, 0);
    }

    private final Map<Operation, Counters> counters = new EnumMap<>(Operation.class);

    /** Counters at zero for every operation. */
    public OperationStats() {
        for (Operation op : Operation.values()) {
            counters.put(op, new Counters());
        }
    }

    /** @throws InvalidRequestException if the operation is null or the attempt below 1 */
    @Override
    public void onAttempt(Operation operation, int attempt) {
        Counters c = counters.get(Checks.notNull("operation", operation));
        Checks.range("attempt", attempt, 1, Integer.MAX_VALUE);
        c.attempts.increment();
        if (attempt > 1) {
            c.retries.increment();
        }
    }

    /** @throws InvalidRequestException if the operation is null or the attempt below 1 */
    @Override
    public void onConflict(Operation operation, int attempt, ConflictException conflict) {
        Counters c = counters.get(Checks.notNull("operation", operation));
        Checks.range("attempt", attempt, 1, Integer.MAX_VALUE);
        c.conflicts.increment();
    }

    /** @throws InvalidRequestException if the operation is null, the attempts below 1 or the latency negative */
    @Override
    public void onSuccess(Operation operation, int attempts, long latencyNanos) {
        Counters c = counters.get(Checks.notNull("operation", operation));
        Checks.range("attempts", attempts, 1, Integer.MAX_VALUE);
        Checks.notNegative("latencyNanos", latencyNanos);
        c.successes.increment();
        record(c, latencyNanos);
    }

    /** @throws InvalidRequestException if the operation is null, the attempts below 1 or the latency negative */
    @Override
    public void onRejected(Operation operation, Rejection rejection, int attempts, long latencyNanos) {
        Counters c = counters.get(Checks.notNull("operation", operation));
        Checks.range("attempts", attempts, 1, Integer.MAX_VALUE);
        Checks.notNegative("latencyNanos", latencyNanos);
        c.rejections.increment();
        record(c, latencyNanos);
    }

    /** @throws InvalidRequestException if the operation is null, the attempts below 1 or the latency negative */
    @Override
    public void onFailure(Operation operation, Throwable failure, int attempts, long latencyNanos) {
        Counters c = counters.get(Checks.notNull("operation", operation));
        Checks.range("attempts", attempts, 1, Integer.MAX_VALUE);
        Checks.notNegative("latencyNanos", latencyNanos);
        c.failures.increment();
        record(c, latencyNanos);
    }

    private static void record(Counters c, long latencyNanos) {
        c.latency.add(latencyNanos);
        c.maxLatency.accumulate(latencyNanos);
    }

    /**
     * The counts for one operation now.
     *
     * @param operation the operation
     * @return the counts; later calls do not change it
     */
    public Snapshot snapshot(Operation operation) {
        Checks.notNull("operation", operation);
        Counters c = counters.get(operation);
        long successes = c.successes.sum();
        long rejections = c.rejections.sum();
        long failures = c.failures.sum();
        return new Snapshot(operation, successes + rejections + failures, c.attempts.sum(), c.conflicts.sum(),
                c.retries.sum(), successes, rejections, failures, c.latency.sum(), c.maxLatency.get());
    }

    /** Sets every count back to zero (not atomic with respect to concurrent calls). */
    public void reset() {
        for (Counters c : counters.values()) {
            c.attempts.reset();
            c.conflicts.reset();
            c.retries.reset();
            c.successes.reset();
            c.rejections.reset();
            c.failures.reset();
            c.latency.reset();
            c.maxLatency.reset();
        }
    }
}

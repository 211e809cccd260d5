package io.dhamana;

/**
 * Observes every call the client makes: attempts, conflicts, retries, outcomes and latency. Callbacks run on the
 * calling thread, inside the hot path: keep them cheap and never throw (an exception from a listener is logged and
 * ignored). All methods default to doing nothing.
 */
public interface OperationListener {

    /** An attempt (1-based) is about to start a transaction. */
    default void onAttempt(Operation operation, int attempt) {}

    /** An attempt lost a serialization conflict. */
    default void onConflict(Operation operation, int attempt, ConflictException conflict) {}

    /** The client will retry after {@code delayNanos}. */
    default void onRetry(Operation operation, int nextAttempt, long delayNanos, DhamanaException cause) {}

    /** The call committed after {@code attempts} attempts, {@code latencyNanos} after it started. */
    default void onSuccess(Operation operation, int attempts, long latencyNanos) {}

    /** The store refused the call for a business reason. */
    default void onRejected(Operation operation, Rejection rejection, int attempts, long latencyNanos) {}

    /** The call failed with an exception (exhausted retries, invalid input, store failure). */
    default void onFailure(Operation operation, Throwable failure, int attempts, long latencyNanos) {}
}

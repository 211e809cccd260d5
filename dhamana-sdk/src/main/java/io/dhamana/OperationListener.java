package io.dhamana;

/**
 * Observes every call the client makes: attempts, conflicts, retries, outcomes and latency. Callbacks run on the
 * calling thread, inside the hot path: keep them cheap and never throw (an exception from a listener is logged and
 * ignored). All methods default to doing nothing.
 *
 * <p>A listener registered with one client also hears when that client starts and closes, so it can read the
 * client's name, store and {@link TicketingClient#activity() activity} (the Micrometer binding in
 * {@code io.dhamana.micrometer} registers its gauges then).
 */
public interface OperationListener {

    /**
     * The client this listener was registered with has started; no call has been made yet.
     *
     * @param client the client, ready for calls
     */
    default void onClientStarted(TicketingClient client) {}

    /**
     * The client this listener was registered with has closed; no further callback follows.
     *
     * @param client the closed client
     */
    default void onClientClosed(TicketingClient client) {}

    /**
     * One transaction is about to serve {@code holds} concurrent general-admission holds at once (see
     * {@link TicketingClient.Builder#combining(boolean)}); each member still reports its own outcome.
     *
     * @param holds the holds the transaction serves, at least 2
     */
    default void onCombinedHolds(int holds) {}

    /**
     * An attempt (1-based) is about to start a transaction.
     *
     * @param operation the operation
     * @param attempt the attempt, 1-based
     */
    default void onAttempt(Operation operation, int attempt) {}

    /**
     * An attempt lost a serialization conflict.
     *
     * @param operation the operation
     * @param attempt the attempt, 1-based
     * @param conflict the conflict, as the store reported it
     */
    default void onConflict(Operation operation, int attempt, ConflictException conflict) {}

    /**
     * The client will retry after {@code delayNanos}.
     *
     * @param operation the operation
     * @param nextAttempt the attempt about to start, 1-based
     * @param delayNanos the backoff before it, in nanoseconds
     * @param cause the store's own exception, or null
     */
    default void onRetry(Operation operation, int nextAttempt, long delayNanos, DhamanaException cause) {}

    /**
     * The call committed after {@code attempts} attempts, {@code latencyNanos} after it started.
     *
     * @param operation the operation
     * @param attempts attempts made, counting the first
     * @param latencyNanos time from the start of the call to its end, in nanoseconds, by the client's ticker
     */
    default void onSuccess(Operation operation, int attempts, long latencyNanos) {}

    /**
     * The store refused the call for a business reason.
     *
     * @param operation the operation
     * @param rejection why the store refused it
     * @param attempts attempts made, counting the first
     * @param latencyNanos time from the start of the call to its end, in nanoseconds, by the client's ticker
     */
    default void onRejected(Operation operation, Rejection rejection, int attempts, long latencyNanos) {}

    /**
     * The call failed with an exception (exhausted retries, invalid input, store failure).
     *
     * @param operation the operation
     * @param failure what ended the call
     * @param attempts attempts made, counting the first
     * @param latencyNanos time from the start of the call to its end, in nanoseconds, by the client's ticker
     */
    default void onFailure(Operation operation, Throwable failure, int attempts, long latencyNanos) {}
}

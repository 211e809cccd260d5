package io.dhamana;

/**
 * Every allowed attempt of a call hit a conflict (or a transient failure, where those are retried), or the retry
 * deadline passed. The last failure is the cause; the earlier ones are suppressed. Nothing was committed by the
 * failed attempts; repeating the call with {@link #operationKey()} is safe.
 */
public class RetriesExhaustedException extends OperationFailedException {
    private static final long serialVersionUID = 1L;

    /**
     * A call whose retries ran out.
     *
     * @param operation    the operation
     * @param operationKey its idempotency key, or null for a call without one
     * @param attempts     attempts made, counting the first
     * @param why          why no further attempt was made
     * @param lastFailure  the last conflict or transient failure
     */
    public RetriesExhaustedException(Operation operation, OperationKey operationKey, int attempts, String why,
                                     Throwable lastFailure) {
        super(operation, operationKey, attempts,
                operation.label() + " gave up after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + ": " + why,
                lastFailure);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}

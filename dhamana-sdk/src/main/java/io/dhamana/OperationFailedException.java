package io.dhamana;

import java.util.Optional;

/**
 * A client call failed: its cause is the last store failure. Carries the operation, its idempotency key (repeat the
 * call with it to finish the work exactly once) and the number of attempts made.
 */
public class OperationFailedException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    /** The operation that failed. */
    private final Operation operation;
    private final transient OperationKey operationKey;
    /** Attempts made, counting the first. */
    private final int attempts;

    /**
     * A failed call.
     *
     * @param operation    the operation
     * @param operationKey its idempotency key, or null for a call without one
     * @param attempts     attempts made, counting the first
     * @param message      what happened
     * @param cause        the last store failure
     */
    public OperationFailedException(Operation operation, OperationKey operationKey, int attempts, String message,
                                    Throwable cause) {
        super(message, cause);
        this.operation = operation;
        this.operationKey = operationKey;
        this.attempts = attempts;
    }

    /**
     * The operation that failed.
     *
     * @return the operation
     */
    public Operation operation() {
        return operation;
    }

    /**
     * The idempotency key the attempts used, if the operation has one.
     *
     * @return the key, or empty for a read
     */
    public Optional<OperationKey> operationKey() {
        return Optional.ofNullable(operationKey);
    }

    /**
     * How many attempts were made, counting the first.
     *
     * @return the attempts, at least 1
     */
    public int attempts() {
        return attempts;
    }

    @Override
    public boolean isRetryable() {
        return getCause() instanceof DhamanaException d && d.isRetryable();
    }
}

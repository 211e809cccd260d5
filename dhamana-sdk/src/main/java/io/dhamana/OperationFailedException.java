package io.dhamana;

import java.util.Optional;

/**
 * A client call failed: its cause is the last store failure. Carries the operation, its idempotency key (repeat the
 * call with it to finish the work exactly once) and the number of attempts made.
 */
public class OperationFailedException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    private final Operation operation;
    private final transient OperationKey operationKey;
    private final int attempts;

    public OperationFailedException(Operation operation, OperationKey operationKey, int attempts, String message,
                                    Throwable cause) {
        super(message, cause);
        this.operation = operation;
        this.operationKey = operationKey;
        this.attempts = attempts;
    }

    /** The operation that failed. */
    public Operation operation() {
        return operation;
    }

    /** The idempotency key the attempts used, if the operation has one. */
    public Optional<OperationKey> operationKey() {
        return Optional.ofNullable(operationKey);
    }

    /** How many attempts were made, counting the first. */
    public int attempts() {
        return attempts;
    }

    @Override
    public boolean isRetryable() {
        return getCause() instanceof DhamanaException d && d.isRetryable();
    }
}

package io.dhamana;

/**
 * The store failed for a reason other than a conflict: a lost connection or an unavailable server (transient), or
 * a statement the store refused or a limit it enforces (permanent). Whether a transient failure committed is
 * unknown; repeating the call with the same idempotency key is safe and finds the work done at most once.
 */
public class StoreException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    /** Whether the same call may succeed later. */
    private final boolean transientFailure;
    /** The SQLSTATE, or null. */
    private final String sqlState;

    /**
     * @param transientFailure true when the same call may succeed later (lost connection, server restarting)
     * @param sqlState         the SQLSTATE, or null when there is none
     * @param message          what failed; must not contain secrets
     * @param cause            the underlying exception, or null
     */
    public StoreException(boolean transientFailure, String sqlState, String message, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
        this.sqlState = sqlState;
    }

    /**
     * The SQLSTATE, or null.
     *
     * @return the SQLSTATE, or null when the failure had none
     */
    public String sqlState() {
        return sqlState;
    }

    /**
     * Same as {@link #isRetryable()}.
     *
     * @return true if the same call may succeed later
     */
    public boolean isTransient() {
        return transientFailure;
    }

    @Override
    public boolean isRetryable() {
        return transientFailure;
    }
}

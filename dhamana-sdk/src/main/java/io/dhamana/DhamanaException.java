package io.dhamana;

/**
 * Root of every exception the SDK throws. Unchecked. Business outcomes (sold out, cap reached...) are not
 * exceptions: they come back as {@link Outcome.Rejected} values.
 */
public abstract class DhamanaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception without a cause.

@param message what happened */
    protected DhamanaException(String message) {
        super(message);
    }

    /**
     * An exception with a cause.
     *
     * @param message what happened
     * @param cause   the underlying failure, or null
     */
    protected DhamanaException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * For exceptions thrown often on hot paths, where a stack trace costs more than it tells.
     *
     * @param message what happened
     * @param cause the store's own exception, or null
     * @param writableStackTrace whether to record a stack trace (false on hot paths)
     */
    protected DhamanaException(String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
    }

    /**
     * Whether repeating the same call (with the same idempotency key) may succeed. Conflicts and transient store
     * failures are retryable; invalid input, unknown ids and permanent store failures are not.
     *
     * @return true if a repeat may succeed
     */
    public abstract boolean isRetryable();
}

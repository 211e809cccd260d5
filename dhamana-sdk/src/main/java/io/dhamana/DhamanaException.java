package io.dhamana;

/**
 * Root of every exception the SDK throws. Unchecked. Business outcomes (sold out, cap reached...) are not
 * exceptions: they come back as {@link Outcome.Rejected} values.
 */
public abstract class DhamanaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected DhamanaException(String message) {
        super(message);
    }

    protected DhamanaException(String message, Throwable cause) {
        super(message, cause);
    }

    /** For exceptions thrown often on hot paths, where a stack trace costs more than it tells. */
    protected DhamanaException(String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
    }

    /**
     * Whether repeating the same call (with the same idempotency key) may succeed. Conflicts and transient store
     * failures are retryable; invalid input, unknown ids and permanent store failures are not.
     */
    public abstract boolean isRetryable();
}

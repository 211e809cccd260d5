package io.dhamana;

/**
 * A serialization conflict: another transaction committed a write to a row this one also wrote (SQLSTATE 40001,
 * PostgreSQL's deadlock 40P01, Aurora DSQL's OC000/OC001, or the in-process engine's own first-committer-wins
 * check). The whole transaction was rolled back. The client retries these by itself with jittered backoff; a caller
 * only sees one wrapped in {@link RetriesExhaustedException}.
 */
public class ConflictException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    /** The SQLSTATE that classified the failure as a conflict. */
    private final String sqlState;

    /**
     * @param sqlState the SQLSTATE reported by the store ({@code "40001"} for the engine)
     * @param message  what conflicted, if known
     * @param cause    the store's own exception, or null
     */
    public ConflictException(String sqlState, String message, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /**
     * As above, optionally without a stack trace: an in-process store raises conflicts far more often than a
     * remote one, and the trace would only show the store's own commit path.
     *
     * @param sqlState the SQLSTATE reported by the store ({@code "40001"} for the engine)
     * @param message what happened
     * @param cause the store's own exception, or null
     * @param writableStackTrace whether to record a stack trace (false on hot paths)
     */
    public ConflictException(String sqlState, String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, writableStackTrace);
        this.sqlState = sqlState;
    }

    /**
     * The SQLSTATE that classified this failure as a conflict.
     *
     * @return the SQLSTATE, for example {@code 40001}
     */
    public String sqlState() {
        return sqlState;
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}

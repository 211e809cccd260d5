package io.dhamana.spi;

import io.dhamana.DhamanaException;

/**
 * A write broke one of the store's last-line constraints (a CHECK or unique index in SQL). The transaction is
 * aborted. The client maps the constraint to the business rejection it guards; it is never retried.
 */
public class ConstraintViolationException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    /** Which constraint refused the write. */
    private final Constraint constraint;

    /**
     * @param constraint which constraint refused the write
     * @param message    what was refused, without row values
     * @param cause      the store's own exception, or null
     */
    public ConstraintViolationException(Constraint constraint, String message, Throwable cause) {
        super(message, cause);
        this.constraint = constraint;
    }

    /**
     * Which constraint refused the write.
     *
     * @return the constraint
     */
    public Constraint constraint() {
        return constraint;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}

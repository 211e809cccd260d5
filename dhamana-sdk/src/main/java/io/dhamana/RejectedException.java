package io.dhamana;

/** Thrown by {@link Outcome#value()} when the outcome was a business rejection; carries the typed reason. */
public class RejectedException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    private final transient Rejection rejection;

    /** An exception carrying a refusal.

@param rejection why the store refused the call */
    public RejectedException(Rejection rejection) {
        super(rejection.message());
        this.rejection = rejection;
    }

    /**
     * Why the store refused the work.
     *
     * @return the rejection
     */
    public Rejection rejection() {
        return rejection;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}

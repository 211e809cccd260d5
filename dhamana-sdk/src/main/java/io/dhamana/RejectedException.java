package io.dhamana;

/** Thrown by {@link Outcome#value()} when the outcome was a business rejection; carries the typed reason. */
public class RejectedException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    private final transient Rejection rejection;

    public RejectedException(Rejection rejection) {
        super(rejection.message());
        this.rejection = rejection;
    }

    /** Why the store refused the work. */
    public Rejection rejection() {
        return rejection;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}

package io.dhamana;

/**
 * An argument was invalid: null, blank, out of range, too long, or inconsistent with another argument. Thrown before
 * any transaction starts, so nothing in the store changed. Never retryable.
 */
public class InvalidRequestException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    /** The argument's name. */
    private final String argument;
    /** What is wrong with it. */
    private final String reason;

    /**
     * @param argument the argument's name as the caller sees it, for example {@code "quantity"}
     * @param reason   what is wrong, for example {@code "must be at least 1, was 0"}
     */
    public InvalidRequestException(String argument, String reason) {
        super(argument + " " + reason);
        this.argument = argument;
        this.reason = reason;
    }

    /**
     * The name of the offending argument.
     *
     * @return the argument's name, as the method or record declares it
     */
    public String argument() {
        return argument;
    }

    /**
     * What is wrong with it.
     *
     * @return what is wrong with it
     */
    public String reason() {
        return reason;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}

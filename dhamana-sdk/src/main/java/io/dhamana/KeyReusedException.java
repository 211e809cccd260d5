package io.dhamana;

/**
 * An idempotency key (or a caller-chosen hold or listing id) was already used for different work. Repeating a call
 * must repeat it exactly; this is a caller bug, never retryable.
 */
public class KeyReusedException extends DhamanaException {
    private static final long serialVersionUID = 1L;

    /**
     * A key used for different work.
     *
     * @param key    the repeated key
     * @param detail what differs from its first use
     */
    public KeyReusedException(OperationKey key, String detail) {
        super("idempotency key " + key + " was already used for other work: " + detail);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}

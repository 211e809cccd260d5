package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.UUID;

/**
 * The idempotency key of one mutating call. The client generates one per call (or derives it from the subject, for
 * example {@code confirm} from the hold id); every retry of that call reuses it, so work whose commit was lost in
 * transit is found done instead of being done twice.
 *
 * @param value the UUID
 */
public record OperationKey(UUID value) {
    /**
     * @param value the UUID
     * @throws InvalidRequestException if the value is null
     */
    public OperationKey {
        Checks.notNull("operationKey", value);
    }

    /**
     * Wraps a UUID.
     *
     * @param value the UUID
     * @return the key
     */
    public static OperationKey of(UUID value) {
        return new OperationKey(value);
    }

    @Override
    public String toString() {
        return value.toString();
    }
}

package io.dhamana.spi;

import io.dhamana.EventId;
import io.dhamana.Operation;
import io.dhamana.OperationKey;

/**
 * A row of the operation log, keyed by the call's idempotency key. Inserting it if absent is how a repeated call
 * finds its work already done; summing it is how the audit reconciles units.
 *
 * @param subject     the hold, ticket, listing or buyer the operation acted on
 * @param actor       who asked (a buyer id, or {@code "system"})
 * @param units       units moved (held, released, confirmed, refunded...), 0 when none
 * @param amountMinor money moved, 0 when none
 */
public record OperationRow(OperationKey key, Operation operation, EventId event, String subject, String actor,
                           int units, long amountMinor) {}

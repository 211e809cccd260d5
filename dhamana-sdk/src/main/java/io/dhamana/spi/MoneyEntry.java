package io.dhamana.spi;

import io.dhamana.OperationKey;

/**
 * One leg of a double-entry money movement. The legs of one operation sum to zero.
 *
 * @param operation the operation that moved the money
 * @param leg       0, 1, ... within the operation
 * @param account   for example {@code buyer:fan-1}, {@code event:show} or {@code escrow:<listing>}
 * @param amountMinor signed amount in minor units
 */
public record MoneyEntry(OperationKey operation, int leg, String account, long amountMinor) {}

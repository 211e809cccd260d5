package io.dhamana.internal;

import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.KeyReusedException;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.VerificationStatus;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.StoreTransaction;

import java.util.Optional;

/**
 * What the recipes share. A recipe is the business logic of one operation, written once against
 * {@link StoreTransaction}: it reads everything it needs in one round, decides from that snapshot, and names its
 * writes, which the store sends with the commit. Every guarded write's predicate is checked in the snapshot first,
 * so a refusal is decided before anything is written and a refused call writes nothing; a rival that changes a
 * guard row in between makes the commit fail as a conflict, and the call is retried.
 *
 * <p>Order of writes: the operation-log insert first (it is the idempotency check and never contends), the contested
 * guard row last, so that on a locking store (PostgreSQL) the hot row is locked for the shortest time.
 *
 * <p>Repeats. The log row of a first attempt is inserted without being read: its key is fresh or derived from work
 * not yet done, and if it is taken after all, the insert fails the transaction as a conflict. A retry (attempt 2 or
 * later) and a call whose subject shows the work may be done read the log row and answer from it.
 */
final class Recipes {
    static final String SYSTEM = "system";

    private Recipes() {}

    /** Refuses the call: the transaction rolls back and none of its writes is sent. */
    static <T> Outcome<T> reject(StoreTransaction tx, Rejection rejection) {
        tx.markRollbackOnly();
        return Outcome.rejected(rejection);
    }

    /** Ends a transaction that has nothing to write (a repeat answered from the log). */
    static <T> Outcome<T> answer(StoreTransaction tx, T value) {
        tx.markRollbackOnly();
        return Outcome.ok(value);
    }

    /** Why an allowance refuses {@code units}, or empty if it has room for them. */
    static Optional<Rejection> allowanceRefusal(EventId event, BuyerId buyer, Optional<AllowanceRow> row, int used,
                                                int units) {
        if (row.isEmpty() || row.get().status() != VerificationStatus.VERIFIED) {
            return Optional.of(new Rejection.NotVerified(event, buyer));
        }
        if (used + units > row.get().cap()) {
            return Optional.of(new Rejection.CapReached(event, buyer, row.get().cap(), used, units));
        }
        return Optional.empty();
    }

    /** Why an allowance refuses {@code units}, or empty if it has room for them. */
    static Optional<Rejection> allowanceRefusal(EventId event, BuyerId buyer, Optional<AllowanceRow> row, int units) {
        return allowanceRefusal(event, buyer, row, row.map(AllowanceRow::used).orElse(0), units);
    }

    /**
     * Checks that a log row read under {@code key} is this same call.
     *
     * @throws KeyReusedException if the key was used for other work
     */
    static OperationRow expectDone(OperationRow done, OperationKey key, Operation op, String subject) {
        if (done.operation() != op || !done.subject().equals(subject)) {
            throw new KeyReusedException(key, "it belongs to " + done.operation().label() + " of " + done.subject());
        }
        return done;
    }

    /** A log row that was there when its insert failed, and is not there when read back. */
    static ConflictException vanished(OperationKey key) {
        return new ConflictException("40001", "operation " + key + " vanished after its insert clashed", null);
    }
}

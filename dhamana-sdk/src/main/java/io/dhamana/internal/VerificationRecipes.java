package io.dhamana.internal;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.KeyReusedException;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.Verification;
import io.dhamana.VerificationStatus;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.Writes;

import java.util.Optional;

/**
 * Verifying and revoking a fan. Both write the buyer's allowance row, the same row every hold of theirs charges, so
 * a revocation and a hold racing each other cannot both commit.
 */
final class VerificationRecipes {
    private VerificationRecipes() {}

    /** @param mayBeDone whether an earlier attempt of this call may have committed */
    static Outcome<Verification> verify(StoreTransaction tx, OperationKey key, EventId event, BuyerId buyer,
                                        String evidence, int cap, boolean mayBeDone) {
        Reads r = tx.reads();
        Read<Optional<AllowanceRow>> allowance = r.allowance(event, buyer);
        Read<Optional<OperationRow>> logged = mayBeDone ? r.operation(key) : null;
        r.fetch();
        if (mayBeDone && logged.get().isPresent()) {
            Recipes.expectDone(logged.get().get(), key, Operation.VERIFY_FAN, buyer.value());
            return Recipes.answer(tx, Rows.verification(allowance.get().orElseThrow(
                    () -> new KeyReusedException(key, "its verification does not exist"))));
        }
        Writes w = tx.writes();
        w.insertOperation(new OperationRow(key, Operation.VERIFY_FAN, event, buyer.value(), buyer.value(), 0, 0));
        w.verify(event, buyer, evidence, cap);
        // Verifying again keeps what the buyer already used, and the cap they were first verified under.
        AllowanceRow row = allowance.get()
                .map(a -> new AllowanceRow(event, buyer, VerificationStatus.VERIFIED, evidence, a.used(), a.cap()))
                .orElseGet(() -> new AllowanceRow(event, buyer, VerificationStatus.VERIFIED, evidence, 0, cap));
        return Outcome.ok(Rows.verification(row));
    }

    /** @param mayBeDone whether an earlier attempt of this call may have committed */
    static Outcome<Verification> revoke(StoreTransaction tx, OperationKey key, EventId event, BuyerId buyer,
                                        boolean mayBeDone) {
        Reads r = tx.reads();
        Read<Optional<AllowanceRow>> allowance = r.allowance(event, buyer);
        Read<Optional<OperationRow>> logged = mayBeDone ? r.operation(key) : null;
        r.fetch();
        // An attempt whose commit acknowledgement was lost is found done here, even if the buyer has been verified
        // again since (revoking again would undo that verification).
        if (mayBeDone && logged.get().isPresent()) {
            Recipes.expectDone(logged.get().get(), key, Operation.REVOKE_FAN, buyer.value());
            return Recipes.answer(tx, Rows.verification(allowance.get().orElseThrow(
                    () -> new KeyReusedException(key, "its verification does not exist"))));
        }
        if (allowance.get().isEmpty()) {
            return Recipes.reject(tx, new Rejection.NotVerified(event, buyer));
        }
        AllowanceRow a = allowance.get().get();
        if (a.status() != VerificationStatus.VERIFIED) {
            return Recipes.answer(tx, Rows.verification(a)); // already revoked: nothing to write, not even the log
        }
        Writes w = tx.writes();
        w.insertOperation(new OperationRow(key, Operation.REVOKE_FAN, event, buyer.value(), Recipes.SYSTEM, 0, 0));
        w.revoke(event, buyer);
        return Outcome.ok(Rows.verification(new AllowanceRow(event, buyer, VerificationStatus.REVOKED, a.evidence(),
                a.used(), a.cap())));
    }
}

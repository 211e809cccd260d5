package io.dhamana.internal;

import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.NotFoundException;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatState;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.spi.Expiry;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.Writes;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What happens to a hold and its tickets after the hold: release, confirm (payment), refund, expiry, and the bulk
 * forms a closing or cancelled sale uses. Each reads its subject, decides from it, and writes with the commit; a
 * repeat of work already done is recognised from the subject's state and answered from the log.
 */
final class LifecycleRecipes {
    private LifecycleRecipes() {}

    // ------------------------------------------------------------------ release

    static Outcome<Hold> release(StoreTransaction tx, HoldId id) {
        HoldRow hold = readHold(tx, id);
        OperationKey key = Keys.derived("release", id);
        if (hold.status() != HoldStatus.HELD) {
            if (hold.status() == HoldStatus.RELEASED) {
                Optional<OperationRow> done = logged(tx, key);
                if (done.isPresent()) {
                    Recipes.expectDone(done.get(), key, Operation.RELEASE, id.toString());
                    return Recipes.answer(tx, Rows.hold(hold)); // released by this same call before
                }
            }
            return Recipes.reject(tx, new Rejection.WrongState("hold", id.toString(), hold.status().name(),
                    "release"));
        }
        Writes w = tx.writes();
        w.insertOperation(releaseRow(key, hold));
        w.moveHold(id, HoldStatus.HELD, HoldStatus.RELEASED, Expiry.ANY);
        returnStock(w, hold);
        return Outcome.ok(Rows.hold(hold.withStatus(HoldStatus.RELEASED)));
    }

    private static OperationRow releaseRow(OperationKey key, HoldRow hold) {
        return new OperationRow(key, Operation.RELEASE, hold.event(), hold.id().toString(), hold.buyer().value(),
                hold.units(), 0);
    }

    /**
     * Releases up to {@code limit} held holds of the event in this transaction (a sale closing); returns how many.
     * Each release is keyed like a single {@link #release}, so a repeated or overlapping batch does nothing twice.
     */
    static int releaseBatch(StoreTransaction tx, EventId event, int limit) {
        Reads r = tx.reads();
        Read<List<HoldRow>> held = r.heldHolds(event, limit);
        r.fetch();
        Writes w = tx.writes();
        for (HoldRow hold : held.get()) {
            w.insertOperation(releaseRow(Keys.derived("release", hold.id()), hold));
            w.moveHold(hold.id(), HoldStatus.HELD, HoldStatus.RELEASED, Expiry.ANY);
            returnStock(w, hold);
        }
        return held.get().size();
    }

    /** Expires up to {@code limit} lapsed holds in this transaction; returns how many. */
    static int expireBatch(StoreTransaction tx, int limit) {
        Reads r = tx.reads();
        Read<List<HoldRow>> lapsed = r.expiredHolds(limit);
        r.fetch();
        Writes w = tx.writes();
        for (HoldRow hold : lapsed.get()) {
            w.insertOperation(new OperationRow(Keys.derived("expire", hold.id()), Operation.EXPIRE_HOLDS, hold.event(),
                    hold.id().toString(), Recipes.SYSTEM, hold.units(), 0));
            // The expiry condition is re-checked by the store's clock inside the guarded write.
            w.moveHold(hold.id(), HoldStatus.HELD, HoldStatus.EXPIRED, Expiry.EXPIRED);
            returnStock(w, hold);
        }
        return lapsed.get().size();
    }

    /** Gives a released or expired hold's stock back and credits the buyer's allowance. */
    private static void returnStock(Writes w, HoldRow hold) {
        if (hold.seat().isPresent()) {
            w.moveSeat(hold.event(), hold.section(), hold.seat().get(), hold.id(), SeatState.HELD,
                    SeatState.AVAILABLE);
        } else {
            w.returnUnits(hold.event(), hold.section(), hold.bucket(), hold.units());
        }
        w.creditAllowance(hold.event(), hold.buyer(), hold.units());
    }

    // ------------------------------------------------------------------ confirm

    static Outcome<List<Ticket>> confirm(StoreTransaction tx, HoldId id) {
        HoldRow hold = readHold(tx, id);
        OperationKey key = Keys.derived("confirm", id);
        // Judged by the store's clock, which the guarded write below checks again.
        boolean lapsed = !hold.expiresAt().isAfter(tx.now());
        if (hold.status() != HoldStatus.HELD || lapsed) {
            if (hold.status() == HoldStatus.CONFIRMED) {
                Reads again = tx.reads();
                Read<Optional<OperationRow>> done = again.operation(key);
                Read<List<TicketRow>> tickets = again.ticketsOfHold(id);
                again.fetch();
                if (done.get().isPresent()) {
                    Recipes.expectDone(done.get().get(), key, Operation.CONFIRM, id.toString());
                    return Recipes.answer(tx, tickets.get().stream().map(Rows::ticket).toList());
                }
            }
            // A lapsed hold is one situation whether or not the sweeper has got to it yet.
            if (hold.status() == HoldStatus.EXPIRED || (hold.status() == HoldStatus.HELD && lapsed)) {
                return Recipes.reject(tx, new Rejection.HoldExpired(id, hold.expiresAt()));
            }
            return Recipes.reject(tx, new Rejection.WrongState("hold", id.toString(), hold.status().name(),
                    "confirm"));
        }
        long total = hold.unitPriceMinor() * hold.units();
        List<TicketRow> rows = new ArrayList<>(hold.units());
        for (int i = 0; i < hold.units(); i++) {
            rows.add(new TicketRow(TicketId.of(Keys.ticketId(id.value(), i)), id, hold.event(), hold.section(),
                    hold.seat(), hold.bucket(), hold.buyer(), TicketState.VALID, Keys.entryCode(),
                    hold.unitPriceMinor()));
        }
        Writes w = tx.writes();
        w.insertOperation(new OperationRow(key, Operation.CONFIRM, hold.event(), id.toString(), hold.buyer().value(),
                hold.units(), total));
        // Guard: the hold row moves HELD -> CONFIRMED only while unexpired by the store's clock, so a confirm racing
        // the expiry sweeper (which writes the same row) cannot both win.
        w.moveHold(id, HoldStatus.HELD, HoldStatus.CONFIRMED, Expiry.UNEXPIRED);
        w.insertTickets(rows);
        if (hold.seat().isPresent()) {
            w.moveSeat(hold.event(), hold.section(), hold.seat().get(), id, SeatState.HELD, SeatState.SOLD);
        }
        w.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.buyerAccount(hold.buyer()), -total),
                new MoneyEntry(key, 1, Rows.eventAccount(hold.event()), total)));
        return Outcome.ok(rows.stream().map(Rows::ticket).toList());
    }

    // ------------------------------------------------------------------ refund

    static Outcome<Ticket> refund(StoreTransaction tx, TicketId id) {
        Reads r = tx.reads();
        Read<Optional<TicketRow>> read = r.ticket(id);
        r.fetch();
        TicketRow t = read.get().orElseThrow(() -> new NotFoundException("ticket", id.toString()));
        OperationKey key = Keys.derived("refund", id);
        if (t.state() != TicketState.VALID) {
            if (t.state() == TicketState.REFUNDED) {
                Optional<OperationRow> done = logged(tx, key);
                if (done.isPresent()) {
                    Recipes.expectDone(done.get(), key, Operation.REFUND, id.toString());
                    return Recipes.answer(tx, Rows.ticket(t));
                }
            }
            return Recipes.reject(tx, new Rejection.WrongState("ticket", id.toString(), t.state().name(), "refund"));
        }
        refundValid(tx.writes(), key, t);
        return Outcome.ok(Rows.ticket(new TicketRow(t.id(), t.hold(), t.event(), t.section(), t.seat(), t.bucket(),
                t.owner(), TicketState.REFUNDED, t.code(), t.faceValueMinor())));
    }

    /**
     * Refunds up to {@code limit} valid tickets of the event in this transaction (an event cancelled); returns how
     * many. Each refund is keyed like a single {@link #refund}, so a repeated batch does nothing twice.
     */
    static int refundBatch(StoreTransaction tx, EventId event, int limit) {
        Reads r = tx.reads();
        Read<List<TicketRow>> valid = r.validTickets(event, limit);
        r.fetch();
        Writes w = tx.writes();
        for (TicketRow t : valid.get()) {
            refundValid(w, Keys.derived("refund", t.id()), t);
        }
        return valid.get().size();
    }

    /** Moves a valid ticket to refunded and gives its unit, allowance and money back. */
    private static void refundValid(Writes w, OperationKey key, TicketRow t) {
        w.insertOperation(new OperationRow(key, Operation.REFUND, t.event(), t.id().toString(), t.owner().value(), 1,
                t.faceValueMinor()));
        w.moveTicket(t.id(), t.owner(), TicketState.VALID, TicketState.REFUNDED, t.owner(), Optional.empty());
        if (t.seat().isPresent()) {
            w.moveSeat(t.event(), t.section(), t.seat().get(), t.hold(), SeatState.SOLD, SeatState.AVAILABLE);
        } else {
            w.returnUnits(t.event(), t.section(), t.bucket(), 1);
        }
        w.creditAllowance(t.event(), t.owner(), 1);
        w.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.eventAccount(t.event()), -t.faceValueMinor()),
                new MoneyEntry(key, 1, Rows.buyerAccount(t.owner()), t.faceValueMinor())));
    }

    // ------------------------------------------------------------------ helpers

    private static HoldRow readHold(StoreTransaction tx, HoldId id) {
        Reads r = tx.reads();
        Read<Optional<HoldRow>> hold = r.hold(id);
        r.fetch();
        return hold.get().orElseThrow(() -> new NotFoundException("hold", id.toString()));
    }

    /** The log row under {@code key}, read in a round of its own (only when the subject shows the work done). */
    private static Optional<OperationRow> logged(StoreTransaction tx, OperationKey key) {
        Reads r = tx.reads();
        Read<Optional<OperationRow>> done = r.operation(key);
        r.fetch();
        return done.get();
    }
}

package io.dhamana.internal;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.KeyReusedException;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.NotFoundException;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.ListingRow;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.Writes;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Escrowed resale: an owner lists a ticket at an ask within the event's cap; a verified buyer buys it (money into
 * escrow, ownership moved and the entry code rotated, in one transaction); the escrow then settles to the seller, or
 * the sale is cancelled and both go back. The ticket row and the listing row are the guards: a second buyer, or the
 * seller listing twice, writes the same row and loses.
 */
final class ResaleRecipes {
    private ResaleRecipes() {}

    /**
     * @param cachedCapBps the resale cap of an event in basis points of face value, if known without a read (the
     *                     catalog); otherwise the event row is read in a second round
     * @param mayBeDone    whether the listing may exist already (its id chosen by the caller, or a retry)
     */
    static Outcome<Listing> list(StoreTransaction tx, ListingId id, TicketId ticket, BuyerId seller, long ask,
                                 Function<EventId, OptionalInt> cachedCapBps, boolean mayBeDone) {
        OperationKey key = OperationKey.of(id.value());
        Reads r = tx.reads();
        Read<Optional<TicketRow>> read = r.ticket(ticket);
        Read<Optional<OperationRow>> logged = mayBeDone ? r.operation(key) : null;
        Read<Optional<ListingRow>> existing = mayBeDone ? r.listing(id) : null;
        r.fetch();
        if (mayBeDone) {
            if (logged.get().isPresent()) {
                OperationRow done = Recipes.expectDone(logged.get().get(), key, Operation.LIST_FOR_RESALE,
                        id.toString());
                if (!done.actor().equals(seller.value()) || done.amountMinor() != ask) {
                    throw new KeyReusedException(key, "listing " + id + " was made by " + done.actor() + " at "
                            + done.amountMinor());
                }
                ListingRow listed = existing.get().orElseThrow(
                        () -> new KeyReusedException(key, "its listing does not exist"));
                if (!listed.ticket().equals(ticket)) {
                    throw new KeyReusedException(key, "listing " + id + " is of ticket " + listed.ticket());
                }
                return Recipes.answer(tx, Rows.listing(listed));
            }
            if (existing.get().isPresent()) {
                throw new KeyReusedException(key, "listing " + id + " exists without its operation record");
            }
        }
        TicketRow t = read.get().orElseThrow(() -> new NotFoundException("ticket", ticket.toString()));
        // Guard: the ticket row; only its owner can move it VALID -> LISTED.
        if (!t.owner().equals(seller)) {
            return Recipes.reject(tx, new Rejection.NotOwner(ticket, seller));
        }
        if (t.state() != TicketState.VALID) {
            return Recipes.reject(tx, new Rejection.WrongState("ticket", ticket.toString(), t.state().name(), "list"));
        }
        // The store derives the same cap from its own rows, and its constraint refuses an ask above it.
        OptionalInt capBps = cachedCapBps.apply(t.event());
        if (capBps.isEmpty()) {
            Reads again = tx.reads();
            Read<Optional<EventRow>> event = again.event(t.event());
            again.fetch();
            capBps = OptionalInt.of(event.get().orElseThrow(() -> new IllegalStateException("ticket " + ticket
                    + " is of event " + t.event() + ", which has no row")).resaleCapBps());
        }
        long cap = Math.multiplyExact(t.faceValueMinor(), (long) capBps.getAsInt()) / 10_000;
        if (ask > cap) {
            return Recipes.reject(tx, new Rejection.AskAboveCap(ticket, ask, cap));
        }
        Writes w = tx.writes();
        w.insertOperation(new OperationRow(key, Operation.LIST_FOR_RESALE, t.event(), id.toString(), seller.value(),
                0, ask));
        w.moveTicket(ticket, seller, TicketState.VALID, TicketState.LISTED, seller, Optional.empty());
        w.insertListing(id, ticket, seller, ask);
        return Outcome.ok(Rows.listing(new ListingRow(id, ticket, t.event(), seller, ask, cap, ListingState.ACTIVE,
                Optional.empty())));
    }

    static Outcome<Listing> withdraw(StoreTransaction tx, ListingId id, BuyerId seller) {
        ListingRow l = readListing(tx, id);
        if (!l.seller().equals(seller)) {
            return Recipes.reject(tx, new Rejection.NotOwner(l.ticket(), seller));
        }
        OperationKey key = Keys.derived("withdraw", id);
        if (l.state() != ListingState.ACTIVE) {
            return repeatOrRefuse(tx, l, ListingState.WITHDRAWN, key, Operation.WITHDRAW_LISTING, "withdraw");
        }
        Writes w = tx.writes();
        w.insertOperation(new OperationRow(key, Operation.WITHDRAW_LISTING, l.event(), id.toString(), seller.value(),
                0, 0));
        w.moveListing(id, ListingState.ACTIVE, ListingState.WITHDRAWN, Optional.empty());
        w.moveTicket(l.ticket(), seller, TicketState.LISTED, TicketState.VALID, seller, Optional.empty());
        return Outcome.ok(Rows.listing(with(l, ListingState.WITHDRAWN, l.buyer())));
    }

    static Outcome<Listing> buy(StoreTransaction tx, ListingId id, BuyerId buyer) {
        Reads r = tx.reads();
        Read<Optional<ListingRow>> listing = r.listing(id);
        Read<Optional<TicketRow>> ticket = r.ticketOfListing(id);
        r.fetch();
        ListingRow l = listing.get().orElseThrow(() -> new NotFoundException("listing", id.toString()));
        if (l.seller().equals(buyer)) {
            return Recipes.reject(tx, new Rejection.WrongState("listing", id.toString(), "offered by the buyer",
                    "buy"));
        }
        OperationKey key = Keys.derived("buy", id, buyer.value());
        if (l.state() != ListingState.ACTIVE) {
            if (l.buyer().equals(Optional.of(buyer))) {
                Optional<OperationRow> done = logged(tx, key);
                if (done.isPresent()) {
                    Recipes.expectDone(done.get(), key, Operation.BUY_LISTING, id.toString());
                    return Recipes.answer(tx, Rows.listing(l));
                }
            }
            return Recipes.reject(tx, new Rejection.WrongState("listing", id.toString(), l.state().name(), "buy"));
        }
        Reads again = tx.reads();
        Read<Optional<AllowanceRow>> allowance = again.allowance(l.event(), buyer);
        again.fetch();
        // Guard: verified buyers only, and the per-buyer cap, as for a primary sale.
        Optional<Rejection> refused = Recipes.allowanceRefusal(l.event(), buyer, allowance.get(), 1);
        if (refused.isPresent()) {
            return Recipes.reject(tx, refused.get());
        }
        TicketRow t = ticket.get().orElseThrow(() -> new IllegalStateException("listing " + id + " has no ticket"));
        if (t.state() != TicketState.LISTED || !t.owner().equals(l.seller())) {
            throw new IllegalStateException("ticket " + l.ticket() + " of active listing " + id + " is not listed"
                    + " by its seller");
        }
        Writes w = tx.writes();
        w.insertOperation(new OperationRow(key, Operation.BUY_LISTING, l.event(), id.toString(), buyer.value(), 1,
                l.askMinor()));
        // Guard: the listing row moves ACTIVE -> SOLD once; a second buyer writes the same row and loses.
        w.moveListing(id, ListingState.ACTIVE, ListingState.SOLD, Optional.of(buyer));
        w.chargeAllowance(l.event(), buyer, 1);
        // Guard: the ticket row changes owner only from the seller, and its entry code rotates.
        w.moveTicket(l.ticket(), l.seller(), TicketState.LISTED, TicketState.IN_ESCROW, buyer,
                Optional.of(Keys.entryCode()));
        w.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.buyerAccount(buyer), -l.askMinor()),
                new MoneyEntry(key, 1, Rows.escrowAccount(id), l.askMinor())));
        return Outcome.ok(Rows.listing(with(l, ListingState.SOLD, Optional.of(buyer))));
    }

    static Outcome<Listing> settle(StoreTransaction tx, ListingId id) {
        ListingRow l = readListing(tx, id);
        OperationKey key = Keys.derived("settle", id);
        if (l.state() != ListingState.SOLD) {
            return repeatOrRefuse(tx, l, ListingState.SETTLED, key, Operation.SETTLE, "settle");
        }
        BuyerId buyer = l.buyer().orElseThrow(() -> new IllegalStateException("sold listing " + id + " has no buyer"));
        Writes w = tx.writes();
        w.insertOperation(new OperationRow(key, Operation.SETTLE, l.event(), id.toString(), Recipes.SYSTEM, 0,
                l.askMinor()));
        w.moveListing(id, ListingState.SOLD, ListingState.SETTLED, Optional.empty());
        w.moveTicket(l.ticket(), buyer, TicketState.IN_ESCROW, TicketState.VALID, buyer, Optional.empty());
        // The seller's unit counted against their cap until now, so a cancelled sale could give the ticket back.
        w.creditAllowance(l.event(), l.seller(), 1);
        w.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.escrowAccount(id), -l.askMinor()),
                new MoneyEntry(key, 1, Rows.buyerAccount(l.seller()), l.askMinor())));
        return Outcome.ok(Rows.listing(with(l, ListingState.SETTLED, l.buyer())));
    }

    static Outcome<Listing> cancelSale(StoreTransaction tx, ListingId id) {
        ListingRow l = readListing(tx, id);
        OperationKey key = Keys.derived("cancel-sale", id);
        if (l.state() != ListingState.SOLD) {
            return repeatOrRefuse(tx, l, ListingState.REFUNDED, key, Operation.CANCEL_SALE, "cancel the sale of");
        }
        BuyerId buyer = l.buyer().orElseThrow(() -> new IllegalStateException("sold listing " + id + " has no buyer"));
        Writes w = tx.writes();
        w.insertOperation(new OperationRow(key, Operation.CANCEL_SALE, l.event(), id.toString(), Recipes.SYSTEM, 0,
                l.askMinor()));
        w.moveListing(id, ListingState.SOLD, ListingState.REFUNDED, Optional.empty());
        w.moveTicket(l.ticket(), buyer, TicketState.IN_ESCROW, TicketState.VALID, l.seller(),
                Optional.of(Keys.entryCode()));
        w.creditAllowance(l.event(), buyer, 1);
        w.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.escrowAccount(id), -l.askMinor()),
                new MoneyEntry(key, 1, Rows.buyerAccount(buyer), l.askMinor())));
        return Outcome.ok(Rows.listing(with(l, ListingState.REFUNDED, l.buyer())));
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A listing not in the state the call moves it from: the same call's repeat if it is in the state the call moves
     * it to and the log says so, else a refusal.
     */
    private static Outcome<Listing> repeatOrRefuse(StoreTransaction tx, ListingRow l, ListingState doneState,
                                                   OperationKey key, Operation op, String action) {
        if (l.state() == doneState) {
            Optional<OperationRow> done = logged(tx, key);
            if (done.isPresent()) {
                Recipes.expectDone(done.get(), key, op, l.id().toString());
                return Recipes.answer(tx, Rows.listing(l));
            }
        }
        return Recipes.reject(tx, new Rejection.WrongState("listing", l.id().toString(), l.state().name(), action));
    }

    private static ListingRow readListing(StoreTransaction tx, ListingId id) {
        Reads r = tx.reads();
        Read<Optional<ListingRow>> listing = r.listing(id);
        r.fetch();
        return listing.get().orElseThrow(() -> new NotFoundException("listing", id.toString()));
    }

    private static Optional<OperationRow> logged(StoreTransaction tx, OperationKey key) {
        Reads r = tx.reads();
        Read<Optional<OperationRow>> done = r.operation(key);
        r.fetch();
        return done.get();
    }

    private static ListingRow with(ListingRow l, ListingState state, Optional<BuyerId> buyer) {
        return new ListingRow(l.id(), l.ticket(), l.event(), l.seller(), l.askMinor(), l.capMinor(), state, buyer);
    }
}

package io.dhamana.spi;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.TicketId;
import io.dhamana.TicketState;

import java.util.List;
import java.util.Optional;

/**
 * A transaction's writes, each one statement in SQL and one step in the engine. A store may send them as they come
 * or hold them and send them all with the commit (one round trip on a JDBC store); a transaction that ends rolled
 * back sends none.
 *
 * <p>A <em>guarded</em> write changes its row only if a predicate holds on it ({@code remaining >= units}, a state,
 * an owner). The caller names a guarded write only after checking its predicate in this transaction's snapshot.
 * Under snapshot isolation such a write then applies, or the transaction fails with a conflict because a rival
 * changed the row since the snapshot; never does it silently change nothing. Because the guard is a write, every
 * rival for the same stock, seat, allowance, ticket or listing writes the same row, and only one of them commits.
 * A store that finds a guard false when the write is applied fails the transaction with a
 * {@link io.dhamana.ConflictException} and commits nothing of it.
 *
 * <p>Inserts of the operation log, holds, tickets and listings are strict: a row already under the key fails the
 * transaction with a conflict (the operation was logged by a rival or an earlier attempt; the next attempt reads
 * it). Event provisioning inserts are insert-if-absent. A last-line constraint refusing a write is a
 * {@link ConstraintViolationException}.
 */
public interface Writes {

    // ---------------------------------------------------------------- event provisioning (insert if absent)

    void insertEvent(EventRow event);

    void insertSection(SectionRow section);

    void insertBuckets(List<BucketRow> buckets);

    /** Inserts the seats, each numbered after those its section already has. */
    void insertSeats(List<SeatRow> seats);

    // ---------------------------------------------------------------- the log and money

    /** Appends to the operation log; strict. */
    void insertOperation(OperationRow operation);

    /** Appends money legs; each operation's legs sum to zero. */
    void insertMoney(List<MoneyEntry> entries);

    // ---------------------------------------------------------------- stock and seats

    /** Guarded: {@code remaining = remaining - units WHERE remaining >= units}. */
    void takeUnits(EventId event, SectionId section, int bucket, int units);

    /** {@code remaining = remaining + units}; the bucket must exist. */
    void returnUnits(EventId event, SectionId section, int bucket, int units);

    /** Guarded: {@code state = 'HELD', holder = :hold WHERE state = 'AVAILABLE'}. */
    void claimSeat(EventId event, SectionId section, SeatId seat, HoldId hold);

    /** Guarded: {@code state = :to WHERE holder = :holder AND state = :from}; {@code AVAILABLE} clears the holder. */
    void moveSeat(EventId event, SectionId section, SeatId seat, HoldId holder, SeatState from, SeatState to);

    // ---------------------------------------------------------------- allowances

    /**
     * Makes the buyer verified at the event with this evidence: inserts the allowance ({@code used = 0}) or sets an
     * existing one back to {@code VERIFIED}, keeping {@code used} and its cap.
     */
    void verify(EventId event, BuyerId buyer, String evidence, int cap);

    /** Guarded: {@code status = 'REVOKED' WHERE status = 'VERIFIED'}. */
    void revoke(EventId event, BuyerId buyer);

    /** Guarded: {@code used = used + units WHERE status = 'VERIFIED' AND used + units <= cap}. */
    void chargeAllowance(EventId event, BuyerId buyer, int units);

    /** Guarded: {@code used = used - units WHERE used >= units}, whatever the status. */
    void creditAllowance(EventId event, BuyerId buyer, int units);

    // ---------------------------------------------------------------- holds and tickets

    /** Inserts a hold as given (its times from the store's clock, read in this transaction); strict. */
    void insertHold(HoldRow hold);

    /** Guarded: {@code status = :to WHERE id = :hold AND status = :from} and the expiry condition, by the store's clock. */
    void moveHold(HoldId hold, HoldStatus from, HoldStatus to, Expiry expiry);

    /** Inserts tickets; strict. */
    void insertTickets(List<TicketRow> tickets);

    /**
     * Guarded: {@code owner = :newOwner, state = :to [, code = :newCode] WHERE id = :ticket AND owner = :owner AND
     * state = :from}.
     *
     * @param newCode a new entry code, or empty to keep the current one
     */
    void moveTicket(TicketId ticket, BuyerId owner, TicketState from, TicketState to, BuyerId newOwner,
                    Optional<String> newCode);

    // ---------------------------------------------------------------- resale

    /**
     * Inserts an {@code ACTIVE} listing, deriving its cap from the ticket's face value and the event's resale cap in
     * the store's own rows; strict. An ask above that cap fails the transaction with
     * {@link ConstraintViolationException} ({@link Constraint#ASK_WITHIN_CAP}).
     */
    void insertListing(ListingId listing, TicketId ticket, BuyerId seller, long askMinor);

    /** Guarded: {@code state = :to [, buyer = :buyer] WHERE id = :listing AND state = :from}. */
    void moveListing(ListingId listing, ListingState from, ListingState to, Optional<BuyerId> buyer);
}

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

    /**
     * Inserts the event row, if absent.
     *
     * @param event the event row
     */
    void insertEvent(EventRow event);

    /**
     * Inserts a section row, if absent.
     *
     * @param section the section row
     */
    void insertSection(SectionRow section);

    /**
     * Inserts the buckets that are absent.
     *
     * @param buckets the bucket rows
     */
    void insertBuckets(List<BucketRow> buckets);

    /**
     * Inserts the seats, each numbered after those its section already has.
     *
     * @param seats the seat rows, in declaration order
     */
    void insertSeats(List<SeatRow> seats);

    // ---------------------------------------------------------------- the log and money

    /**
     * Appends to the operation log; strict.
     *
     * @param operation the log row
     */
    void insertOperation(OperationRow operation);

    /**
     * Appends money legs; each operation's legs sum to zero.
     *
     * @param entries the legs
     */
    void insertMoney(List<MoneyEntry> entries);

    // ---------------------------------------------------------------- stock and seats

    /**
     * Guarded: {@code remaining = remaining - units WHERE remaining >= units}.
     *
     * @param event the event
     * @param section the section
     * @param bucket the bucket number
     * @param units the units to take
     */
    void takeUnits(EventId event, SectionId section, int bucket, int units);

    /**
     * {@code remaining = remaining + units}; the bucket must exist.
     *
     * @param event the event
     * @param section the section
     * @param bucket the bucket number
     * @param units the units to give back
     */
    void returnUnits(EventId event, SectionId section, int bucket, int units);

    /**
     * Guarded: {@code state = 'HELD', holder = :hold WHERE state = 'AVAILABLE'}.
     *
     * @param event the event
     * @param section the section
     * @param seat the seat
     * @param hold the hold that claims it
     */
    void claimSeat(EventId event, SectionId section, SeatId seat, HoldId hold);

    /**
     * Guarded: {@code state = :to WHERE holder = :holder AND state = :from}; {@code AVAILABLE} clears the holder.
     *
     * @param event the event
     * @param section the section
     * @param seat the seat
     * @param holder the hold that must hold it
     * @param from the state it must be in
     * @param to the state it moves to
     */
    void moveSeat(EventId event, SectionId section, SeatId seat, HoldId holder, SeatState from, SeatState to);

    // ---------------------------------------------------------------- allowances

    /**
     * Makes the buyer verified at the event with this evidence: inserts the allowance ({@code used = 0}) or sets an
     * existing one back to {@code VERIFIED}, keeping {@code used} and its cap.
     *
     * @param event the event
     * @param buyer the buyer
     * @param evidence what verified the buyer (a URL)
     * @param cap the per-buyer cap, for a new allowance
     */
    void verify(EventId event, BuyerId buyer, String evidence, int cap);

    /**
     * Guarded: {@code status = 'REVOKED' WHERE status = 'VERIFIED'}.
     *
     * @param event the event
     * @param buyer the buyer
     */
    void revoke(EventId event, BuyerId buyer);

    /**
     * Guarded: {@code used = used + units WHERE status = 'VERIFIED' AND used + units <= cap}.
     *
     * @param event the event
     * @param buyer the buyer
     * @param units the units to charge
     */
    void chargeAllowance(EventId event, BuyerId buyer, int units);

    /**
     * Guarded: {@code used = used - units WHERE used >= units}, whatever the status.
     *
     * @param event the event
     * @param buyer the buyer
     * @param units the units to credit
     */
    void creditAllowance(EventId event, BuyerId buyer, int units);

    // ---------------------------------------------------------------- holds and tickets

    /**
     * Inserts a hold as given (its times from the store's clock, read in this transaction); strict.
     *
     * @param hold the hold row, status {@code HELD}
     */
    void insertHold(HoldRow hold);

    /**
     * Guarded: {@code status = :to WHERE id = :hold AND status = :from} and the expiry condition, by the store's clock.
     *
     * @param hold the hold
     * @param from the status it must have
     * @param to the status it moves to
     * @param expiry what its expiry must be, by the store's clock
     */
    void moveHold(HoldId hold, HoldStatus from, HoldStatus to, Expiry expiry);

    /**
     * Inserts tickets; strict.
     *
     * @param tickets the ticket rows
     */
    void insertTickets(List<TicketRow> tickets);

    /**
     * Guarded: {@code owner = :newOwner, state = :to [, code = :newCode] WHERE id = :ticket AND owner = :owner AND
     * state = :from}.
     *
     * @param newCode a new entry code, or empty to keep the current one
     *
     * @param ticket the ticket
     * @param owner the owner it must have
     * @param from the state it must be in
     * @param to the state it moves to
     * @param newOwner its owner after the move
     */
    void moveTicket(TicketId ticket, BuyerId owner, TicketState from, TicketState to, BuyerId newOwner,
                    Optional<String> newCode);

    // ---------------------------------------------------------------- resale

    /**
     * Inserts an {@code ACTIVE} listing, deriving its cap from the ticket's face value and the event's resale cap in
     * the store's own rows; strict. An ask above that cap fails the transaction with
     * {@link ConstraintViolationException} ({@link Constraint#ASK_WITHIN_CAP}).
     *
     * @param listing the listing's id
     * @param ticket the ticket offered
     * @param seller the seller
     * @param askMinor the asking price, in minor units
     */
    void insertListing(ListingId listing, TicketId ticket, BuyerId seller, long askMinor);

    /**
     * Guarded: {@code state = :to [, buyer = :buyer] WHERE id = :listing AND state = :from}.
     *
     * @param listing the listing
     * @param from the state it must be in
     * @param to the state it moves to
     * @param buyer the buyer to record, or empty to keep the current one
     */
    void moveListing(ListingId listing, ListingState from, ListingState to, Optional<BuyerId> buyer);
}

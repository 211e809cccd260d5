package io.dhamana.spi;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.TicketId;
import io.dhamana.TicketState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One transaction of a {@link TicketStore}: snapshot reads and guarded writes, each one statement.
 *
 * <p>Reads see the transaction's snapshot plus its own writes. They never protect an invariant; only guarded
 * writes do. A guarded write returns {@code false} (and writes nothing) when its predicate does not hold. Not
 * thread-safe: a transaction belongs to the thread running its {@link TransactionWork}.
 */
public interface StoreTransaction {

    // ---------------------------------------------------------------- control

    /** Makes the transaction roll back instead of committing when the work returns (used for rejections). */
    void markRollbackOnly();

    /** The store's clock, as this transaction sees it. Hold expiry is judged by this clock, never the client's. */
    Instant now();

    // ---------------------------------------------------------------- snapshot reads

    Optional<EventRow> event(EventId event);

    /** The event's sections in declaration order. */
    List<SectionRow> sections(EventId event);

    /** The section's buckets in bucket order. */
    List<BucketRow> buckets(EventId event, SectionId section);

    Optional<SeatRow> seat(EventId event, SectionId section, SeatId seat);

    /** The section's seats, in the order they were declared. */
    List<SeatRow> seats(EventId event, SectionId section);

    Optional<AllowanceRow> allowance(EventId event, BuyerId buyer);

    /**
     * The allowances of several buyers at one event, in one read where the store can; buyers with no row are
     * absent from the map. By default one {@link #allowance} read each.
     */
    default Map<BuyerId, AllowanceRow> allowances(EventId event, List<BuyerId> buyers) {
        Map<BuyerId, AllowanceRow> out = new HashMap<>();
        for (BuyerId b : buyers) {
            allowance(event, b).ifPresent(r -> out.put(b, r));
        }
        return out;
    }

    Optional<HoldRow> hold(HoldId hold);

    Optional<TicketRow> ticket(TicketId ticket);

    List<TicketRow> ticketsOfHold(HoldId hold);

    /** Tickets the buyer owns at the event, in any state. */
    List<TicketRow> ticketsOfOwner(EventId event, BuyerId owner);

    Optional<ListingRow> listing(ListingId listing);

    Optional<OperationRow> operation(OperationKey key);

    /** Up to {@code limit} holds still {@code HELD} whose expiry has passed by the store's clock. */
    List<HoldRow> expiredHolds(int limit);

    /** Up to {@code limit} holds of the event still {@code HELD}, expired or not (for a bulk release). */
    List<HoldRow> heldHolds(EventId event, int limit);

    /** Up to {@code limit} tickets of the event in state {@code VALID} (for bulk refunds). */
    List<TicketRow> validTickets(EventId event, int limit);

    /**
     * Units held or sold in a section, counted from hold and ticket rows (held units of {@code HELD} holds plus
     * tickets not refunded). Exists for the naive count-then-insert foil and for diagnostics; a count protects
     * nothing under snapshot isolation.
     */
    long activeUnits(EventId event, SectionId section);

    /**
     * Who claims a seat, from rows: the buyer of each {@code HELD} hold on it and the owner of each live (not
     * refunded) ticket for it, one entry per claim. More than one entry is a double booking.
     */
    List<BuyerId> seatClaims(EventId event, SectionId section, SeatId seat);

    // ---------------------------------------------------------------- scans for the audit (one snapshot)
    // Scans are meant for read-only transactions; whether they also see the transaction's own writes is
    // store-specific.

    /** Every event, read in one snapshot (for the audit and tests). */
    void scanEvents(Consumer<EventRow> sink);

    /** Every section, of one event or (empty) of all events. */
    void scanSections(Optional<EventId> event, Consumer<SectionRow> sink);

    void scanBuckets(Optional<EventId> event, Consumer<BucketRow> sink);

    void scanSeats(Optional<EventId> event, Consumer<SeatRow> sink);

    void scanAllowances(Optional<EventId> event, Consumer<AllowanceRow> sink);

    void scanHolds(Optional<EventId> event, Consumer<HoldRow> sink);

    void scanTickets(Optional<EventId> event, Consumer<TicketRow> sink);

    void scanListings(Optional<EventId> event, Consumer<ListingRow> sink);

    void scanOperations(Optional<EventId> event, Consumer<OperationRow> sink);

    /** Money legs; with an event, the legs of operations of that event. */
    void scanMoney(Optional<EventId> event, Consumer<MoneyEntry> sink);

    // ---------------------------------------------------------------- event creation (insert if absent)

    boolean insertEvent(EventRow event);

    boolean insertSection(SectionRow section);

    /** Inserts the buckets that are absent; returns how many were inserted. */
    int insertBuckets(List<BucketRow> buckets);

    /** Inserts the seats that are absent; returns how many were inserted. */
    int insertSeats(List<SeatRow> seats);

    // ---------------------------------------------------------------- guarded writes

    /**
     * {@code remaining = remaining - units WHERE remaining >= units}: takes stock from one bucket.
     *
     * @return whether the bucket had enough and was decremented
     */
    boolean takeUnits(EventId event, SectionId section, int bucket, int units);

    /** {@code remaining = remaining + units}: gives stock back to a bucket. */
    void returnUnits(EventId event, SectionId section, int bucket, int units);

    /** {@code state = 'HELD', holder = :hold WHERE state = 'AVAILABLE'}. */
    boolean claimSeat(EventId event, SectionId section, SeatId seat, HoldId hold);

    /**
     * {@code state = :to WHERE holder = :holder AND state = :from}; moving to {@code AVAILABLE} clears the holder.
     */
    boolean moveSeat(EventId event, SectionId section, SeatId seat, HoldId holder, SeatState from, SeatState to);

    /**
     * Makes the buyer verified at the event with this evidence: inserts the allowance ({@code used = 0}) or sets an
     * existing one back to {@code VERIFIED}, keeping {@code used}.
     *
     * @return the row as written
     */
    AllowanceRow verify(EventId event, BuyerId buyer, String evidence, int cap);

    /** {@code status = 'REVOKED' WHERE status = 'VERIFIED'}. */
    boolean revoke(EventId event, BuyerId buyer);

    /** {@code used = used + units WHERE status = 'VERIFIED' AND used + units <= cap}. */
    boolean chargeAllowance(EventId event, BuyerId buyer, int units);

    /**
     * {@link #chargeAllowance} for several buyers, sent together where the store can (one round trip on
     * PostgreSQL and DSQL); each charge is still its own guarded statement.
     *
     * @param units units to charge, one entry per buyer
     * @return per buyer, whether its guard held
     */
    default boolean[] chargeAllowances(EventId event, List<BuyerId> buyers, int[] units) {
        boolean[] out = new boolean[buyers.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = chargeAllowance(event, buyers.get(i), units[i]);
        }
        return out;
    }

    /** {@code used = used - units WHERE used >= units}, whatever the status. */
    boolean creditAllowance(EventId event, BuyerId buyer, int units);

    /**
     * Inserts the hold if no hold has its id.
     *
     * @return the row as stored, with the store's timestamps; empty if the id was taken
     */
    Optional<HoldRow> insertHold(NewHold hold);

    /**
     * {@link #insertHold} for several holds, in one statement where the store can.
     *
     * @return per hold, in order, the row as stored, or empty if its id was taken
     */
    default List<Optional<HoldRow>> insertHolds(List<NewHold> holds) {
        List<Optional<HoldRow>> out = new ArrayList<>(holds.size());
        for (NewHold h : holds) {
            out.add(insertHold(h));
        }
        return out;
    }

    /** {@code status = :to WHERE id = :hold AND status = :from} and the expiry condition. */
    boolean moveHold(HoldId hold, HoldStatus from, HoldStatus to, Expiry expiry);

    /** Inserts the tickets that are absent; returns how many were inserted. */
    int insertTickets(List<TicketRow> tickets);

    /**
     * {@code owner = :newOwner, state = :to [, code = :newCode] WHERE id = :ticket AND owner = :owner AND state = :from}.
     *
     * @param newCode a new entry code, or empty to keep the current one
     */
    boolean moveTicket(TicketId ticket, BuyerId owner, TicketState from, TicketState to, BuyerId newOwner,
                       Optional<String> newCode);

    /**
     * Inserts an {@code ACTIVE} listing if none has its id, deriving the cap from the ticket's face value and the
     * event's resale cap inside the statement.
     *
     * @return the row as stored; empty if the id was taken
     * @throws ConstraintViolationException with {@link Constraint#ASK_WITHIN_CAP} when the ask is above the cap
     */
    Optional<ListingRow> insertListing(ListingId listing, TicketId ticket, BuyerId seller, long askMinor);

    /** {@code state = :to [, buyer = :buyer] WHERE id = :listing AND state = :from}. */
    boolean moveListing(ListingId listing, ListingState from, ListingState to, Optional<BuyerId> buyer);

    /**
     * Appends to the operation log if no row has this key.
     *
     * @return whether it was inserted; {@code false} means the operation was already done
     */
    boolean insertOperation(OperationRow operation);

    /**
     * {@link #insertOperation} for several operations, sent together where the store can.
     *
     * @return per operation, in order, whether it was inserted
     */
    default boolean[] insertOperations(List<OperationRow> operations) {
        boolean[] out = new boolean[operations.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = insertOperation(operations.get(i));
        }
        return out;
    }

    /** Appends money legs; each operation's legs sum to zero. */
    void insertMoney(List<MoneyEntry> entries);
}

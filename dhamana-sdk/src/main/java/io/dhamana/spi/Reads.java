package io.dhamana.spi;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.ListingId;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SectionId;
import io.dhamana.TicketId;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One round of snapshot reads. Each method names a read and returns its {@link Read}; {@link #fetch()} sends them
 * all at once (one round trip on a JDBC store) and fills every one. The first round of a transaction opens it, so
 * everything a call needs to plan its writes costs one round trip.
 *
 * <p>Reads see the transaction's snapshot. They come before the transaction's writes: asking for a round after a
 * write is an error, so a read never depends on whether a store sends writes at once or with the commit. A read
 * protects nothing; only the guarded writes do.
 */
public interface Reads {

    /** The event row. */
    Read<Optional<EventRow>> event(EventId event);

    /** The event's sections in declaration order. */
    Read<List<SectionRow>> sections(EventId event);

    /** The section's buckets in bucket order. */
    Read<List<BucketRow>> buckets(EventId event, SectionId section);

    /** One bucket. */
    Read<Optional<BucketRow>> bucket(EventId event, SectionId section, int bucket);

    /**
     * Every bucket of the section, in bucket order, but only if bucket {@code first} holds fewer than
     * {@code units}; otherwise an empty list. A hold reads its own bucket and, in the same round, what it needs when
     * that bucket is short; when it is not, the store reads no other bucket (on PostgreSQL at SERIALIZABLE a read of
     * every bucket would make every hold a rival of every other).
     */
    Read<List<BucketRow>> bucketsIfShort(EventId event, SectionId section, int first, int units);

    /** One seat. */
    Read<Optional<SeatRow>> seat(EventId event, SectionId section, SeatId seat);

    /** The section's seats, in the order they were declared. */
    Read<List<SeatRow>> seats(EventId event, SectionId section);

    /** The buyer's allowance at the event. */
    Read<Optional<AllowanceRow>> allowance(EventId event, BuyerId buyer);

    /** Several buyers' allowances at one event; buyers with no row are absent from the map. */
    Read<Map<BuyerId, AllowanceRow>> allowances(EventId event, Collection<BuyerId> buyers);

    /** One hold. */
    Read<Optional<HoldRow>> hold(HoldId hold);

    /** One ticket. */
    Read<Optional<TicketRow>> ticket(TicketId ticket);

    /** The tickets a hold was confirmed into. */
    Read<List<TicketRow>> ticketsOfHold(HoldId hold);

    /** Tickets the buyer owns at the event, in any state. */
    Read<List<TicketRow>> ticketsOfOwner(EventId event, BuyerId owner);

    /** One listing. */
    Read<Optional<ListingRow>> listing(ListingId listing);

    /** The ticket a listing offers, in the same round as the listing itself. */
    Read<Optional<TicketRow>> ticketOfListing(ListingId listing);

    /** The operation-log row under this key. */
    Read<Optional<OperationRow>> operation(OperationKey key);

    /** Up to {@code limit} holds still {@code HELD} whose expiry has passed by the store's clock. */
    Read<List<HoldRow>> expiredHolds(int limit);

    /** Up to {@code limit} holds of the event still {@code HELD}, expired or not (for a bulk release). */
    Read<List<HoldRow>> heldHolds(EventId event, int limit);

    /** Up to {@code limit} tickets of the event in state {@code VALID} (for bulk refunds). */
    Read<List<TicketRow>> validTickets(EventId event, int limit);

    /**
     * Who claims a seat, from rows: the buyer of each {@code HELD} hold on it and the owner of each live (not
     * refunded) ticket for it, one entry per claim. More than one entry is a double booking.
     */
    Read<List<BuyerId>> seatClaims(EventId event, SectionId section, SeatId seat);

    /**
     * Units held or sold in a section, counted from hold and ticket rows. For the naive count-then-insert foil and
     * diagnostics: a count protects nothing under snapshot isolation.
     */
    Read<Long> activeUnits(EventId event, SectionId section);

    /**
     * Sends every read named since the last fetch (one round trip on a JDBC store) and fills their values.
     *
     * @throws IllegalStateException if the transaction has written already
     */
    void fetch();
}

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

    /**
     * The event row.
     *
     * @param event the event
     * @return the event row, if there is one
     */
    Read<Optional<EventRow>> event(EventId event);

    /**
     * The event's sections in declaration order.
     *
     * @param event the event
     * @return its sections
     */
    Read<List<SectionRow>> sections(EventId event);

    /**
     * The section's buckets in bucket order.
     *
     * @param event the event
     * @param section the section
     * @return its buckets
     */
    Read<List<BucketRow>> buckets(EventId event, SectionId section);

    /**
     * One bucket.
     *
     * @param event the event
     * @param section the section
     * @param bucket the bucket number, from 0
     * @return the bucket, if there is one
     */
    Read<Optional<BucketRow>> bucket(EventId event, SectionId section, int bucket);

    /**
     * Every bucket of the section, in bucket order, but only if bucket {@code first} holds fewer than
     * {@code units}; otherwise an empty list. A hold reads its own bucket and, in the same round, what it needs when
     * that bucket is short; when it is not, the store reads no other bucket (on PostgreSQL at SERIALIZABLE a read of
     * every bucket would make every hold a rival of every other).
     *
     * @param event the event
     * @param section the section
     * @param first the bucket the hold starts from
     * @param units the units the hold wants
     * @return every bucket of the section, or an empty list when {@code first} holds enough
     */
    Read<List<BucketRow>> bucketsIfShort(EventId event, SectionId section, int first, int units);

    /**
     * One seat.
     *
     * @param event the event
     * @param section the section
     * @param seat the seat
     * @return the seat, if there is one
     */
    Read<Optional<SeatRow>> seat(EventId event, SectionId section, SeatId seat);

    /**
     * The section's seats, in the order they were declared.
     *
     * @param event the event
     * @param section the section
     * @return its seats
     */
    Read<List<SeatRow>> seats(EventId event, SectionId section);

    /**
     * The buyer's allowance at the event.
     *
     * @param event the event
     * @param buyer the buyer
     * @return the allowance, if the buyer was ever verified at the event
     */
    Read<Optional<AllowanceRow>> allowance(EventId event, BuyerId buyer);

    /**
     * Several buyers' allowances at one event; buyers with no row are absent from the map.
     *
     * @param event the event
     * @param buyers the buyers
     * @return each buyer's allowance, by buyer
     */
    Read<Map<BuyerId, AllowanceRow>> allowances(EventId event, Collection<BuyerId> buyers);

    /**
     * One hold.
     *
     * @param hold the hold
     * @return the hold, if there is one
     */
    Read<Optional<HoldRow>> hold(HoldId hold);

    /**
     * One ticket.
     *
     * @param ticket the ticket
     * @return the ticket, if there is one
     */
    Read<Optional<TicketRow>> ticket(TicketId ticket);

    /**
     * The tickets a hold was confirmed into.
     *
     * @param hold the hold
     * @return its tickets, none if it was never confirmed
     */
    Read<List<TicketRow>> ticketsOfHold(HoldId hold);

    /**
     * Tickets the buyer owns at the event, in any state.
     *
     * @param event the event
     * @param owner the owner
     * @return the tickets
     */
    Read<List<TicketRow>> ticketsOfOwner(EventId event, BuyerId owner);

    /**
     * One listing.
     *
     * @param listing the listing
     * @return the listing, if there is one
     */
    Read<Optional<ListingRow>> listing(ListingId listing);

    /**
     * The ticket a listing offers, in the same round as the listing itself.
     *
     * @param listing the listing
     * @return its ticket, if the listing exists
     */
    Read<Optional<TicketRow>> ticketOfListing(ListingId listing);

    /**
     * The operation-log row under this key.
     *
     * @param key the operation's idempotency key
     * @return the log row, if the operation was done
     */
    Read<Optional<OperationRow>> operation(OperationKey key);

    /**
     * Up to {@code limit} holds still {@code HELD} whose expiry has passed by the store's clock.
     *
     * @param limit the most rows to read
     * @return the lapsed holds, oldest expiry first
     */
    Read<List<HoldRow>> expiredHolds(int limit);

    /**
     * Up to {@code limit} holds of the event still {@code HELD}, expired or not (for a bulk release).
     *
     * @param event the event
     * @param limit the most rows to read
     * @return the holds
     */
    Read<List<HoldRow>> heldHolds(EventId event, int limit);

    /**
     * Up to {@code limit} tickets of the event in state {@code VALID} (for bulk refunds).
     *
     * @param event the event
     * @param limit the most rows to read
     * @return the tickets
     */
    Read<List<TicketRow>> validTickets(EventId event, int limit);

    /**
     * Who claims a seat, from rows: the buyer of each {@code HELD} hold on it and the owner of each live (not
     * refunded) ticket for it, one entry per claim. More than one entry is a double booking.
     *
     * @param event the event
     * @param section the section
     * @param seat the seat
     * @return one entry per claim
     */
    Read<List<BuyerId>> seatClaims(EventId event, SectionId section, SeatId seat);

    /**
     * Units held or sold in a section, counted from hold and ticket rows. For the naive count-then-insert foil and
     * diagnostics: a count protects nothing under snapshot isolation.
     *
     * @param event the event
     * @param section the section
     * @return the units held or sold
     */
    Read<Long> activeUnits(EventId event, SectionId section);

    /**
     * Sends every read named since the last fetch (one round trip on a JDBC store) and fills their values.
     *
     * @throws IllegalStateException if the transaction has written already
     */
    void fetch();
}

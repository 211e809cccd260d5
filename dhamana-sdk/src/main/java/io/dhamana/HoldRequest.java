package io.dhamana;

import io.dhamana.internal.Checks;

import java.time.Duration;
import java.util.Optional;

/**
 * A request to hold units of a general-admission section or one named seat. Immutable; repeat the same request
 * (with the same {@link #holdId()}) to retry it safely.
 *
 * @param event   the event
 * @param section the section
 * @param seat    the seat to hold, for reserved seating; empty for general admission
 * @param buyer   who holds
 * @param units   how many units (1 for a seat)
 * @param ttl     how long the hold lasts unless confirmed; empty for the client's default
 * @param holdId  the id (and idempotency key) to use; empty to let the client choose
 */
public record HoldRequest(EventId event, SectionId section, Optional<SeatId> seat, BuyerId buyer, int units,
                          Optional<Duration> ttl, Optional<HoldId> holdId) {

    /**
     * @param event the event
     * @param section the section
     * @param seat the seat to hold, for reserved seating; empty for general admission
     * @param buyer who holds
     * @param units how many units (1 for a seat)
     * @param ttl how long the hold lasts unless confirmed; empty for the client's default
     * @param holdId the id (and idempotency key) to use; empty to let the client choose
     * @throws InvalidRequestException if a value is missing or out of range
     */
    public HoldRequest {
        Checks.notNull("event", event);
        Checks.notNull("section", section);
        Checks.notNull("seat", seat);
        Checks.notNull("buyer", buyer);
        Checks.range("units", units, 1, Limits.MAX_UNITS_PER_HOLD);
        if (seat.isPresent() && units != 1) {
            throw new InvalidRequestException("units", "must be 1 for a named seat, was " + units);
        }
        Checks.notNull("ttl", ttl);
        ttl.ifPresent(d -> Checks.duration("ttl", d, Limits.MIN_HOLD_TTL, Limits.MAX_HOLD_TTL));
        Checks.notNull("holdId", holdId);
    }

    /**
     * Hold {@code units} units of a general-admission section.
     *
     * @param event the event
     * @param section the section
     * @param buyer the buyer
     * @param units how many units (at least 1)
     * @return the request, with the client's default time to live and a hold id the client chooses
     */
    public static HoldRequest units(EventId event, SectionId section, BuyerId buyer, int units) {
        return new HoldRequest(event, section, Optional.empty(), buyer, units, Optional.empty(), Optional.empty());
    }

    /**
     * Hold one named seat of a reserved-seating section.
     *
     * @param event the event
     * @param section the section
     * @param seat the named seat
     * @param buyer the buyer
     * @return the request, with the client's default time to live and a hold id the client chooses
     */
    public static HoldRequest seat(EventId event, SectionId section, SeatId seat, BuyerId buyer) {
        return new HoldRequest(event, section, Optional.of(Checks.notNull("seat", seat)), buyer, 1, Optional.empty(),
                Optional.empty());
    }

    /**
     * The same request with this time to live.
     *
     * @param ttl how long a hold lasts unless confirmed (1 s to 24 h)
     * @return a new request
     */
    public HoldRequest withTtl(Duration ttl) {
        return new HoldRequest(event, section, seat, buyer, units, Optional.of(Checks.notNull("ttl", ttl)), holdId);
    }

    /**
     * The same request with a caller-chosen hold id, for retries across processes.
     *
     * @param id the hold id to use; repeating a request with it returns the first outcome
     * @return a new request
     */
    public HoldRequest withHoldId(HoldId id) {
        return new HoldRequest(event, section, seat, buyer, units, ttl, Optional.of(Checks.notNull("holdId", id)));
    }
}

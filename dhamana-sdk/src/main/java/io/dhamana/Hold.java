package io.dhamana;

import io.dhamana.internal.Checks;

import java.time.Instant;
import java.util.Optional;

/**
 * Units of a general-admission section, or one named seat, set aside for a buyer.
 *
 * @param id             the hold's id (also the idempotency key of the call that made it)
 * @param event          the event
 * @param section        the section
 * @param seat           the named seat, for reserved seating
 * @param buyer          who holds it
 * @param units          how many units (1 for a seat)
 * @param status         where it is in its life
 * @param createdAt      when it was made, by the store's clock
 * @param expiresAt      when it lapses unless confirmed, by the store's clock
 * @param unitPriceMinor the price of one unit, in minor units
 */
public record Hold(HoldId id, EventId event, SectionId section, Optional<SeatId> seat, BuyerId buyer, int units,
                   HoldStatus status, Instant createdAt, Instant expiresAt, long unitPriceMinor) {
    /**
     * Creates the value; lists are copied, so it stays immutable.
     *
     * @param id the hold's id (also the idempotency key of the call that made it)
     * @param event the event
     * @param section the section
     * @param seat the named seat, for reserved seating
     * @param buyer who holds it
     * @param units how many units (1 for a seat)
     * @param status where it is in its life
     * @param createdAt when it was made, by the store's clock
     * @param expiresAt when it lapses unless confirmed, by the store's clock
     * @param unitPriceMinor the price of one unit, in minor units
     * @throws InvalidRequestException if a value is null or out of the range a hold request allows
     */
    public Hold {
        Checks.notNull("hold id", id);
        Checks.notNull("event", event);
        Checks.notNull("section", section);
        Checks.notNull("seat", seat);
        Checks.notNull("buyer", buyer);
        Checks.range("units", units, 1, seat.isPresent() ? 1 : Limits.MAX_UNITS_PER_HOLD);
        Checks.notNull("status", status);
        Checks.notNull("createdAt", createdAt);
        Checks.notNull("expiresAt", expiresAt);
        Checks.price("unitPriceMinor", unitPriceMinor);
    }

    /**
     * What confirming the hold costs.
     *
     * @return units times the unit price, in minor units
     */
    public long totalPriceMinor() {
        return unitPriceMinor * units;
    }
}

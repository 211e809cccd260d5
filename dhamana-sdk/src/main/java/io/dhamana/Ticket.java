package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.Optional;

/**
 * One confirmed unit or seat.
 *
 * @param id             the ticket's id
 * @param event          the event
 * @param section        the section
 * @param seat           the named seat, for reserved seating
 * @param hold           the hold it was confirmed from
 * @param owner          its one owner
 * @param state          its state
 * @param code           the entry code; rotated on every change of owner so a seller's copy stops working
 * @param faceValueMinor its face value, in minor units
 */
public record Ticket(TicketId id, EventId event, SectionId section, Optional<SeatId> seat, HoldId hold, BuyerId owner,
                     TicketState state, String code, long faceValueMinor) {
    /**
     * Creates the value; lists are copied, so it stays immutable.
     *
     * @param id the ticket's id
     * @param event the event
     * @param section the section
     * @param seat the named seat, for reserved seating
     * @param hold the hold it was confirmed from
     * @param owner its one owner
     * @param state its state
     * @param code the entry code; rotated on every change of owner so a seller's copy stops working
     * @param faceValueMinor its face value, in minor units
     * @throws InvalidRequestException if a value is null, or the face value is out of the range a price allows
     */
    public Ticket {
        Checks.notNull("ticket id", id);
        Checks.notNull("event", event);
        Checks.notNull("section", section);
        Checks.notNull("seat", seat);
        Checks.notNull("hold", hold);
        Checks.notNull("owner", owner);
        Checks.notNull("state", state);
        Checks.notNull("code", code);
        Checks.price("faceValueMinor", faceValueMinor);
    }

    /** Hides the entry code, which is a bearer credential. */
    @Override
    public String toString() {
        return "Ticket[id=" + id + ", event=" + event + ", section=" + section + ", seat=" + seat.map(SeatId::value)
                .orElse("-") + ", owner=" + owner + ", state=" + state + ", faceValueMinor=" + faceValueMinor + "]";
    }
}

package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.Optional;

/**
 * A ticket offered for resale.
 *
 * @param id       the listing's id
 * @param ticket   the ticket offered
 * @param event    its event
 * @param seller   who listed it
 * @param askMinor the asking price, in minor units
 * @param capMinor the highest ask the event allows for this ticket
 * @param state    its state
 * @param buyer    who bought it, once sold
 */
public record Listing(ListingId id, TicketId ticket, EventId event, BuyerId seller, long askMinor, long capMinor,
                      ListingState state, Optional<BuyerId> buyer) {
    /**
     * Creates the value; lists are copied, so it stays immutable.
     *
     * @param id the listing's id
     * @param ticket the ticket offered
     * @param event its event
     * @param seller who listed it
     * @param askMinor the asking price, in minor units
     * @param capMinor the highest ask the event allows for this ticket
     * @param state its state
     * @param buyer who bought it, once sold
     * @throws InvalidRequestException if a value is null, or a price is out of the range a listing allows
     */
    public Listing {
        Checks.notNull("listing id", id);
        Checks.notNull("ticket", ticket);
        Checks.notNull("event", event);
        Checks.notNull("seller", seller);
        Checks.range("askMinor", askMinor, 1, Limits.MAX_PRICE_MINOR);
        Checks.notNegative("capMinor", capMinor);
        Checks.notNull("state", state);
        Checks.notNull("buyer", buyer);
    }
}

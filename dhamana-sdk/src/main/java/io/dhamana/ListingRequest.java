package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.Optional;

/**
 * A request to offer a confirmed ticket for resale.
 *
 * @param ticket    the ticket
 * @param seller    its owner
 * @param askMinor  the asking price in minor units; the store refuses an ask above the event's resale cap
 * @param listingId the id (and idempotency key) to use; empty to let the client choose
 */
public record ListingRequest(TicketId ticket, BuyerId seller, long askMinor, Optional<ListingId> listingId) {

    /**
     * @param ticket the ticket
     * @param seller its owner
     * @param askMinor the asking price in minor units; the store refuses an ask above the event's resale cap
     * @param listingId the id (and idempotency key) to use; empty to let the client choose
     * @throws InvalidRequestException if a value is missing, the ask is below 1 or above {@link Limits#MAX_PRICE_MINOR}
     */
    public ListingRequest {
        Checks.notNull("ticket", ticket);
        Checks.notNull("seller", seller);
        Checks.range("askMinor", askMinor, 1, Limits.MAX_PRICE_MINOR);
        Checks.notNull("listingId", listingId);
    }

    /**
     * List {@code ticket} at {@code askMinor}.
     *
     * @param ticket the ticket's id
     * @param seller the ticket's owner
     * @param askMinor the asking price, in minor units
     * @return the request, with a listing id the client chooses
     */
    public static ListingRequest of(TicketId ticket, BuyerId seller, long askMinor) {
        return new ListingRequest(ticket, seller, askMinor, Optional.empty());
    }

    /**
     * The same request with a caller-chosen listing id.
     *
     * @param id the listing id to use; repeating a request with it returns the first outcome
     * @return a new request
     */
    public ListingRequest withListingId(ListingId id) {
        return new ListingRequest(ticket, seller, askMinor, Optional.of(Checks.notNull("listingId", id)));
    }
}

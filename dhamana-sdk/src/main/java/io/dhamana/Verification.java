package io.dhamana;

import io.dhamana.internal.Checks;

import java.net.URI;

/**
 * A buyer's standing at one event: verified (with evidence) or revoked, and how much of the per-buyer cap is used.
 *
 * @param event    the event
 * @param buyer    the buyer
 * @param status   verified or revoked
 * @param evidence where the proof of verification lives
 * @param used     units held or owned now, plus tickets sold on resale whose sale has not settled (see
 *                 {@link TicketingClient#buyListing})
 * @param cap      the most units this buyer may hold or own at the event
 */
public record Verification(EventId event, BuyerId buyer, VerificationStatus status, URI evidence, int used, int cap) {
    /**
     * Creates the value; lists are copied, so it stays immutable.
     *
     * @param event the event
     * @param buyer the buyer
     * @param status verified or revoked
     * @param evidence where the proof of verification lives
     * @param used units held or owned now
     * @param cap the most units this buyer may hold or own at the event
     * @throws InvalidRequestException if a value is null, or a count is negative or beyond the cap's limit
     */
    public Verification {
        Checks.notNull("event", event);
        Checks.notNull("buyer", buyer);
        Checks.notNull("status", status);
        Checks.notNull("evidence", evidence);
        Checks.range("used", used, 0, Limits.MAX_PER_BUYER_CAP);
        Checks.range("cap", cap, 1, Limits.MAX_PER_BUYER_CAP);
    }
}

package io.dhamana.spi;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.TicketId;

import java.util.Optional;

/**
 * A row of {@code listing}; while {@code SOLD} it also stands for the escrow holding the price.
 *
 * @param capMinor the highest ask allowed, derived by the store from the ticket's face value and the event's cap
 */
public record ListingRow(ListingId id, TicketId ticket, EventId event, BuyerId seller, long askMinor, long capMinor,
                         ListingState state, Optional<BuyerId> buyer) {}

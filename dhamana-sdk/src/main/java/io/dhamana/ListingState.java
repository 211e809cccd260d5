package io.dhamana;

/** A resale listing's state: {@code ACTIVE → SOLD → SETTLED | REFUNDED}, or {@code ACTIVE → WITHDRAWN}. */
public enum ListingState {
    /** Open to verified buyers. */
    ACTIVE,
    /** Bought; the price is in escrow and the ticket is the buyer's. */
    SOLD,
    /** Escrow paid out to the seller. */
    SETTLED,
    /** Sale cancelled: escrow returned to the buyer and the ticket to the seller. */
    REFUNDED,
    /** Taken off sale by the seller before anyone bought it. */
    WITHDRAWN
}

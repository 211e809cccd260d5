package io.dhamana;

/** A ticket's state: {@code VALID ⇄ LISTED → IN_ESCROW → VALID} (new owner or back to the seller), or {@code REFUNDED}. */
public enum TicketState {
    /** Owned and usable. */
    VALID,
    /** Offered for resale; still owned by the seller. */
    LISTED,
    /** Bought on resale; owned by the buyer while the money waits in escrow. */
    IN_ESCROW,
    /** Refunded; its unit or seat went back on sale. */
    REFUNDED
}

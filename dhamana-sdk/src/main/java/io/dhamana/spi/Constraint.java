package io.dhamana.spi;

/** The last-line-of-defence constraints every store enforces on its rows, whatever the recipes do. */
public enum Constraint {
    /** {@code stock_bucket.remaining >= 0}. */
    STOCK_NOT_NEGATIVE,
    /** {@code allowance.used <= allowance.cap} and {@code used >= 0}. */
    ALLOWANCE_WITHIN_CAP,
    /** A listing's ask is at most its cap, which the store derives from the ticket's face value and the event. */
    ASK_WITHIN_CAP,
    /** At most one live ticket per named seat. */
    ONE_TICKET_PER_SEAT,
    /** At most one active listing per ticket. */
    ONE_ACTIVE_LISTING
}

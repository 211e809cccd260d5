package io.dhamana;

import java.util.Locale;

/** The operations the client performs; named in listener callbacks, metrics and exceptions. */
public enum Operation {
    /** {@link TicketingClient#createEvent}. */
    CREATE_EVENT,
    /** {@link TicketingClient#verifyFan}. */
    VERIFY_FAN,
    /** {@link TicketingClient#revokeFan}. */
    REVOKE_FAN,
    /** {@link TicketingClient#hold}. */
    HOLD,
    /** {@link TicketingClient#release} and {@link TicketingClient#releaseHolds}. */
    RELEASE,
    /** {@link TicketingClient#confirm}. */
    CONFIRM,
    /** {@link TicketingClient#refund} and {@link TicketingClient#refundAll}. */
    REFUND,
    /** {@link TicketingClient#expireHolds}, also from the background sweep. */
    EXPIRE_HOLDS,
    /** {@link TicketingClient#listForResale}. */
    LIST_FOR_RESALE,
    /** {@link TicketingClient#withdrawListing}. */
    WITHDRAW_LISTING,
    /** {@link TicketingClient#buyListing}. */
    BUY_LISTING,
    /** {@link TicketingClient#settle}. */
    SETTLE,
    /** {@link TicketingClient#cancelSale}. */
    CANCEL_SALE,
    /** A read-only query, and the reads a mutating call makes first. */
    QUERY,
    /** {@link TicketingClient#audit()}. */
    AUDIT;

    /**
     * Lower-case, dash-separated name, for messages.
     *
     * @return the label, for example {@code list-for-resale}
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Whether the operation changes the store.
     *
     * @return false for queries and audits, true otherwise
     */
    public boolean isMutating() {
        return this != QUERY && this != AUDIT;
    }
}

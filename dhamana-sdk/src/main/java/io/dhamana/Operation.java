package io.dhamana;

import java.util.Locale;

/** The operations the client performs; named in listener callbacks, metrics and exceptions. */
public enum Operation {
    CREATE_EVENT,
    VERIFY_FAN,
    REVOKE_FAN,
    HOLD,
    RELEASE,
    CONFIRM,
    REFUND,
    EXPIRE_HOLDS,
    LIST_FOR_RESALE,
    WITHDRAW_LISTING,
    BUY_LISTING,
    SETTLE,
    CANCEL_SALE,
    QUERY,
    AUDIT;

    /** Lower-case, dash-separated name, for messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the operation changes the store. */
    public boolean isMutating() {
        return this != QUERY && this != AUDIT;
    }
}

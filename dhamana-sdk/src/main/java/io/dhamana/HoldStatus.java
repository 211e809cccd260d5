package io.dhamana;

/** Where a hold is in its life: {@code HELD → CONFIRMED}, or {@code HELD → RELEASED | EXPIRED}. */
public enum HoldStatus {
    /** Units or a seat are set aside for the buyer until the hold expires. */
    HELD,
    /** Paid: the hold became tickets. */
    CONFIRMED,
    /** Given back by the buyer before it expired. */
    RELEASED,
    /** Its time to live ran out and its units or seat went back on sale. */
    EXPIRED
}

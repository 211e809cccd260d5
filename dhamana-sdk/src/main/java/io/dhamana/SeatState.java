package io.dhamana;

/** A named seat's state. */
public enum SeatState {
    /** On sale. */
    AVAILABLE,
    /** Held by one buyer until confirmed, released or expired. */
    HELD,
    /** Confirmed: a live ticket owns it. */
    SOLD
}

package io.dhamana;

/** A named seat's state. */
public enum SeatState {
    AVAILABLE,
    HELD,
    SOLD
}

package io.dhamana;

import io.dhamana.internal.Checks;

/**
 * Identifies a seat: 1 to 64 characters, letters, digits and {@code . _ : @ + -}, starting with a letter or digit.
 * Chosen by the caller.
 *
 * @param value the identifier text
 */
public record SeatId(String value) implements Comparable<SeatId> {
    /**
     * @param value the identifier text
     * @throws InvalidRequestException if the value is null, blank, too long or holds other characters
     */
    public SeatId {
        Checks.id("seatId", value);
    }

    /**
     * Same as the constructor; reads better at call sites.
     *
     * @param value the seat's name, such as {@code A-7}
     * @return the id
     */
    public static SeatId of(String value) {
        return new SeatId(value);
    }

    @Override
    public int compareTo(SeatId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

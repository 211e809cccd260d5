package io.dhamana;

import io.dhamana.internal.Checks;

/**
 * A named seat and its state.
 *
 * @param id    the seat's id, for example {@code A-7}
 * @param state available, held or sold
 */
public record Seat(SeatId id, SeatState state) {
    /**
     * Checks the values.
     *
     * @param id the seat's id, for example {@code A-7}
     * @param state available, held or sold
     * @throws InvalidRequestException if a value is null
     */
    public Seat {
        Checks.notNull("seat id", id);
        Checks.notNull("state", state);
    }
}

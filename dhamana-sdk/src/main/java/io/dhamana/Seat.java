package io.dhamana;

/**
 * A named seat and its state.
 *
 * @param id    the seat's id, for example {@code A-7}
 * @param state available, held or sold
 */
public record Seat(SeatId id, SeatState state) {}

package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.ArrayList;
import java.util.List;

/** Helpers that name seats. */
public final class SeatMap {
    /** Rows A to Z, then AA to ZZ. */
    private static final int MAX_ROWS = 26 + 26 * 26;

    private SeatMap() {}

    /**
     * Seats of a rectangular block: rows {@code A, B, ...} (then {@code AA, AB, ...}) and numbers from 1, named
     * {@code A-1 ... A-12, B-1 ...}.
     *
     * @param rows rows, named A, B, ... Z, AA, AB...
     * @param seatsPerRow seats per row, numbered from 1
     * @return the seats, row by row, such as ... B-1
     * @throws InvalidRequestException if rows or seats per row are below 1, or the block is too big
     */
    public static List<SeatId> grid(int rows, int seatsPerRow) {
        Checks.range("rows", rows, 1, MAX_ROWS);
        Checks.range("seatsPerRow", seatsPerRow, 1, Limits.MAX_SEATS_PER_SECTION);
        if ((long) rows * seatsPerRow > Limits.MAX_SEATS_PER_SECTION) {
            throw new InvalidRequestException("rows x seatsPerRow",
                    "must be at most " + Limits.MAX_SEATS_PER_SECTION + ", was " + (long) rows * seatsPerRow);
        }
        List<SeatId> seats = new ArrayList<>(rows * seatsPerRow);
        for (int r = 0; r < rows; r++) {
            String row = rowName(r);
            for (int n = 1; n <= seatsPerRow; n++) {
                seats.add(new SeatId(row + "-" + n));
            }
        }
        return List.copyOf(seats);
    }

    /**
     * The name of the row with this zero-based index: A..Z, then AA..ZZ.
     *
     * @param index the row's 0-based index
     * @return the row's name: A to Z, then AA, AB...
     * @throws InvalidRequestException if {@code index} is negative or beyond ZZ (701)
     */
    public static String rowName(int index) {
        Checks.range("index", index, 0, MAX_ROWS - 1);
        return index < 26
                ? String.valueOf((char) ('A' + index))
                : String.valueOf((char) ('A' + index / 26 - 1)) + (char) ('A' + index % 26);
    }
}

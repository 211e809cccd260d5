package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.HashSet;
import java.util.List;

/** A section to create, as part of an {@link EventSpec}. */
public sealed interface SectionSpec {

    /**
     * The section's id.
     *
     * @return the id
     */
    SectionId id();

    /**
     * Its face value per unit or seat, in minor units.
     *
     * @return the face value, in minor units
     */
    long faceValueMinor();

    /**
     * A general-admission section: {@code capacity} interchangeable units split as evenly as possible over
     * {@code buckets} stock rows, so concurrent holds write different rows.
     */
    record GeneralAdmission(SectionId id, int capacity, int buckets, long faceValueMinor) implements SectionSpec {
        /**
         * @param id the section's id, unique within its event
         * @param capacity the number of interchangeable units
         * @param buckets the stock rows the capacity is split over; not above the capacity
         * @param faceValueMinor the price of one unit or seat, in minor units
         * @throws InvalidRequestException if a value is out of range or buckets exceed capacity
         */
        public GeneralAdmission {
            Checks.notNull("section id", id);
            Checks.range("capacity", capacity, 1, Limits.MAX_SECTION_CAPACITY);
            Checks.range("buckets", buckets, 1, Limits.MAX_BUCKETS);
            if (buckets > capacity) {
                throw new InvalidRequestException("buckets",
                        "must not exceed the capacity (" + capacity + "), was " + buckets);
            }
            Checks.price("faceValueMinor", faceValueMinor);
        }
    }

    /** A reserved-seating section: each named seat is sold once. */
    record ReservedSeating(SectionId id, List<SeatId> seats, long faceValueMinor) implements SectionSpec {
        /**
         * @param id the section's id, unique within its event
         * @param seats the named seats, each sold once
         * @param faceValueMinor the price of one unit or seat, in minor units
         * @throws InvalidRequestException if there are no seats, too many, a null or a duplicate
         */
        public ReservedSeating {
            Checks.notNull("section id", id);
            Checks.notNull("seats", seats);
            if (seats.isEmpty()) {
                throw new InvalidRequestException("seats", "must name at least one seat");
            }
            if (seats.size() > Limits.MAX_SEATS_PER_SECTION) {
                throw new InvalidRequestException("seats",
                        "must name at most " + Limits.MAX_SEATS_PER_SECTION + " seats, was " + seats.size());
            }
            var seen = new HashSet<SeatId>();
            for (SeatId seat : seats) {
                Checks.notNull("seat", seat);
                if (!seen.add(seat)) {
                    throw new InvalidRequestException("seats", "names seat " + seat + " twice");
                }
            }
            seats = List.copyOf(seats);
            Checks.price("faceValueMinor", faceValueMinor);
        }
    }
}

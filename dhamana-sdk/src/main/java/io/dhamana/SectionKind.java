package io.dhamana;

/** How a section sells. */
public enum SectionKind {
    /** A capacity of interchangeable units, split over stock buckets. */
    GENERAL_ADMISSION,
    /** Named seats, each sold once. */
    RESERVED_SEATING
}

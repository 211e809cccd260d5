package io.dhamana;

import io.dhamana.internal.Checks;

/**
 * A section of an event as the store holds it.
 *
 * @param id             the section's id, unique within its event
 * @param kind           general admission or reserved seating
 * @param capacity       units (general admission) or seats (reserved)
 * @param buckets        stock buckets the capacity is split over (1 for reserved seating)
 * @param faceValueMinor the price of one unit or seat, in minor currency units
 */
public record Section(SectionId id, SectionKind kind, int capacity, int buckets, long faceValueMinor) {
    /**
     * Creates the value; lists are copied, so it stays immutable.
     *
     * @param id the section's id, unique within its event
     * @param kind general admission or reserved seating
     * @param capacity units (general admission) or seats (reserved)
     * @param buckets stock buckets the capacity is split over (1 for reserved seating)
     * @param faceValueMinor the price of one unit or seat, in minor currency units
     * @throws InvalidRequestException if a value is null or out of the range {@link SectionSpec} allows
     */
    public Section {
        Checks.notNull("section id", id);
        Checks.notNull("section kind", kind);
        Checks.range("capacity", capacity, 1, Limits.MAX_SECTION_CAPACITY);
        Checks.range("buckets", buckets, 1, Math.min(capacity, Limits.MAX_BUCKETS));
        Checks.price("faceValueMinor", faceValueMinor);
    }
}

package io.dhamana.spi;

import io.dhamana.EventId;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;

/**
 * A row of {@code section}. Immutable once written.
 *
 * @param ordinal the section's position in the event spec, so sections read back in declaration order
 */
public record SectionRow(EventId event, SectionId section, SectionKind kind, int capacity, int buckets,
                         long faceValueMinor, int ordinal) {}

package io.dhamana;

import io.dhamana.internal.Checks;

/**
 * Identifies a section: 1 to 64 characters, letters, digits and {@code . _ : @ + -}, starting with a letter or digit.
 * Chosen by the caller.
 *
 * @param value the identifier text
 */
public record SectionId(String value) implements Comparable<SectionId> {
    /**
     * @param value the identifier text
     * @throws InvalidRequestException if the value is null, blank, too long or holds other characters
     */
    public SectionId {
        Checks.id("sectionId", value);
    }

    /**
     * Same as the constructor; reads better at call sites.
     *
     * @param value the section's id, unique within its event
     * @return the id
     */
    public static SectionId of(String value) {
        return new SectionId(value);
    }

    @Override
    public int compareTo(SectionId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

package io.dhamana;

import io.dhamana.internal.Checks;

/**
 * Identifies a event: 1 to 64 characters, letters, digits and {@code . _ : @ + -}, starting with a letter or digit.
 * Chosen by the caller.
 *
 * @param value the identifier text
 */
public record EventId(String value) implements Comparable<EventId> {
    /**
     * @param value the identifier text
     * @throws InvalidRequestException if the value is null, blank, too long or holds other characters
     */
    public EventId {
        Checks.id("eventId", value);
    }

    /**
     * Same as the constructor; reads better at call sites.
     *
     * @param value the event's id: 1 to 200 characters, no control characters
     * @return the id
     */
    public static EventId of(String value) {
        return new EventId(value);
    }

    @Override
    public int compareTo(EventId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

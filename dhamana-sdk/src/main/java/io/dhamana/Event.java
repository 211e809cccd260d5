package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.List;
import java.util.Optional;

/**
 * An event as the store holds it.
 *
 * @param id           the event's id
 * @param name         its display name
 * @param perBuyerCap  the most units one buyer may hold or own at this event
 * @param resaleCapBps the highest resale ask, in basis points of face value (11,000 = 110%)
 * @param sections     its sections, in the order they were declared
 */
public record Event(EventId id, String name, int perBuyerCap, int resaleCapBps, List<Section> sections) {
    /**
     * Creates the value; lists are copied, so it stays immutable.
     *
     * @param id the event's id
     * @param name its display name
     * @param perBuyerCap the most units one buyer may hold or own at this event
     * @param resaleCapBps the highest resale ask, in basis points of face value (11,000 = 110%)
     * @param sections its sections, in the order they were declared
     * @throws InvalidRequestException if a value is null or out of the range {@link EventSpec} allows
     */
    public Event {
        Checks.notNull("event id", id);
        Checks.notNull("name", name);
        Checks.range("perBuyerCap", perBuyerCap, 1, Limits.MAX_PER_BUYER_CAP);
        Checks.range("resaleCapBps", resaleCapBps, 0, Limits.MAX_RESALE_CAP_BPS);
        Checks.notNull("sections", sections);
        sections.forEach(s -> Checks.notNull("section", s));
        sections = List.copyOf(sections);
    }

    /**
     * The section with this id, if the event has one.
     *
     * @param sectionId the section's id
     * @return the section, or empty if the event has none by that id
     * @throws InvalidRequestException if {@code sectionId} is null
     */
    public Optional<Section> section(SectionId sectionId) {
        Checks.notNull("sectionId", sectionId);
        return sections.stream().filter(s -> s.id().equals(sectionId)).findFirst();
    }

    /**
     * Units plus seats over all sections.
     *
     * @return units plus seats over every section
     */
    public long capacity() {
        return sections.stream().mapToLong(Section::capacity).sum();
    }
}

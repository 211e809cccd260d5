package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Everything needed to create an event: its sections, the per-buyer cap and the resale cap. Immutable; built with
 * {@link #builder(EventId)}.
 *
 * <pre>{@code
 * EventSpec show = EventSpec.builder(EventId.of("eras-london"))
 *         .name("Eras Tour, London")
 *         .perBuyerCap(4)
 *         .resaleCapPercent(110)
 *         .generalAdmission("floor", 5_000, 64, 15_000)
 *         .reservedSeating("balcony", SeatMap.grid(8, 12), 25_000)
 *         .build();
 * }</pre>
 *
 * @param id           the event's id
 * @param name         display name
 * @param perBuyerCap  most units one buyer may hold or own (held and confirmed both count)
 * @param resaleCapBps highest resale ask in basis points of face value (10,000 = face value)
 * @param sections     one or more sections with distinct ids
 */
public record EventSpec(EventId id, String name, int perBuyerCap, int resaleCapBps, List<SectionSpec> sections) {
    /** Per-buyer cap when none is set. */
    public static final int DEFAULT_PER_BUYER_CAP = 4;
    /** Resale cap when none is set: 110% of face value. */
    public static final int DEFAULT_RESALE_CAP_BPS = 11_000;

    /**
     * @param id the event's id
     * @param name display name
     * @param perBuyerCap most units one buyer may hold or own (held and confirmed both count)
     * @param resaleCapBps highest resale ask in basis points of face value (10,000 = face value)
     * @param sections one or more sections with distinct ids
     * @throws InvalidRequestException if any value is out of range or two sections share an id
     */
    public EventSpec {
        Checks.notNull("event id", id);
        Checks.text("name", name, Limits.MAX_NAME_LENGTH);
        Checks.range("perBuyerCap", perBuyerCap, 1, Limits.MAX_PER_BUYER_CAP);
        Checks.range("resaleCapBps", resaleCapBps, 0, Limits.MAX_RESALE_CAP_BPS);
        Checks.notNull("sections", sections);
        if (sections.isEmpty()) {
            throw new InvalidRequestException("sections", "must hold at least one section");
        }
        if (sections.size() > Limits.MAX_SECTIONS) {
            throw new InvalidRequestException("sections",
                    "must hold at most " + Limits.MAX_SECTIONS + " sections, was " + sections.size());
        }
        var ids = new HashSet<SectionId>();
        for (SectionSpec s : sections) {
            Checks.notNull("section", s);
            if (!ids.add(s.id())) {
                throw new InvalidRequestException("sections", "declare section " + s.id() + " twice");
            }
        }
        sections = List.copyOf(sections);
    }

    /**
     * Starts a spec for the event with this id.
     *
     * @param id the event's id
     * @return a builder with the default caps and the id as the name
     */
    public static Builder builder(EventId id) {
        return new Builder(id);
    }

    /**
     * Starts a spec for the event with this id.
     *
     * @param id the event's id
     * @return a builder with the default caps and the id as the name
     */
    public static Builder builder(String id) {
        return new Builder(EventId.of(id));
    }

    /** Collects an {@link EventSpec}; not thread-safe. Each setter validates at once. */
    public static final class Builder {
        private final EventId id;
        private String name;
        private int perBuyerCap = DEFAULT_PER_BUYER_CAP;
        private int resaleCapBps = DEFAULT_RESALE_CAP_BPS;
        private final List<SectionSpec> sections = new ArrayList<>();

        private Builder(EventId id) {
            this.id = Checks.notNull("event id", id);
        }

        /**
         * Display name; defaults to the id.
         *
         * @param name its display name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Checks.text("name", name, Limits.MAX_NAME_LENGTH);
            return this;
        }

        /**
         * Most units one buyer may hold or own at the event; default {@value #DEFAULT_PER_BUYER_CAP}.
         *
         * @param cap the most units one buyer may hold or own (held and confirmed both count)
         * @return this builder
         */
        public Builder perBuyerCap(int cap) {
            this.perBuyerCap = Checks.range("perBuyerCap", cap, 1, Limits.MAX_PER_BUYER_CAP);
            return this;
        }

        /**
         * Highest resale ask as a percentage of face value; default 110.
         *
         * @param percent the highest resale ask as a percentage of face value (110 = 10% above face value)
         * @return this builder
         */
        public Builder resaleCapPercent(int percent) {
            Checks.range("resaleCapPercent", percent, 0, Limits.MAX_RESALE_CAP_BPS / 100);
            this.resaleCapBps = percent * 100;
            return this;
        }

        /**
         * Highest resale ask in basis points of face value (11,000 = 110%).
         *
         * @param bps basis points of face value (10,000 = face value)
         * @return this builder
         */
        public Builder resaleCapBps(int bps) {
            this.resaleCapBps = Checks.range("resaleCapBps", bps, 0, Limits.MAX_RESALE_CAP_BPS);
            return this;
        }

        /**
         * Adds a general-admission section of {@code capacity} units over {@code buckets} stock rows.
         *
         * @param section the section's id, unique within the event
         * @param capacity the number of units
         * @param buckets the stock rows the capacity is split over (1 to 64 or more; not above the capacity)
         * @param faceValueMinor the price of one unit or seat, in minor units
         * @return this builder
         */
        public Builder generalAdmission(String section, int capacity, int buckets, long faceValueMinor) {
            return section(new SectionSpec.GeneralAdmission(SectionId.of(section), capacity, buckets, faceValueMinor));
        }

        /**
         * Adds a reserved-seating section with these named seats.
         *
         * @param section the section's id, unique within the event
         * @param seats the named seats, each sold once
         * @param faceValueMinor the price of one unit or seat, in minor units
         * @return this builder
         */
        public Builder reservedSeating(String section, List<SeatId> seats, long faceValueMinor) {
            return section(new SectionSpec.ReservedSeating(SectionId.of(section), seats, faceValueMinor));
        }

        /**
         * Adds a section.
         *
         * @param section the section's id, unique within the event
         * @return this builder
         */
        public Builder section(SectionSpec section) {
            sections.add(Checks.notNull("section", section));
            return this;
        }

        /**
         * @return the spec
         * @throws InvalidRequestException if the spec is incomplete or inconsistent
         */
        public EventSpec build() {
            return new EventSpec(id, name == null ? id.value() : name, perBuyerCap, resaleCapBps, sections);
        }
    }
}

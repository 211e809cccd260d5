package io.dhamana.jdbc.internal;

import java.util.List;

/**
 * The tables and indexes of the store, as data, so each dialect renders them its own way. Kept within what Aurora
 * DSQL accepts: text and UUID keys, explicit types, no sequences, triggers or foreign keys, CHECK constraints
 * declared with the table, and one DDL statement per transaction.
 *
 * <p>Which row guards which invariant (each rival for the same thing writes the same row):
 * <ul>
 *   <li>no oversell: {@code stock_bucket.remaining}, decremented {@code WHERE remaining >= k};
 *   <li>one seat, one holder: {@code seat.state}, moved {@code WHERE state = 'AVAILABLE'};
 *   <li>verified buyers only and the per-buyer cap: {@code allowance.used}, charged
 *       {@code WHERE status = 'VERIFIED' AND used + k <= cap};
 *   <li>one owner per ticket: {@code ticket.owner_id}, moved {@code WHERE owner_id = :from AND state = :state};
 *   <li>one sale per listing: {@code listing.state}, moved {@code WHERE state = 'ACTIVE'};
 *   <li>work done once: {@code operation_log.op_key}, inserted if absent.
 * </ul>
 * The CHECK constraints and partial unique indexes are the last line of defence if a recipe were ever wrong.
 */
public final class SchemaDdl {
    /** The schema version this SDK writes and expects. */
    public static final int VERSION = 1;

    /** Constraint names the error classifier maps back to {@link io.dhamana.spi.Constraint}. */
    public static final String STOCK_NOT_NEGATIVE = "stock_bucket_remaining_not_negative";
    public static final String ALLOWANCE_WITHIN_CAP = "allowance_used_within_cap";
    public static final String ASK_WITHIN_CAP = "listing_ask_within_cap";
    public static final String ONE_TICKET_PER_SEAT = "ticket_one_live_per_seat";
    public static final String ONE_ACTIVE_LISTING = "listing_one_active_per_ticket";

    /**
     * A table.
     *
     * @param name       unqualified name
     * @param body       columns and constraints, the text between the parentheses of {@code CREATE TABLE}
     * @param fillFactor percent of each page filled on insert (100 = the default); lower leaves room for HOT updates
     *                   of rows that change often
     */
    public record Table(String name, String body, int fillFactor) {}

    /**
     * An index.
     *
     * @param name    unqualified name, unique within the schema
     * @param table   unqualified table name
     * @param unique  whether it enforces uniqueness
     * @param columns the indexed columns, comma-separated
     * @param where   a partial index predicate, or empty
     */
    public record Index(String name, String table, boolean unique, String columns, String where) {}

    public static final List<Table> TABLES = List.of(
            new Table("schema_version", """
                    version integer PRIMARY KEY,
                    installed_at timestamptz NOT NULL""", 100),
            new Table("event", """
                    id text PRIMARY KEY,
                    name text NOT NULL,
                    per_buyer_cap integer NOT NULL,
                    resale_cap_bps integer NOT NULL,
                    CONSTRAINT event_caps_valid CHECK (per_buyer_cap > 0 AND resale_cap_bps >= 0)""", 100),
            new Table("section", """
                    event_id text NOT NULL,
                    section_id text NOT NULL,
                    kind text NOT NULL,
                    capacity integer NOT NULL,
                    buckets integer NOT NULL,
                    face_value_minor bigint NOT NULL,
                    ordinal integer NOT NULL,
                    PRIMARY KEY (event_id, section_id),
                    CONSTRAINT section_kind_valid CHECK (kind IN ('GENERAL_ADMISSION', 'RESERVED_SEATING'))""", 100),
            // The hottest rows of a drop: every hold rewrites one. Half-empty pages keep the updates HOT.
            new Table("stock_bucket", """
                    event_id text NOT NULL,
                    section_id text NOT NULL,
                    bucket integer NOT NULL,
                    remaining integer NOT NULL,
                    PRIMARY KEY (event_id, section_id, bucket),
                    CONSTRAINT %s CHECK (remaining >= 0)""".formatted(STOCK_NOT_NEGATIVE), 50),
            new Table("seat", """
                    event_id text NOT NULL,
                    section_id text NOT NULL,
                    seat_id text NOT NULL,
                    ordinal integer NOT NULL,
                    state text NOT NULL,
                    holder uuid,
                    PRIMARY KEY (event_id, section_id, seat_id),
                    CONSTRAINT seat_state_valid CHECK (state IN ('AVAILABLE', 'HELD', 'SOLD')),
                    CONSTRAINT seat_holder_matches_state CHECK ((state = 'AVAILABLE') = (holder IS NULL))""", 80),
            new Table("allowance", """
                    event_id text NOT NULL,
                    buyer_id text NOT NULL,
                    status text NOT NULL,
                    evidence text NOT NULL,
                    used integer NOT NULL,
                    cap integer NOT NULL,
                    PRIMARY KEY (event_id, buyer_id),
                    CONSTRAINT allowance_status_valid CHECK (status IN ('VERIFIED', 'REVOKED')),
                    CONSTRAINT %s CHECK (used >= 0 AND used <= cap)""".formatted(ALLOWANCE_WITHIN_CAP), 80),
            new Table("hold", """
                    id uuid PRIMARY KEY,
                    event_id text NOT NULL,
                    section_id text NOT NULL,
                    seat_id text,
                    buyer_id text NOT NULL,
                    units integer NOT NULL,
                    bucket integer NOT NULL,
                    status text NOT NULL,
                    created_at timestamptz NOT NULL,
                    expires_at timestamptz NOT NULL,
                    unit_price_minor bigint NOT NULL,
                    CONSTRAINT hold_units_positive CHECK (units > 0),
                    CONSTRAINT hold_status_valid CHECK (status IN ('HELD', 'CONFIRMED', 'RELEASED', 'EXPIRED'))""",
                    100),
            new Table("ticket", """
                    id uuid PRIMARY KEY,
                    hold_id uuid NOT NULL,
                    event_id text NOT NULL,
                    section_id text NOT NULL,
                    seat_id text,
                    bucket integer NOT NULL,
                    owner_id text NOT NULL,
                    state text NOT NULL,
                    code text NOT NULL,
                    face_value_minor bigint NOT NULL,
                    CONSTRAINT ticket_state_valid CHECK (state IN ('VALID', 'LISTED', 'IN_ESCROW', 'REFUNDED'))""",
                    100),
            // cap_minor is derived by the insert from the ticket's face value and the event's cap, never sent by
            // the client, so the CHECK below is the store's own judgement of the ask.
            new Table("listing", """
                    id uuid PRIMARY KEY,
                    ticket_id uuid NOT NULL,
                    event_id text NOT NULL,
                    seller_id text NOT NULL,
                    ask_minor bigint NOT NULL,
                    cap_minor bigint NOT NULL,
                    state text NOT NULL,
                    buyer_id text,
                    CONSTRAINT listing_ask_not_negative CHECK (ask_minor >= 0),
                    CONSTRAINT %s CHECK (ask_minor <= cap_minor),
                    CONSTRAINT listing_state_valid
                        CHECK (state IN ('ACTIVE', 'SOLD', 'SETTLED', 'REFUNDED', 'WITHDRAWN'))"""
                    .formatted(ASK_WITHIN_CAP), 100),
            new Table("operation_log", """
                    op_key uuid PRIMARY KEY,
                    operation text NOT NULL,
                    event_id text NOT NULL,
                    subject text NOT NULL,
                    actor text NOT NULL,
                    units integer NOT NULL,
                    amount_minor bigint NOT NULL,
                    logged_at timestamptz NOT NULL""", 100),
            new Table("money_entry", """
                    op_key uuid NOT NULL,
                    leg integer NOT NULL,
                    account text NOT NULL,
                    amount_minor bigint NOT NULL,
                    PRIMARY KEY (op_key, leg)""", 100));

    public static final List<Index> INDEXES = List.of(
            // Seats read back in the order they were declared.
            new Index("seat_order_idx", "seat", false, "event_id, section_id, ordinal", ""),
            // The expiry sweep: only live holds, oldest expiry first.
            new Index("hold_expiry_idx", "hold", false, "expires_at", "status = 'HELD'"),
            // Holds of an event, of a section, of a seat (audit scans, seat claims, the foil's count).
            new Index("hold_section_idx", "hold", false, "event_id, section_id, seat_id", ""),
            new Index("ticket_hold_idx", "ticket", false, "hold_id", ""),
            new Index("ticket_owner_idx", "ticket", false, "event_id, owner_id", ""),
            new Index("ticket_section_idx", "ticket", false, "event_id, section_id, seat_id", ""),
            new Index(ONE_TICKET_PER_SEAT, "ticket", true, "event_id, section_id, seat_id",
                    "state <> 'REFUNDED' AND seat_id IS NOT NULL"),
            new Index(ONE_ACTIVE_LISTING, "listing", true, "ticket_id", "state = 'ACTIVE'"),
            new Index("listing_event_idx", "listing", false, "event_id", ""),
            new Index("operation_log_event_idx", "operation_log", false, "event_id", ""));

    private SchemaDdl() {}
}

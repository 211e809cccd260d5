package io.dhamana.jdbc.internal;

import java.util.regex.Pattern;

/**
 * Every statement the store runs, for one schema. Each store method is exactly one of these, always with
 * {@code ?} parameters; the only text put into SQL is the schema name, which is checked against
 * {@code [a-z_][a-z0-9_]*} first. Guarded writes carry their guard in the {@code WHERE} clause, so the check and
 * the write are one statement and the row they write is what rival transactions collide on.
 */
public final class Sql {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    static final String HOLD_COLUMNS = "id, event_id, section_id, seat_id, buyer_id, units, bucket, status, "
            + "created_at, expires_at, unit_price_minor";
    static final String TICKET_COLUMNS = "id, hold_id, event_id, section_id, seat_id, bucket, owner_id, state, code, "
            + "face_value_minor";
    static final String LISTING_COLUMNS = "id, ticket_id, event_id, seller_id, ask_minor, cap_minor, state, buyer_id";
    static final String OPERATION_COLUMNS = "op_key, operation, event_id, subject, actor, units, amount_minor";
    static final String SECTION_COLUMNS = "event_id, section_id, kind, capacity, buckets, face_value_minor, ordinal";
    static final String ALLOWANCE_COLUMNS = "event_id, buyer_id, status, evidence, used, cap";
    static final String SEAT_COLUMNS = "event_id, section_id, seat_id, state, holder";
    static final String BUCKET_COLUMNS = "event_id, section_id, bucket, remaining";

    final String schema;

    // ---------------------------------------------------------------- reads
    final String now;
    final String eventById;
    final String sectionsOfEvent;
    final String bucketsOfSection;
    final String seatByKey;
    final String seatsOfSection;
    final String allowanceByKey;
    final String holdById;
    final String ticketById;
    final String ticketsOfHold;
    final String ticketsOfOwner;
    final String listingById;
    final String operationByKey;
    final String expiredHolds;
    final String heldHoldsOfEvent;
    final String validTicketsOfEvent;
    final String activeUnits;
    final String seatClaims;

    // ---------------------------------------------------------------- scans: all, and of one event
    final String scanSections;
    final String scanSectionsOfEvent;
    final String scanBuckets;
    final String scanBucketsOfEvent;
    final String scanSeats;
    final String scanSeatsOfEvent;
    final String scanAllowances;
    final String scanAllowancesOfEvent;
    final String scanHolds;
    final String scanHoldsOfEvent;
    final String scanTickets;
    final String scanTicketsOfEvent;
    final String scanListings;
    final String scanListingsOfEvent;
    final String scanOperations;
    final String scanOperationsOfEvent;
    final String scanMoney;
    final String scanMoneyOfEvent;

    // ---------------------------------------------------------------- writes
    final String insertEvent;
    final String insertSection;
    final String insertBuckets;
    final String insertSeats;
    final String takeUnits;
    final String returnUnits;
    final String claimSeat;
    final String moveSeat;
    final String verify;
    final String revoke;
    final String chargeAllowance;
    final String creditAllowance;
    final String insertHold;
    final String moveHold;
    final String moveHoldUnexpired;
    final String moveHoldExpired;
    final String insertTickets;
    final String moveTicket;
    final String insertListing;
    final String moveListing;
    final String insertOperation;
    final String insertMoney;

    /**
     * The statements for {@code schema}.
     *
     * @throws IllegalArgumentException if the schema name is not a plain lower-case identifier
     */
    public Sql(String schema) {
        this.schema = checkIdentifier(schema);

        now = "SELECT now()";
        eventById = q("SELECT id, name, per_buyer_cap, resale_cap_bps FROM {s}.event WHERE id = ?");
        sectionsOfEvent = q("SELECT " + SECTION_COLUMNS + " FROM {s}.section WHERE event_id = ? ORDER BY ordinal");
        bucketsOfSection = q("SELECT " + BUCKET_COLUMNS + " FROM {s}.stock_bucket WHERE event_id = ? AND section_id = ?"
                + " ORDER BY bucket");
        seatByKey = q("SELECT " + SEAT_COLUMNS + " FROM {s}.seat WHERE event_id = ? AND section_id = ? AND seat_id = ?");
        seatsOfSection = q("SELECT " + SEAT_COLUMNS + " FROM {s}.seat WHERE event_id = ? AND section_id = ?"
                + " ORDER BY ordinal, seat_id");
        allowanceByKey = q("SELECT " + ALLOWANCE_COLUMNS + " FROM {s}.allowance WHERE event_id = ? AND buyer_id = ?");
        holdById = q("SELECT " + HOLD_COLUMNS + " FROM {s}.hold WHERE id = ?");
        ticketById = q("SELECT " + TICKET_COLUMNS + " FROM {s}.ticket WHERE id = ?");
        ticketsOfHold = q("SELECT " + TICKET_COLUMNS + " FROM {s}.ticket WHERE hold_id = ? ORDER BY id");
        ticketsOfOwner = q("SELECT " + TICKET_COLUMNS + " FROM {s}.ticket WHERE event_id = ? AND owner_id = ?"
                + " ORDER BY id");
        listingById = q("SELECT " + LISTING_COLUMNS + " FROM {s}.listing WHERE id = ?");
        operationByKey = q("SELECT " + OPERATION_COLUMNS + " FROM {s}.operation_log WHERE op_key = ?");
        // Judged by the database's clock, like every expiry decision.
        expiredHolds = q("SELECT " + HOLD_COLUMNS + " FROM {s}.hold WHERE status = 'HELD' AND expires_at <= now()"
                + " ORDER BY expires_at LIMIT ?");
        heldHoldsOfEvent = q("SELECT " + HOLD_COLUMNS + " FROM {s}.hold WHERE event_id = ? AND status = 'HELD'"
                + " ORDER BY id LIMIT ?");
        validTicketsOfEvent = q("SELECT " + TICKET_COLUMNS + " FROM {s}.ticket WHERE event_id = ? AND state = 'VALID'"
                + " ORDER BY id LIMIT ?");
        activeUnits = q("SELECT (SELECT COALESCE(SUM(units), 0) FROM {s}.hold"
                + " WHERE event_id = ? AND section_id = ? AND status = 'HELD')"
                + " + (SELECT COUNT(*) FROM {s}.ticket WHERE event_id = ? AND section_id = ? AND state <> 'REFUNDED')");
        seatClaims = q("SELECT buyer_id FROM {s}.hold"
                + " WHERE event_id = ? AND section_id = ? AND seat_id = ? AND status = 'HELD'"
                + " UNION ALL SELECT owner_id FROM {s}.ticket"
                + " WHERE event_id = ? AND section_id = ? AND seat_id = ? AND state <> 'REFUNDED'");

        scanSections = q("SELECT " + SECTION_COLUMNS + " FROM {s}.section");
        scanSectionsOfEvent = scanSections + " WHERE event_id = ?";
        scanBuckets = q("SELECT " + BUCKET_COLUMNS + " FROM {s}.stock_bucket");
        scanBucketsOfEvent = scanBuckets + " WHERE event_id = ?";
        scanSeats = q("SELECT " + SEAT_COLUMNS + " FROM {s}.seat");
        scanSeatsOfEvent = scanSeats + " WHERE event_id = ?";
        scanAllowances = q("SELECT " + ALLOWANCE_COLUMNS + " FROM {s}.allowance");
        scanAllowancesOfEvent = scanAllowances + " WHERE event_id = ?";
        scanHolds = q("SELECT " + HOLD_COLUMNS + " FROM {s}.hold");
        scanHoldsOfEvent = scanHolds + " WHERE event_id = ?";
        scanTickets = q("SELECT " + TICKET_COLUMNS + " FROM {s}.ticket");
        scanTicketsOfEvent = scanTickets + " WHERE event_id = ?";
        scanListings = q("SELECT " + LISTING_COLUMNS + " FROM {s}.listing");
        scanListingsOfEvent = scanListings + " WHERE event_id = ?";
        scanOperations = q("SELECT " + OPERATION_COLUMNS + " FROM {s}.operation_log");
        scanOperationsOfEvent = scanOperations + " WHERE event_id = ?";
        scanMoney = q("SELECT op_key, leg, account, amount_minor FROM {s}.money_entry");
        scanMoneyOfEvent = q("SELECT m.op_key, m.leg, m.account, m.amount_minor FROM {s}.money_entry m"
                + " JOIN {s}.operation_log o ON o.op_key = m.op_key WHERE o.event_id = ?");

        insertEvent = q("INSERT INTO {s}.event (id, name, per_buyer_cap, resale_cap_bps) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (id) DO NOTHING");
        insertSection = q("INSERT INTO {s}.section (" + SECTION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (event_id, section_id) DO NOTHING");
        // Multi-row inserts from arrays: one statement (and one round trip) for a whole batch.
        insertBuckets = q("INSERT INTO {s}.stock_bucket (" + BUCKET_COLUMNS + ")"
                + " SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::integer[])"
                + " ON CONFLICT (event_id, section_id, bucket) DO NOTHING");
        // A seat's ordinal continues its section's numbering, so seats() reads back in declaration order across
        // batches; within the statement, max() does not see the statement's own rows, hence base + position.
        insertSeats = q("INSERT INTO {s}.seat (event_id, section_id, seat_id, ordinal, state, holder)"
                + " SELECT u.event_id, u.section_id, u.seat_id,"
                + " (SELECT COALESCE(MAX(o.ordinal) + 1, 0) FROM {s}.seat o"
                + " WHERE o.event_id = u.event_id AND o.section_id = u.section_id) + u.position - 1,"
                + " u.state, u.holder"
                + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::uuid[])"
                + " WITH ORDINALITY AS u(event_id, section_id, seat_id, state, holder, position)"
                + " ON CONFLICT (event_id, section_id, seat_id) DO NOTHING");

        // Guard: no oversell. Every rival for this stock writes this row.
        takeUnits = q("UPDATE {s}.stock_bucket SET remaining = remaining - ?"
                + " WHERE event_id = ? AND section_id = ? AND bucket = ? AND remaining >= ?");
        returnUnits = q("UPDATE {s}.stock_bucket SET remaining = remaining + ?"
                + " WHERE event_id = ? AND section_id = ? AND bucket = ?");
        // Guard: one seat, one holder.
        claimSeat = q("UPDATE {s}.seat SET state = 'HELD', holder = ?"
                + " WHERE event_id = ? AND section_id = ? AND seat_id = ? AND state = 'AVAILABLE'");
        moveSeat = q("UPDATE {s}.seat SET state = ?, holder = ?"
                + " WHERE event_id = ? AND section_id = ? AND seat_id = ? AND holder = ? AND state = ?");
        // Verifying again keeps what the buyer already used (and the cap they were verified under).
        verify = q("INSERT INTO {s}.allowance (" + ALLOWANCE_COLUMNS + ") VALUES (?, ?, 'VERIFIED', ?, 0, ?)"
                + " ON CONFLICT (event_id, buyer_id) DO UPDATE SET status = 'VERIFIED', evidence = EXCLUDED.evidence"
                + " RETURNING " + ALLOWANCE_COLUMNS);
        // Revocation writes the allowance row too, so it collides with any hold charging it.
        revoke = q("UPDATE {s}.allowance SET status = 'REVOKED'"
                + " WHERE event_id = ? AND buyer_id = ? AND status = 'VERIFIED'");
        // Guard: verified buyers only, and the per-buyer cap.
        chargeAllowance = q("UPDATE {s}.allowance SET used = used + ?"
                + " WHERE event_id = ? AND buyer_id = ? AND status = 'VERIFIED' AND used + ? <= cap");
        creditAllowance = q("UPDATE {s}.allowance SET used = used - ?"
                + " WHERE event_id = ? AND buyer_id = ? AND used >= ?");
        // Stamped with the database's clock: the TTL is sent in microseconds, the times are the server's.
        insertHold = q("INSERT INTO {s}.hold (" + HOLD_COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, 'HELD', now(), now() + ? * INTERVAL '1 microsecond', ?)"
                + " ON CONFLICT (id) DO NOTHING RETURNING created_at, expires_at");
        moveHold = q("UPDATE {s}.hold SET status = ? WHERE id = ? AND status = ?");
        moveHoldUnexpired = moveHold + " AND expires_at > now()";
        moveHoldExpired = moveHold + " AND expires_at <= now()";
        insertTickets = q("INSERT INTO {s}.ticket (" + TICKET_COLUMNS + ")"
                + " SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::integer[],"
                + " ?::text[], ?::text[], ?::text[], ?::bigint[])"
                + " ON CONFLICT (id) DO NOTHING");
        // Guard: one owner per ticket.
        moveTicket = q("UPDATE {s}.ticket SET owner_id = ?, state = ?, code = COALESCE(?, code)"
                + " WHERE id = ? AND owner_id = ? AND state = ?");
        // The cap comes from the store's own rows inside the statement; listing_ask_within_cap judges the ask.
        insertListing = q("INSERT INTO {s}.listing (" + LISTING_COLUMNS + ")"
                + " SELECT ?, t.id, t.event_id, ?, ?, (t.face_value_minor * e.resale_cap_bps) / 10000, 'ACTIVE', NULL"
                + " FROM {s}.ticket t JOIN {s}.event e ON e.id = t.event_id WHERE t.id = ?"
                + " ON CONFLICT (id) DO NOTHING RETURNING " + LISTING_COLUMNS);
        moveListing = q("UPDATE {s}.listing SET state = ?, buyer_id = COALESCE(?, buyer_id)"
                + " WHERE id = ? AND state = ?");
        insertOperation = q("INSERT INTO {s}.operation_log (" + OPERATION_COLUMNS + ", logged_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT (op_key) DO NOTHING");
        insertMoney = q("INSERT INTO {s}.money_entry (op_key, leg, account, amount_minor)"
                + " SELECT * FROM unnest(?::uuid[], ?::integer[], ?::text[], ?::bigint[])");
    }

    /** The schema these statements use. */
    public String schema() {
        return schema;
    }

    private String q(String template) {
        return template.replace("{s}", schema);
    }

    /**
     * Checks that {@code name} is a plain lower-case SQL identifier, safe to put into statement text.
     *
     * @throws IllegalArgumentException if it is not
     */
    public static String checkIdentifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("must match [a-z_][a-z0-9_]* and be at most 63 characters, was '"
                    + (name == null ? "null" : name.length() > 70 ? name.substring(0, 67) + "..." : name) + "'");
        }
        return name;
    }
}

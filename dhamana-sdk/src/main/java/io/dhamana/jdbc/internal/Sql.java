package io.dhamana.jdbc.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Every statement the store runs, for one schema. Each store method is exactly one of these, always with
 * {@code ?} parameters; the only text put into SQL is the schema name, which is checked against
 * {@code [a-z_][a-z0-9_]*} first. Guarded writes carry their guard in the {@code WHERE} clause, so the check and
 * the write are one statement and the row they write is what rival transactions collide on.
 *
 * <p>Multi-row inserts (buckets, seats, tickets, money legs) come in two forms: one statement over array
 * parameters ({@code unnest(?::text[], ...)}: one fixed text whatever the row count), or, for a backend that is not
 * known to accept array parameters (Aurora DSQL refuses array column types and documents runtime arrays only
 * loosely), a {@code VALUES} list with one parameter per value, at most {@link #MAX_VALUES_ROWS} rows a statement.
 */
public final class Sql {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** The most rows one {@code VALUES} insert carries; larger inserts are split into several statements. */
    public static final int MAX_VALUES_ROWS = 1_000;

    static final String EVENT_COLUMNS = "id, name, per_buyer_cap, resale_cap_bps";
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
    final boolean arrayParameters;

    // ---------------------------------------------------------------- reads
    final String now;
    final String eventById;
    final String sectionsOfEvent;
    final String bucketsOfSection;
    final String bucketByKey;
    final String bucketsIfShort;
    final String seatByKey;
    final String seatsOfSection;
    final String allowanceByKey;
    final String holdById;
    final String ticketById;
    final String ticketsOfHold;
    final String ticketsOfOwner;
    final String listingById;
    final String ticketOfListing;
    final String operationByKey;
    final String expiredHolds;
    final String heldHoldsOfEvent;
    final String validTicketsOfEvent;
    final String activeUnits;
    final String seatClaims;

    // ---------------------------------------------------------------- scans: all, and of one event
    final String scanEvents;
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
    final RowsInsert insertBuckets;
    final RowsInsert insertSeats;
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
    /** Several operation-log rows in one statement (a combined hold's). */
    final RowsInsert insertOperations;
    final RowsInsert insertTickets;
    final String moveTicket;
    final String insertListing;
    final String moveListing;
    final String insertOperation;
    /** Several holds in one statement (a combined hold's). */
    final RowsInsert insertHolds;
    /** Several buyers' allowances at one event. */
    final RowsInsert allowancesByKeys;
    final RowsInsert insertMoney;

    /**
     * The statements for {@code schema}, with multi-row inserts over array parameters (PostgreSQL).
     *
     * @throws IllegalArgumentException if the schema name is not a plain lower-case identifier
     */
    public Sql(String schema) {
        this(schema, true);
    }

    /**
     * The statements for {@code schema}.
     *
     * @param arrayParameters whether multi-row inserts bind one array per column ({@code unnest}); otherwise they
     *                        are {@code VALUES} lists with one scalar parameter per value
     * @throws IllegalArgumentException if the schema name is not a plain lower-case identifier
     */
    public Sql(String schema, boolean arrayParameters) {
        this.schema = checkIdentifier(schema);
        this.arrayParameters = arrayParameters;

        now = "SELECT now()";
        eventById = q("SELECT " + EVENT_COLUMNS + " FROM {s}.event WHERE id = ?");
        sectionsOfEvent = q("SELECT " + SECTION_COLUMNS + " FROM {s}.section WHERE event_id = ? ORDER BY ordinal");
        bucketsOfSection = q("SELECT " + BUCKET_COLUMNS + " FROM {s}.stock_bucket WHERE event_id = ? AND section_id = ?"
                + " ORDER BY bucket");
        bucketByKey = q("SELECT " + BUCKET_COLUMNS + " FROM {s}.stock_bucket"
                + " WHERE event_id = ? AND section_id = ? AND bucket = ?");
        // Every bucket, only when the first is short: the NOT EXISTS is a one-time filter, so when the first bucket
        // has enough no other bucket is read (and, at SERIALIZABLE, none is predicate-locked).
        bucketsIfShort = q("SELECT " + BUCKET_COLUMNS + " FROM {s}.stock_bucket WHERE event_id = ? AND section_id = ?"
                + " AND NOT EXISTS (SELECT 1 FROM {s}.stock_bucket f"
                + " WHERE f.event_id = ? AND f.section_id = ? AND f.bucket = ? AND f.remaining >= ?)"
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
        ticketOfListing = q("SELECT " + TICKET_COLUMNS + " FROM {s}.ticket"
                + " WHERE id = (SELECT l.ticket_id FROM {s}.listing l WHERE l.id = ?)");
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

        scanEvents = q("SELECT " + EVENT_COLUMNS + " FROM {s}.event");
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
        insertBuckets = rows(
                q("INSERT INTO {s}.stock_bucket (" + BUCKET_COLUMNS + ")"
                        + " SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::integer[])"
                        + " ON CONFLICT (event_id, section_id, bucket) DO NOTHING"),
                q("INSERT INTO {s}.stock_bucket (" + BUCKET_COLUMNS + ") VALUES "), "(?, ?, ?, ?)",
                " ON CONFLICT (event_id, section_id, bucket) DO NOTHING");
        // A seat's ordinal continues its section's numbering, so seats() reads back in declaration order across
        // batches; within the statement, max() does not see the statement's own rows, hence base + position.
        String seatsSelect = "INSERT INTO {s}.seat (event_id, section_id, seat_id, ordinal, state, holder)"
                + " SELECT u.event_id, u.section_id, u.seat_id,"
                + " (SELECT COALESCE(MAX(o.ordinal) + 1, 0) FROM {s}.seat o"
                + " WHERE o.event_id = u.event_id AND o.section_id = u.section_id) + u.position - 1,"
                + " u.state, u.holder";
        insertSeats = rows(
                q(seatsSelect
                        + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::uuid[])"
                        + " WITH ORDINALITY AS u(event_id, section_id, seat_id, state, holder, position)"
                        + " ON CONFLICT (event_id, section_id, seat_id) DO NOTHING"),
                // The position is sent as the last value of each row; the casts fix the derived table's types.
                q(seatsSelect + " FROM (VALUES "), "(?, ?, ?, ?, CAST(? AS uuid), CAST(? AS integer))",
                ") AS u(event_id, section_id, seat_id, state, holder, position)"
                        + " ON CONFLICT (event_id, section_id, seat_id) DO NOTHING");

        // Guarded writes. Each guard sits in the SET list, as a CASE with no ELSE: where the guard is false the
        // column becomes NULL and its NOT NULL fails the statement, so a guard that no longer holds aborts the
        // transaction (and a COMMIT sent behind it) instead of quietly changing nothing. The caller checked every
        // guard in its snapshot, so under snapshot isolation this only fires if a rival got there first.
        // Guard: no oversell. Every rival for this stock writes this row.
        takeUnits = q("UPDATE {s}.stock_bucket SET remaining = CASE WHEN remaining >= ? THEN remaining - ? END"
                + " WHERE event_id = ? AND section_id = ? AND bucket = ?");
        returnUnits = q("UPDATE {s}.stock_bucket SET remaining = remaining + ?"
                + " WHERE event_id = ? AND section_id = ? AND bucket = ?");
        // Guard: one seat, one holder.
        claimSeat = q("UPDATE {s}.seat SET state = CASE WHEN state = 'AVAILABLE' THEN 'HELD' END, holder = ?"
                + " WHERE event_id = ? AND section_id = ? AND seat_id = ?");
        moveSeat = q("UPDATE {s}.seat SET state = CASE WHEN holder = ? AND state = ? THEN ? END, holder = ?"
                + " WHERE event_id = ? AND section_id = ? AND seat_id = ?");
        // Verifying again keeps what the buyer already used (and the cap they were verified under).
        verify = q("INSERT INTO {s}.allowance (" + ALLOWANCE_COLUMNS + ") VALUES (?, ?, 'VERIFIED', ?, 0, ?)"
                + " ON CONFLICT (event_id, buyer_id) DO UPDATE SET status = 'VERIFIED', evidence = EXCLUDED.evidence");
        // Revocation writes the allowance row too, so it collides with any hold charging it.
        revoke = q("UPDATE {s}.allowance SET status = CASE WHEN status = 'VERIFIED' THEN 'REVOKED' END"
                + " WHERE event_id = ? AND buyer_id = ?");
        // Guard: verified buyers only, and the per-buyer cap.
        chargeAllowance = q("UPDATE {s}.allowance"
                + " SET used = CASE WHEN status = 'VERIFIED' AND used + ? <= cap THEN used + ? END"
                + " WHERE event_id = ? AND buyer_id = ?");
        creditAllowance = q("UPDATE {s}.allowance SET used = CASE WHEN used >= ? THEN used - ? END"
                + " WHERE event_id = ? AND buyer_id = ?");
        // The hold's times come from the database's clock, read earlier in the same transaction.
        insertHold = q("INSERT INTO {s}.hold (" + HOLD_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, 'HELD', ?, ?, ?)");
        moveHold = q("UPDATE {s}.hold SET status = CASE WHEN status = ? THEN ? END WHERE id = ?");
        moveHoldUnexpired = q("UPDATE {s}.hold SET status = CASE WHEN status = ? AND expires_at > now() THEN ? END"
                + " WHERE id = ?");
        moveHoldExpired = q("UPDATE {s}.hold SET status = CASE WHEN status = ? AND expires_at <= now() THEN ? END"
                + " WHERE id = ?");
        insertTickets = rows(
                q("INSERT INTO {s}.ticket (" + TICKET_COLUMNS + ")"
                        + " SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::integer[],"
                        + " ?::text[], ?::text[], ?::text[], ?::bigint[])"),
                q("INSERT INTO {s}.ticket (" + TICKET_COLUMNS + ") VALUES "), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "");
        // Guard: one owner per ticket. All SET expressions see the row as it was, so the CASE tests the old owner.
        moveTicket = q("UPDATE {s}.ticket SET owner_id = ?,"
                + " state = CASE WHEN owner_id = ? AND state = ? THEN ? END, code = COALESCE(?, code)"
                + " WHERE id = ?");
        // The cap comes from the store's own rows inside the statement; listing_ask_within_cap judges the ask.
        insertListing = q("INSERT INTO {s}.listing (" + LISTING_COLUMNS + ")"
                + " SELECT ?, t.id, t.event_id, ?, ?, (t.face_value_minor * e.resale_cap_bps) / 10000, 'ACTIVE', NULL"
                + " FROM {s}.ticket t JOIN {s}.event e ON e.id = t.event_id WHERE t.id = ?");
        // Guard: one sale per listing.
        moveListing = q("UPDATE {s}.listing SET state = CASE WHEN state = ? THEN ? END,"
                + " buyer_id = COALESCE(?, buyer_id) WHERE id = ?");
        // Strict: a key already logged fails the statement (23505), and with it the transaction.
        insertOperation = q("INSERT INTO {s}.operation_log (" + OPERATION_COLUMNS + ", logged_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, now())");
        insertOperations = rows(
                q("INSERT INTO {s}.operation_log (" + OPERATION_COLUMNS + ", logged_at)"
                        + " SELECT u.*, now() FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[],"
                        + " ?::integer[], ?::bigint[]) AS u"),
                q("INSERT INTO {s}.operation_log (" + OPERATION_COLUMNS + ", logged_at) VALUES "),
                "(?, ?, ?, ?, ?, ?, ?, now())", "");
        insertHolds = new RowsInsert(null, q("INSERT INTO {s}.hold (" + HOLD_COLUMNS + ") VALUES "),
                "(?, ?, ?, ?, ?, ?, ?, 'HELD', ?, ?, ?)", "");
        allowancesByKeys = new RowsInsert(null, q("SELECT " + ALLOWANCE_COLUMNS + " FROM {s}.allowance"
                + " WHERE event_id = ? AND buyer_id IN ("), "?", ")");
        insertMoney = rows(
                q("INSERT INTO {s}.money_entry (op_key, leg, account, amount_minor)"
                        + " SELECT * FROM unnest(?::uuid[], ?::integer[], ?::text[], ?::bigint[])"),
                q("INSERT INTO {s}.money_entry (op_key, leg, account, amount_minor) VALUES "), "(?, ?, ?, ?)", "");
    }

    /** The statement that scans {@code table}, of one event (one parameter) or of all. */
    String scan(io.dhamana.spi.Table<?> table, boolean ofEvent) {
        String[] forms = switch (table.name()) {
            case "event" -> new String[] {scanEvents, scanEvents + " WHERE id = ?"};
            case "section" -> new String[] {scanSections, scanSectionsOfEvent};
            case "stock_bucket" -> new String[] {scanBuckets, scanBucketsOfEvent};
            case "seat" -> new String[] {scanSeats, scanSeatsOfEvent};
            case "allowance" -> new String[] {scanAllowances, scanAllowancesOfEvent};
            case "hold" -> new String[] {scanHolds, scanHoldsOfEvent};
            case "ticket" -> new String[] {scanTickets, scanTicketsOfEvent};
            case "listing" -> new String[] {scanListings, scanListingsOfEvent};
            case "operation_log" -> new String[] {scanOperations, scanOperationsOfEvent};
            case "money_entry" -> new String[] {scanMoney, scanMoneyOfEvent};
            default -> throw new IllegalArgumentException("no scan of " + table);
        };
        return forms[ofEvent ? 1 : 0];
    }

    /** The schema these statements use. */
    public String schema() {
        return schema;
    }

    /** Whether multi-row inserts bind arrays ({@code unnest}) rather than {@code VALUES} lists. */
    public boolean arrayParameters() {
        return arrayParameters;
    }

    /**
     * Every statement text these statements can send, by name, for checking them against a backend's rules. A
     * multi-row insert appears in its array form, or in its {@code VALUES} form for one, two and
     * {@link #MAX_VALUES_ROWS} rows.
     */
    public Map<String, String> statements() {
        Map<String, String> all = new LinkedHashMap<>();
        String[][] single = {
                {"now", now}, {"eventById", eventById}, {"sectionsOfEvent", sectionsOfEvent},
                {"bucketsOfSection", bucketsOfSection}, {"bucketByKey", bucketByKey},
                {"bucketsIfShort", bucketsIfShort}, {"seatByKey", seatByKey}, {"seatsOfSection", seatsOfSection},
                {"allowanceByKey", allowanceByKey}, {"holdById", holdById}, {"ticketById", ticketById},
                {"ticketsOfHold", ticketsOfHold}, {"ticketsOfOwner", ticketsOfOwner}, {"listingById", listingById}, {"ticketOfListing", ticketOfListing},
                {"operationByKey", operationByKey}, {"expiredHolds", expiredHolds},
                {"heldHoldsOfEvent", heldHoldsOfEvent}, {"validTicketsOfEvent", validTicketsOfEvent},
                {"activeUnits", activeUnits}, {"seatClaims", seatClaims},
                {"scanEvents", scanEvents},
                {"scanSections", scanSections}, {"scanSectionsOfEvent", scanSectionsOfEvent},
                {"scanBuckets", scanBuckets}, {"scanBucketsOfEvent", scanBucketsOfEvent},
                {"scanSeats", scanSeats}, {"scanSeatsOfEvent", scanSeatsOfEvent},
                {"scanAllowances", scanAllowances}, {"scanAllowancesOfEvent", scanAllowancesOfEvent},
                {"scanHolds", scanHolds}, {"scanHoldsOfEvent", scanHoldsOfEvent},
                {"scanTickets", scanTickets}, {"scanTicketsOfEvent", scanTicketsOfEvent},
                {"scanListings", scanListings}, {"scanListingsOfEvent", scanListingsOfEvent},
                {"scanOperations", scanOperations}, {"scanOperationsOfEvent", scanOperationsOfEvent},
                {"scanMoney", scanMoney}, {"scanMoneyOfEvent", scanMoneyOfEvent},
                {"insertEvent", insertEvent}, {"insertSection", insertSection},
                {"takeUnits", takeUnits}, {"returnUnits", returnUnits}, {"claimSeat", claimSeat},
                {"moveSeat", moveSeat}, {"verify", verify}, {"revoke", revoke},
                {"chargeAllowance", chargeAllowance}, {"creditAllowance", creditAllowance},
                {"insertHold", insertHold}, {"moveHold", moveHold}, {"moveHoldUnexpired", moveHoldUnexpired},
                {"moveHoldExpired", moveHoldExpired}, {"moveTicket", moveTicket}, {"insertListing", insertListing},
                {"moveListing", moveListing}, {"insertOperation", insertOperation}};
        for (String[] s : single) {
            all.put(s[0], s[1]);
        }
        // Plain VALUES and IN lists on every backend.
        for (Object[] m : new Object[][] {{"insertHolds", insertHolds}, {"allowancesByKeys", allowancesByKeys}}) {
            for (int n : new int[] {1, 2, MAX_VALUES_ROWS}) {
                all.put(m[0] + "[" + n + " rows]", ((RowsInsert) m[1]).values(n));
            }
        }
        Object[][] multi = {{"insertBuckets", insertBuckets}, {"insertSeats", insertSeats},
                {"insertTickets", insertTickets}, {"insertMoney", insertMoney}, {"insertOperations", insertOperations}};
        for (Object[] m : multi) {
            RowsInsert r = (RowsInsert) m[1];
            if (arrayParameters) {
                all.put((String) m[0], r.arrays());
            } else {
                for (int n : new int[] {1, 2, MAX_VALUES_ROWS}) {
                    all.put(m[0] + "[" + n + " rows]", r.values(n));
                }
            }
        }
        return all;
    }

    private RowsInsert rows(String arrays, String head, String row, String tail) {
        return new RowsInsert(arrayParameters ? arrays : null, head, row, tail);
    }

    /**
     * A multi-row statement in the form this {@link Sql} uses: one text over arrays, or a {@code VALUES} (or
     * {@code IN}) list of one
     * row template repeated. Texts of up to {@value #CACHED_ROWS} rows are kept, since confirms (tickets) and money
     * legs insert a few rows on the hot path; longer ones are built when used.
     */
    static final class RowsInsert {
        private static final int CACHED_ROWS = 128;
        private final String arrays;
        private final String head;
        private final String row;
        private final String tail;
        private final String[] cached = new String[CACHED_ROWS + 1];

        RowsInsert(String arrays, String head, String row, String tail) {
            this.arrays = arrays;
            this.head = head;
            this.row = row;
            this.tail = tail;
        }

        /** The array form, or null when the backend binds no arrays. */
        String arrays() {
            return arrays;
        }

        /** The {@code VALUES} form for {@code rows} rows (1 to {@link #MAX_VALUES_ROWS}). */
        String values(int rows) {
            if (rows < 1 || rows > MAX_VALUES_ROWS) {
                throw new IllegalArgumentException("rows must be 1 to " + MAX_VALUES_ROWS + ", was " + rows);
            }
            if (rows <= CACHED_ROWS) {
                String s = cached[rows];
                if (s == null) {
                    s = render(rows);
                    cached[rows] = s; // a benign race: every thread renders the same text
                }
                return s;
            }
            return render(rows);
        }

        private String render(int rows) {
            StringJoiner j = new StringJoiner(", ", head, tail);
            for (int i = 0; i < rows; i++) {
                j.add(row);
            }
            return j.toString();
        }
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

package io.dhamana.jdbc.internal;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.VerificationStatus;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.Expiry;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.ListingRow;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.Table;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.Writes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One transaction on a JDBC connection, in two round trips: every round of reads is sent as one pipeline (several
 * statements in one flush, answered together; the first round also opens the transaction and reads the server's
 * clock), and the writes are held until the commit, then sent in one pipeline that ends with {@code COMMIT}.
 *
 * <p>Sending {@code COMMIT} behind the writes is safe because every guarded write fails loudly: its guard is a
 * {@code CASE} in the {@code SET} list whose false branch violates a {@code NOT NULL}, so a guard that no longer
 * holds aborts the transaction, and the server then refuses the {@code COMMIT} that follows. A refused call sends no
 * writes at all. Every failure is classified by {@link SqlErrors}. Not thread-safe, like the connection under it.
 */
final class JdbcTransaction implements StoreTransaction, Reads, Writes {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcTransaction.class);
    /** Rows fetched per round trip by the audit scans, so a large table streams instead of filling memory. */
    private static final int SCAN_FETCH_SIZE = 1_000;

    private final Connection connection;
    private final Sql sql;
    /** Statements without parameters that open each transaction (an isolation level), sent with its first round. */
    private final List<String> opening;
    private final List<Step> reads = new ArrayList<>();
    private final List<Step> writes = new ArrayList<>();
    private boolean rollbackOnly;
    private boolean started;
    private boolean wrote;
    private Instant now;

    JdbcTransaction(Connection connection, Sql sql, List<String> opening) {
        this.connection = connection;
        this.sql = sql;
        this.opening = opening;
    }

    boolean isRollbackOnly() {
        return rollbackOnly;
    }

    /** Whether any statement was sent, so that a transaction is open on the server. */
    boolean started() {
        return started;
    }

    // ------------------------------------------------------------------ the pipeline

    @FunctionalInterface
    private interface Binder {
        /** Binds this statement's parameters from {@code first}; returns the next free index. */
        int bind(PreparedStatement ps, int first) throws SQLException;
    }

    @FunctionalInterface
    private interface RowReader<R> {
        R read(ResultSet rs) throws SQLException;
    }

    /** One statement of a pipeline and what to do with its answer. */
    private abstract static class Step {
        final String what;

        Step(String what) {
            this.what = what;
        }

        abstract String sql();

        abstract int bind(PreparedStatement ps, int first) throws SQLException;

        /** The rows a query answered. */
        void rows(ResultSet rs) throws SQLException {
            throw new IllegalStateException(what + " answered rows");
        }

        /** The rows an update changed. */
        void count(long changed) {
        }
    }

    /** A statement without parameters whose answer does not matter. */
    private static Step plain(String what, String text) {
        return new Step(what) {
            @Override
            String sql() {
                return text;
            }

            @Override
            int bind(PreparedStatement ps, int first) {
                return first;
            }

            @Override
            void rows(ResultSet rs) {
                // SHOW and the like: nothing to keep
            }
        };
    }

    /** A query whose rows become a {@link Read}'s value. */
    private class Query<R, T> extends Step implements Read<T> {
        private final String text;
        private final Binder binder;
        private final RowReader<R> row;
        private final java.util.function.Function<List<R>, T> shape;
        private T value;
        private boolean done;

        Query(String what, String text, Binder binder, RowReader<R> row,
              java.util.function.Function<List<R>, T> shape) {
            super(what);
            this.text = text;
            this.binder = binder;
            this.row = row;
            this.shape = shape;
        }

        @Override
        String sql() {
            return text;
        }

        @Override
        int bind(PreparedStatement ps, int first) throws SQLException {
            return binder.bind(ps, first);
        }

        @Override
        void rows(ResultSet rs) throws SQLException {
            List<R> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.read(rs));
            }
            value = shape.apply(out);
            done = true;
        }

        @Override
        public T get() {
            if (!done) {
                throw new IllegalStateException(what + " has not been fetched: call fetch() on its round first");
            }
            return value;
        }
    }

    private <R> Read<Optional<R>> one(String what, String text, Binder binder, RowReader<R> row) {
        return query(what, text, binder, row, rows -> rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0)));
    }

    private <R> Read<List<R>> list(String what, String text, Binder binder, RowReader<R> row) {
        return query(what, text, binder, row, rows -> rows);
    }

    private <R, T> Read<T> query(String what, String text, Binder binder, RowReader<R> row,
                                 java.util.function.Function<List<R>, T> shape) {
        if (wrote) {
            throw new IllegalStateException("a read after this transaction's writes: plan every read first");
        }
        Query<R, T> q = new Query<>(what, text, binder, row, shape);
        reads.add(q);
        return q;
    }

    /** A write that must change exactly one row (a guarded update, or a return of stock to an existing bucket). */
    private void update(String what, String text, Binder binder) {
        wrote = true;
        writes.add(new Step(what) {
            @Override
            String sql() {
                return text;
            }

            @Override
            int bind(PreparedStatement ps, int first) throws SQLException {
                return binder.bind(ps, first);
            }

            @Override
            void count(long changed) {
                if (changed != 1) {
                    // The caller read this row in the same snapshot, and rows are never deleted.
                    throw new IllegalStateException(what + " changed " + changed + " rows instead of one");
                }
            }
        });
    }

    /** A write whose row count does not matter (an insert if absent, an upsert). */
    private void write(String what, String text, Binder binder) {
        wrote = true;
        writes.add(new Step(what) {
            @Override
            String sql() {
                return text;
            }

            @Override
            int bind(PreparedStatement ps, int first) throws SQLException {
                return binder.bind(ps, first);
            }
        });
    }

    /** Sends {@code steps} in one flush and hands each its answer; optionally ends with {@code COMMIT}. */
    private void run(List<Step> steps, boolean commit, String what) {
        if (steps.isEmpty() && !commit) {
            return;
        }
        StringBuilder text = new StringBuilder(256);
        for (Step s : steps) {
            if (text.length() > 0) {
                text.append(";\n");
            }
            text.append(s.sql());
        }
        if (commit) {
            text.append(text.length() > 0 ? ";\nCOMMIT" : "COMMIT");
        }
        Step current = null;
        try (PreparedStatement ps = connection.prepareStatement(text.toString())) {
            int p = 1;
            for (Step s : steps) {
                p = s.bind(ps, p);
            }
            boolean rows = ps.execute();
            started = true;
            for (Step s : steps) {
                current = s;
                if (rows) {
                    try (ResultSet rs = ps.getResultSet()) {
                        s.rows(rs);
                    }
                } else {
                    s.count(ps.getUpdateCount());
                }
                rows = ps.getMoreResults();
            }
        } catch (SQLException e) {
            started = true;
            throw SqlErrors.classify(e, current == null ? what : current.what);
        }
    }

    /** The statements that open the transaction, and the server's clock, ahead of the first round. */
    private List<Step> opening() {
        List<Step> out = new ArrayList<>(opening.size() + 1);
        for (String s : opening) {
            out.add(plain("begin", s));
        }
        out.add(new Query<Instant, Instant>("read the clock", sql.now, (ps, first) -> first,
                rs -> instant(rs, 1), rows -> rows.get(0)) {
            @Override
            void rows(ResultSet rs) throws SQLException {
                super.rows(rs);
                now = get();
            }
        });
        return out;
    }

    @Override
    public void fetch() {
        if (wrote) {
            throw new IllegalStateException("a read after this transaction's writes: plan every read first");
        }
        if (reads.isEmpty()) {
            return;
        }
        List<Step> steps = new ArrayList<>(reads.size() + 2);
        if (!started) {
            steps.addAll(opening());
        }
        steps.addAll(reads);
        reads.clear();
        run(steps, false, "read");
    }

    /**
     * Sends the writes and the commit in one flush, or just the commit if there are none. A failure of any
     * statement aborts the transaction on the server before {@code COMMIT} runs.
     */
    void commit() {
        if (!reads.isEmpty()) {
            throw new IllegalStateException("reads named but never fetched: " + reads.get(0).what);
        }
        if (writes.isEmpty()) {
            if (started) {
                try {
                    connection.commit();
                } catch (SQLException e) {
                    throw SqlErrors.classify(e, "commit");
                }
            }
            return;
        }
        List<Step> steps = new ArrayList<>(writes.size() + opening.size());
        if (!started) {
            for (String s : opening) {
                steps.add(plain("begin", s));
            }
        }
        steps.addAll(writes);
        writes.clear();
        run(steps, true, "commit");
    }

    // ------------------------------------------------------------------ control

    @Override
    public void markRollbackOnly() {
        rollbackOnly = true;
    }

    @Override
    public Instant now() {
        if (now == null) {
            if (started) {
                throw new IllegalStateException("the clock is read with the first round of reads");
            }
            run(opening(), false, "read the clock");
        }
        return now;
    }

    @Override
    public Reads reads() {
        if (wrote) {
            throw new IllegalStateException("a read after this transaction's writes: plan every read first");
        }
        return this;
    }

    @Override
    public Writes writes() {
        return this;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Read<Optional<EventRow>> event(EventId event) {
        return one("read event", sql.eventById, (ps, p) -> text(ps, p, event.value()), JdbcTransaction::eventRow);
    }

    @Override
    public Read<List<SectionRow>> sections(EventId event) {
        return list("read sections", sql.sectionsOfEvent, (ps, p) -> text(ps, p, event.value()),
                JdbcTransaction::sectionRow);
    }

    @Override
    public Read<List<BucketRow>> buckets(EventId event, SectionId section) {
        return list("read buckets", sql.bucketsOfSection, (ps, p) -> text(ps, p, event.value(), section.value()),
                JdbcTransaction::bucketRow);
    }

    @Override
    public Read<Optional<BucketRow>> bucket(EventId event, SectionId section, int bucket) {
        return one("read bucket", sql.bucketByKey, (ps, p) -> {
            p = text(ps, p, event.value(), section.value());
            ps.setInt(p, bucket);
            return p + 1;
        }, JdbcTransaction::bucketRow);
    }

    @Override
    public Read<List<BucketRow>> bucketsIfShort(EventId event, SectionId section, int first, int units) {
        return list("read buckets", sql.bucketsIfShort, (ps, p) -> {
            p = text(ps, p, event.value(), section.value(), event.value(), section.value());
            ps.setInt(p++, first);
            ps.setInt(p++, units);
            return p;
        }, JdbcTransaction::bucketRow);
    }

    @Override
    public Read<Optional<SeatRow>> seat(EventId event, SectionId section, SeatId seat) {
        return one("read seat", sql.seatByKey, (ps, p) -> text(ps, p, event.value(), section.value(), seat.value()),
                JdbcTransaction::seatRow);
    }

    @Override
    public Read<List<SeatRow>> seats(EventId event, SectionId section) {
        return list("read seats", sql.seatsOfSection, (ps, p) -> text(ps, p, event.value(), section.value()),
                JdbcTransaction::seatRow);
    }

    @Override
    public Read<Optional<AllowanceRow>> allowance(EventId event, BuyerId buyer) {
        return one("read allowance", sql.allowanceByKey, (ps, p) -> text(ps, p, event.value(), buyer.value()),
                JdbcTransaction::allowanceRow);
    }

    @Override
    public Read<Map<BuyerId, AllowanceRow>> allowances(EventId event, Collection<BuyerId> buyers) {
        List<BuyerId> all = List.copyOf(buyers);
        if (all.isEmpty()) {
            return Read.of(Map.of());
        }
        List<Read<List<AllowanceRow>>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += Sql.MAX_VALUES_ROWS) {
            List<BuyerId> chunk = all.subList(from, Math.min(all.size(), from + Sql.MAX_VALUES_ROWS));
            chunks.add(list("read allowances", sql.allowancesByKeys.values(chunk.size()), (ps, p) -> {
                ps.setString(p++, event.value());
                for (BuyerId b : chunk) {
                    ps.setString(p++, b.value());
                }
                return p;
            }, JdbcTransaction::allowanceRow));
        }
        return () -> {
            Map<BuyerId, AllowanceRow> out = new HashMap<>();
            for (Read<List<AllowanceRow>> c : chunks) {
                c.get().forEach(r -> out.put(r.buyer(), r));
            }
            return out;
        };
    }

    @Override
    public Read<Optional<HoldRow>> hold(HoldId hold) {
        return one("read hold", sql.holdById, (ps, p) -> uuid(ps, p, hold.value()), JdbcTransaction::holdRow);
    }

    @Override
    public Read<Optional<TicketRow>> ticket(TicketId ticket) {
        return one("read ticket", sql.ticketById, (ps, p) -> uuid(ps, p, ticket.value()), JdbcTransaction::ticketRow);
    }

    @Override
    public Read<List<TicketRow>> ticketsOfHold(HoldId hold) {
        return list("read tickets of hold", sql.ticketsOfHold, (ps, p) -> uuid(ps, p, hold.value()),
                JdbcTransaction::ticketRow);
    }

    @Override
    public Read<List<TicketRow>> ticketsOfOwner(EventId event, BuyerId owner) {
        return list("read tickets of owner", sql.ticketsOfOwner, (ps, p) -> text(ps, p, event.value(), owner.value()),
                JdbcTransaction::ticketRow);
    }

    @Override
    public Read<Optional<ListingRow>> listing(ListingId listing) {
        return one("read listing", sql.listingById, (ps, p) -> uuid(ps, p, listing.value()),
                JdbcTransaction::listingRow);
    }

    @Override
    public Read<Optional<TicketRow>> ticketOfListing(ListingId listing) {
        return one("read ticket of listing", sql.ticketOfListing, (ps, p) -> uuid(ps, p, listing.value()),
                JdbcTransaction::ticketRow);
    }

    @Override
    public Read<Optional<OperationRow>> operation(OperationKey key) {
        return one("read operation", sql.operationByKey, (ps, p) -> uuid(ps, p, key.value()),
                JdbcTransaction::operationRow);
    }

    @Override
    public Read<List<HoldRow>> expiredHolds(int limit) {
        return list("read expired holds", sql.expiredHolds, (ps, p) -> {
            ps.setInt(p, limit);
            return p + 1;
        }, JdbcTransaction::holdRow);
    }

    @Override
    public Read<List<HoldRow>> heldHolds(EventId event, int limit) {
        return list("read held holds", sql.heldHoldsOfEvent, (ps, p) -> {
            p = text(ps, p, event.value());
            ps.setInt(p, limit);
            return p + 1;
        }, JdbcTransaction::holdRow);
    }

    @Override
    public Read<List<TicketRow>> validTickets(EventId event, int limit) {
        return list("read valid tickets", sql.validTicketsOfEvent, (ps, p) -> {
            p = text(ps, p, event.value());
            ps.setInt(p, limit);
            return p + 1;
        }, JdbcTransaction::ticketRow);
    }

    @Override
    public Read<List<BuyerId>> seatClaims(EventId event, SectionId section, SeatId seat) {
        return list("read seat claims", sql.seatClaims, (ps, p) -> text(ps, p, event.value(), section.value(),
                seat.value(), event.value(), section.value(), seat.value()), rs -> BuyerId.of(rs.getString(1)));
    }

    @Override
    public Read<Long> activeUnits(EventId event, SectionId section) {
        return query("count active units", sql.activeUnits, (ps, p) -> text(ps, p, event.value(), section.value(),
                event.value(), section.value()), rs -> rs.getLong(1), rows -> rows.isEmpty() ? 0L : rows.get(0));
    }

    private static int text(PreparedStatement ps, int p, String... values) throws SQLException {
        for (String v : values) {
            ps.setString(p++, v);
        }
        return p;
    }

    private static int uuid(PreparedStatement ps, int p, UUID value) throws SQLException {
        ps.setObject(p, value);
        return p + 1;
    }

    // ------------------------------------------------------------------ scans

    @Override
    public <R> void scan(Table<R> table, Optional<EventId> event, Consumer<? super R> sink) {
        if (wrote) {
            throw new IllegalStateException("a scan after this transaction's writes: plan every read first");
        }
        fetch();
        if (!started) {
            run(opening(), false, "read the clock");
        }
        RowReader<?> reader = reader(table);
        String text = sql.scan(table, event.isPresent());
        try (PreparedStatement ps = connection.prepareStatement(text)) {
            ps.setFetchSize(SCAN_FETCH_SIZE); // with autocommit off, pgjdbc streams through a cursor
            if (event.isPresent()) {
                ps.setString(1, event.get().value());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(table.rowType().cast(reader.read(rs)));
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.classify(e, "scan " + table.name());
        }
    }

    private static RowReader<?> reader(Table<?> table) {
        return switch (table.name()) {
            case "event" -> JdbcTransaction::eventRow;
            case "section" -> JdbcTransaction::sectionRow;
            case "stock_bucket" -> JdbcTransaction::bucketRow;
            case "seat" -> JdbcTransaction::seatRow;
            case "allowance" -> JdbcTransaction::allowanceRow;
            case "hold" -> JdbcTransaction::holdRow;
            case "ticket" -> JdbcTransaction::ticketRow;
            case "listing" -> JdbcTransaction::listingRow;
            case "operation_log" -> JdbcTransaction::operationRow;
            case "money_entry" -> JdbcTransaction::moneyEntry;
            default -> throw new IllegalArgumentException("no rows of " + table);
        };
    }

    // ------------------------------------------------------------------ multi-row inserts

    /** A column of a multi-row insert: its SQL element type (as pgjdbc names it) and one value per row. */
    private record Column(String type, Object[] values) {}

    /**
     * Inserts rows given column by column, in the form {@code sql} uses: one statement binding an array per column,
     * or {@code VALUES} lists with one parameter per value, {@link Sql#MAX_VALUES_ROWS} rows a statement.
     */
    private void insertRows(String what, Sql.RowsInsert insert, Column... columns) {
        int n = columns[0].values().length;
        if (n == 0) {
            return;
        }
        if (sql.arrayParameters && insert.arrays() != null) {
            write(what, insert.arrays(), (ps, p) -> {
                for (Column c : columns) {
                    ps.setArray(p++, connection.createArrayOf(c.type(), c.values()));
                }
                return p;
            });
            return;
        }
        for (int from = 0; from < n; from += Sql.MAX_VALUES_ROWS) {
            int first = from;
            int rows = Math.min(Sql.MAX_VALUES_ROWS, n - from);
            write(what, insert.values(rows), (ps, p) -> {
                for (int r = first; r < first + rows; r++) {
                    for (Column c : columns) {
                        bindScalar(ps, p++, c.type(), c.values()[r]);
                    }
                }
                return p;
            });
        }
    }

    /**
     * Consecutive inserts of one kind (a combined hold's log rows, its holds) gathered into one multi-row statement,
     * built when the pipeline is sent.
     */
    private final class Gathered<R> extends Step {
        final List<R> rows = new ArrayList<>(4);
        private final String single;
        private final Sql.RowsInsert multi;
        private final RowBinder<R> binder;

        Gathered(String what, String single, Sql.RowsInsert multi, RowBinder<R> binder) {
            super(what);
            this.single = single;
            this.multi = multi;
            this.binder = binder;
        }

        @Override
        String sql() {
            return rows.size() == 1 ? single : multi.values(rows.size());
        }

        @Override
        int bind(PreparedStatement ps, int first) throws SQLException {
            int p = first;
            for (R r : rows) {
                p = binder.bind(ps, p, r);
            }
            return p;
        }
    }

    @FunctionalInterface
    private interface RowBinder<R> {
        int bind(PreparedStatement ps, int first, R row) throws SQLException;
    }

    @SuppressWarnings("unchecked")
    private <R> void gather(String what, String single, Sql.RowsInsert multi, RowBinder<R> binder, R row) {
        wrote = true;
        Step last = writes.isEmpty() ? null : writes.get(writes.size() - 1);
        if (last instanceof Gathered<?> g && g.what.equals(what) && g.rows.size() < Sql.MAX_VALUES_ROWS) {
            ((Gathered<R>) g).rows.add(row);
            return;
        }
        Gathered<R> g = new Gathered<>(what, single, multi, binder);
        g.rows.add(row);
        writes.add(g);
    }

    private static void bindScalar(PreparedStatement ps, int index, String type, Object value) throws SQLException {
        switch (type) {
            case "text" -> {
                if (value == null) {
                    ps.setNull(index, Types.VARCHAR);
                } else {
                    ps.setString(index, (String) value);
                }
            }
            case "int4" -> ps.setInt(index, (Integer) value);
            case "int8" -> ps.setLong(index, (Long) value);
            case "uuid" -> {
                if (value == null) {
                    ps.setNull(index, Types.OTHER);
                } else {
                    ps.setObject(index, value);
                }
            }
            default -> throw new IllegalArgumentException("no scalar binding for " + type);
        }
    }

    // ------------------------------------------------------------------ event provisioning

    @Override
    public void insertEvent(EventRow event) {
        write("insert event", sql.insertEvent, (ps, p) -> {
            p = text(ps, p, event.id().value(), event.name());
            ps.setInt(p++, event.perBuyerCap());
            ps.setInt(p++, event.resaleCapBps());
            return p;
        });
    }

    @Override
    public void insertSection(SectionRow s) {
        write("insert section", sql.insertSection, (ps, p) -> {
            p = text(ps, p, s.event().value(), s.section().value(), s.kind().name());
            ps.setInt(p++, s.capacity());
            ps.setInt(p++, s.buckets());
            ps.setLong(p++, s.faceValueMinor());
            ps.setInt(p++, s.ordinal());
            return p;
        });
    }

    @Override
    public void insertBuckets(List<BucketRow> buckets) {
        int n = buckets.size();
        String[] events = new String[n];
        String[] sections = new String[n];
        Integer[] numbers = new Integer[n];
        Integer[] remaining = new Integer[n];
        for (int i = 0; i < n; i++) {
            BucketRow b = buckets.get(i);
            events[i] = b.event().value();
            sections[i] = b.section().value();
            numbers[i] = b.bucket();
            remaining[i] = b.remaining();
        }
        insertRows("insert buckets", sql.insertBuckets, new Column("text", events), new Column("text", sections),
                new Column("int4", numbers), new Column("int4", remaining));
    }

    @Override
    public void insertSeats(List<SeatRow> seats) {
        int n = seats.size();
        String[] events = new String[n];
        String[] sections = new String[n];
        String[] ids = new String[n];
        String[] states = new String[n];
        UUID[] holders = new UUID[n];
        for (int i = 0; i < n; i++) {
            SeatRow s = seats.get(i);
            events[i] = s.event().value();
            sections[i] = s.section().value();
            ids[i] = s.seat().value();
            states[i] = s.state().name();
            holders[i] = s.holder().map(HoldId::value).orElse(null);
        }
        Column[] columns = {new Column("text", events), new Column("text", sections), new Column("text", ids),
                new Column("text", states), new Column("uuid", holders)};
        if (!sql.arrayParameters) {
            // The VALUES form carries each seat's position in its statement (unnest numbers them WITH ORDINALITY).
            Integer[] positions = new Integer[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i % Sql.MAX_VALUES_ROWS + 1;
            }
            columns = new Column[] {columns[0], columns[1], columns[2], columns[3], columns[4],
                    new Column("int4", positions)};
        }
        insertRows("insert seats", sql.insertSeats, columns);
    }

    // ------------------------------------------------------------------ the log and money

    @Override
    public void insertOperation(OperationRow op) {
        gather("insert operation", sql.insertOperation, sql.insertOperations, JdbcTransaction::bindOperation, op);
    }

    private static int bindOperation(PreparedStatement ps, int p, OperationRow op) throws SQLException {
        ps.setObject(p++, op.key().value());
        ps.setString(p++, op.operation().name());
        ps.setString(p++, op.event().value());
        ps.setString(p++, op.subject());
        ps.setString(p++, op.actor());
        ps.setInt(p++, op.units());
        ps.setLong(p++, op.amountMinor());
        return p;
    }

    @Override
    public void insertMoney(List<MoneyEntry> entries) {
        int n = entries.size();
        UUID[] ops = new UUID[n];
        Integer[] legs = new Integer[n];
        String[] accounts = new String[n];
        Long[] amounts = new Long[n];
        for (int i = 0; i < n; i++) {
            MoneyEntry m = entries.get(i);
            ops[i] = m.operation().value();
            legs[i] = m.leg();
            accounts[i] = m.account();
            amounts[i] = m.amountMinor();
        }
        insertRows("insert money", sql.insertMoney, new Column("uuid", ops), new Column("int4", legs),
                new Column("text", accounts), new Column("int8", amounts));
    }

    // ------------------------------------------------------------------ stock and seats

    @Override
    public void takeUnits(EventId event, SectionId section, int bucket, int units) {
        update("take stock", sql.takeUnits, (ps, p) -> {
            ps.setInt(p++, units);
            ps.setInt(p++, units);
            p = text(ps, p, event.value(), section.value());
            ps.setInt(p++, bucket);
            return p;
        });
    }

    @Override
    public void returnUnits(EventId event, SectionId section, int bucket, int units) {
        update("return stock", sql.returnUnits, (ps, p) -> {
            ps.setInt(p++, units);
            p = text(ps, p, event.value(), section.value());
            ps.setInt(p++, bucket);
            return p;
        });
    }

    @Override
    public void claimSeat(EventId event, SectionId section, SeatId seat, HoldId hold) {
        update("claim seat", sql.claimSeat, (ps, p) -> {
            p = uuid(ps, p, hold.value());
            return text(ps, p, event.value(), section.value(), seat.value());
        });
    }

    @Override
    public void moveSeat(EventId event, SectionId section, SeatId seat, HoldId holder, SeatState from,
                         SeatState to) {
        update("move seat", sql.moveSeat, (ps, p) -> {
            p = uuid(ps, p, holder.value());
            p = text(ps, p, from.name(), to.name());
            if (to == SeatState.AVAILABLE) {
                ps.setNull(p++, Types.OTHER); // an available seat has no holder
            } else {
                p = uuid(ps, p, holder.value());
            }
            return text(ps, p, event.value(), section.value(), seat.value());
        });
    }

    // ------------------------------------------------------------------ allowances

    @Override
    public void verify(EventId event, BuyerId buyer, String evidence, int cap) {
        write("verify buyer", sql.verify, (ps, p) -> {
            p = text(ps, p, event.value(), buyer.value(), evidence);
            ps.setInt(p++, cap);
            return p;
        });
    }

    @Override
    public void revoke(EventId event, BuyerId buyer) {
        update("revoke buyer", sql.revoke, (ps, p) -> text(ps, p, event.value(), buyer.value()));
    }

    @Override
    public void chargeAllowance(EventId event, BuyerId buyer, int units) {
        update("charge allowance", sql.chargeAllowance, (ps, p) -> {
            ps.setInt(p++, units);
            ps.setInt(p++, units);
            return text(ps, p, event.value(), buyer.value());
        });
    }

    @Override
    public void creditAllowance(EventId event, BuyerId buyer, int units) {
        update("credit allowance", sql.creditAllowance, (ps, p) -> {
            ps.setInt(p++, units);
            ps.setInt(p++, units);
            return text(ps, p, event.value(), buyer.value());
        });
    }

    // ------------------------------------------------------------------ holds and tickets

    @Override
    public void insertHold(HoldRow hold) {
        gather("insert hold", sql.insertHold, sql.insertHolds, JdbcTransaction::bindHold, hold);
    }

    private static int bindHold(PreparedStatement ps, int p, HoldRow h) throws SQLException {
        ps.setObject(p++, h.id().value());
        ps.setString(p++, h.event().value());
        ps.setString(p++, h.section().value());
        ps.setString(p++, h.seat().map(SeatId::value).orElse(null));
        ps.setString(p++, h.buyer().value());
        ps.setInt(p++, h.units());
        ps.setInt(p++, h.bucket());
        ps.setObject(p++, h.createdAt().atOffset(java.time.ZoneOffset.UTC));
        ps.setObject(p++, h.expiresAt().atOffset(java.time.ZoneOffset.UTC));
        ps.setLong(p++, h.unitPriceMinor());
        return p;
    }

    @Override
    public void moveHold(HoldId hold, HoldStatus from, HoldStatus to, Expiry expiry) {
        String statement = switch (expiry) {
            case ANY -> sql.moveHold;
            case UNEXPIRED -> sql.moveHoldUnexpired;
            case EXPIRED -> sql.moveHoldExpired;
        };
        update("move hold", statement, (ps, p) -> {
            p = text(ps, p, from.name(), to.name());
            return uuid(ps, p, hold.value());
        });
    }

    @Override
    public void insertTickets(List<TicketRow> tickets) {
        int n = tickets.size();
        UUID[] ids = new UUID[n];
        UUID[] holds = new UUID[n];
        String[] events = new String[n];
        String[] sections = new String[n];
        String[] seats = new String[n];
        Integer[] buckets = new Integer[n];
        String[] owners = new String[n];
        String[] states = new String[n];
        String[] codes = new String[n];
        Long[] faces = new Long[n];
        for (int i = 0; i < n; i++) {
            TicketRow t = tickets.get(i);
            ids[i] = t.id().value();
            holds[i] = t.hold().value();
            events[i] = t.event().value();
            sections[i] = t.section().value();
            seats[i] = t.seat().map(SeatId::value).orElse(null);
            buckets[i] = t.bucket();
            owners[i] = t.owner().value();
            states[i] = t.state().name();
            codes[i] = t.code();
            faces[i] = t.faceValueMinor();
        }
        insertRows("insert tickets", sql.insertTickets, new Column("uuid", ids), new Column("uuid", holds),
                new Column("text", events), new Column("text", sections), new Column("text", seats),
                new Column("int4", buckets), new Column("text", owners), new Column("text", states),
                new Column("text", codes), new Column("int8", faces));
    }

    @Override
    public void moveTicket(TicketId ticket, BuyerId owner, TicketState from, TicketState to, BuyerId newOwner,
                           Optional<String> newCode) {
        update("move ticket", sql.moveTicket, (ps, p) -> {
            p = text(ps, p, newOwner.value(), owner.value(), from.name(), to.name());
            ps.setString(p++, newCode.orElse(null));
            return uuid(ps, p, ticket.value());
        });
    }

    // ------------------------------------------------------------------ resale

    @Override
    public void insertListing(ListingId listing, TicketId ticket, BuyerId seller, long askMinor) {
        update("insert listing", sql.insertListing, (ps, p) -> {
            p = uuid(ps, p, listing.value());
            ps.setString(p++, seller.value());
            ps.setLong(p++, askMinor);
            return uuid(ps, p, ticket.value());
        });
    }

    @Override
    public void moveListing(ListingId listing, ListingState from, ListingState to, Optional<BuyerId> buyer) {
        update("move listing", sql.moveListing, (ps, p) -> {
            p = text(ps, p, from.name(), to.name());
            ps.setString(p++, buyer.map(BuyerId::value).orElse(null));
            return uuid(ps, p, listing.value());
        });
    }

    // ------------------------------------------------------------------ row mapping (column order of Sql)

    private static EventRow eventRow(ResultSet rs) throws SQLException {
        return new EventRow(EventId.of(rs.getString(1)), rs.getString(2), rs.getInt(3), rs.getInt(4));
    }

    private static SectionRow sectionRow(ResultSet rs) throws SQLException {
        return new SectionRow(EventId.of(rs.getString(1)), SectionId.of(rs.getString(2)),
                SectionKind.valueOf(rs.getString(3)), rs.getInt(4), rs.getInt(5), rs.getLong(6), rs.getInt(7));
    }

    private static BucketRow bucketRow(ResultSet rs) throws SQLException {
        return new BucketRow(EventId.of(rs.getString(1)), SectionId.of(rs.getString(2)), rs.getInt(3), rs.getInt(4));
    }

    private static SeatRow seatRow(ResultSet rs) throws SQLException {
        UUID holder = rs.getObject(5, UUID.class);
        return new SeatRow(EventId.of(rs.getString(1)), SectionId.of(rs.getString(2)), SeatId.of(rs.getString(3)),
                SeatState.valueOf(rs.getString(4)), Optional.ofNullable(holder).map(HoldId::of));
    }

    private static AllowanceRow allowanceRow(ResultSet rs) throws SQLException {
        return new AllowanceRow(EventId.of(rs.getString(1)), BuyerId.of(rs.getString(2)),
                VerificationStatus.valueOf(rs.getString(3)), rs.getString(4), rs.getInt(5), rs.getInt(6));
    }

    private static HoldRow holdRow(ResultSet rs) throws SQLException {
        return new HoldRow(HoldId.of(rs.getObject(1, UUID.class)), EventId.of(rs.getString(2)),
                SectionId.of(rs.getString(3)), Optional.ofNullable(rs.getString(4)).map(SeatId::of),
                BuyerId.of(rs.getString(5)), rs.getInt(6), rs.getInt(7), HoldStatus.valueOf(rs.getString(8)),
                instant(rs, 9), instant(rs, 10), rs.getLong(11));
    }

    private static TicketRow ticketRow(ResultSet rs) throws SQLException {
        return new TicketRow(TicketId.of(rs.getObject(1, UUID.class)), HoldId.of(rs.getObject(2, UUID.class)),
                EventId.of(rs.getString(3)), SectionId.of(rs.getString(4)),
                Optional.ofNullable(rs.getString(5)).map(SeatId::of), rs.getInt(6), BuyerId.of(rs.getString(7)),
                TicketState.valueOf(rs.getString(8)), rs.getString(9), rs.getLong(10));
    }

    private static ListingRow listingRow(ResultSet rs) throws SQLException {
        return new ListingRow(ListingId.of(rs.getObject(1, UUID.class)), TicketId.of(rs.getObject(2, UUID.class)),
                EventId.of(rs.getString(3)), BuyerId.of(rs.getString(4)), rs.getLong(5), rs.getLong(6),
                ListingState.valueOf(rs.getString(7)), Optional.ofNullable(rs.getString(8)).map(BuyerId::of));
    }

    private static OperationRow operationRow(ResultSet rs) throws SQLException {
        return new OperationRow(OperationKey.of(rs.getObject(1, UUID.class)), Operation.valueOf(rs.getString(2)),
                EventId.of(rs.getString(3)), rs.getString(4), rs.getString(5), rs.getInt(6), rs.getLong(7));
    }

    private static MoneyEntry moneyEntry(ResultSet rs) throws SQLException {
        return new MoneyEntry(OperationKey.of(rs.getObject(1, UUID.class)), rs.getInt(2), rs.getString(3),
                rs.getLong(4));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}

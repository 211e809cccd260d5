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
import io.dhamana.spi.NewHold;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketRow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One transaction on a JDBC connection: every {@link StoreTransaction} method is one parameterised statement. A
 * failed statement is classified at once ({@link SqlErrors}) and thrown; the transaction is then unusable and
 * {@link JdbcStore} rolls it back. Not thread-safe, like the connection under it.
 */
final class JdbcTransaction implements StoreTransaction {
    /** Rows fetched per round trip by the audit scans, so a large table streams instead of filling memory. */
    private static final int SCAN_FETCH_SIZE = 1_000;

    private final Connection connection;
    private final Sql sql;
    private boolean rollbackOnly;
    private Instant now;

    JdbcTransaction(Connection connection, Sql sql) {
        this.connection = connection;
        this.sql = sql;
    }

    boolean isRollbackOnly() {
        return rollbackOnly;
    }

    // ------------------------------------------------------------------ statement helpers

    @FunctionalInterface
    private interface Bind {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface Read<R> {
        R read(ResultSet rs) throws SQLException;
    }

    private int update(String what, String statement, Bind bind) {
        try (PreparedStatement ps = connection.prepareStatement(statement)) {
            bind.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.classify(e, what);
        }
    }

    @FunctionalInterface
    private interface BindRow {
        void bind(PreparedStatement ps, int row) throws SQLException;
    }

    /**
     * One statement run for {@code rows} parameter sets as a JDBC batch: the driver sends them together, so a
     * combined hold pays one round trip per kind of write rather than one per member.
     *
     * @return per row, whether it changed exactly one row
     */
    private boolean[] batch(String what, String statement, int rows, BindRow bind) {
        try (PreparedStatement ps = connection.prepareStatement(statement)) {
            for (int i = 0; i < rows; i++) {
                bind.bind(ps, i);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            boolean[] out = new boolean[rows];
            for (int i = 0; i < rows; i++) {
                if (counts[i] < 0) {
                    // A guard is its row count: a driver that batches without counts cannot be trusted here.
                    throw new IllegalStateException(what + ": the driver reported no row count for a batched row");
                }
                out[i] = counts[i] == 1;
            }
            return out;
        } catch (SQLException e) {
            throw SqlErrors.classify(e, what);
        }
    }

    private <R> Optional<R> one(String what, String statement, Bind bind, Read<R> read) {
        try (PreparedStatement ps = connection.prepareStatement(statement)) {
            bind.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read.read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SqlErrors.classify(e, what);
        }
    }

    private <R> List<R> list(String what, String statement, Bind bind, Read<R> read) {
        List<R> out = new ArrayList<>();
        each(what, statement, bind, read, out::add, 0);
        return out;
    }

    private <R> void each(String what, String statement, Bind bind, Read<R> read, Consumer<? super R> sink,
                          int fetchSize) {
        try (PreparedStatement ps = connection.prepareStatement(statement)) {
            if (fetchSize > 0) {
                ps.setFetchSize(fetchSize); // with autocommit off, pgjdbc streams through a cursor
            }
            bind.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(read.read(rs));
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.classify(e, what);
        }
    }

    private <R> void scan(String what, Optional<EventId> event, String all, String ofEvent, Read<R> read,
                          Consumer<? super R> sink) {
        if (event.isPresent()) {
            each(what, ofEvent, ps -> ps.setString(1, event.get().value()), read, sink, SCAN_FETCH_SIZE);
        } else {
            each(what, all, ps -> { }, read, sink, SCAN_FETCH_SIZE);
        }
    }

    /** A column of a multi-row insert: its SQL element type (as pgjdbc names it) and one value per row. */
    private record Column(String type, Object[] values) {}

    /**
     * Inserts rows given column by column, in the form {@code sql} uses: one statement binding an array per column,
     * or {@code VALUES} lists with one parameter per value, {@link Sql#MAX_VALUES_ROWS} rows a statement.
     *
     * @return how many rows were inserted
     */
    private int insertRows(String what, Sql.RowsInsert insert, Column... columns) {
        int n = columns[0].values().length;
        if (sql.arrayParameters) {
            return update(what, insert.arrays(), ps -> {
                for (int c = 0; c < columns.length; c++) {
                    ps.setArray(c + 1, connection.createArrayOf(columns[c].type(), columns[c].values()));
                }
            });
        }
        int inserted = 0;
        for (int from = 0; from < n; from += Sql.MAX_VALUES_ROWS) {
            int first = from;
            int rows = Math.min(Sql.MAX_VALUES_ROWS, n - from);
            inserted += update(what, insert.values(rows), ps -> {
                int p = 1;
                for (int r = first; r < first + rows; r++) {
                    for (Column c : columns) {
                        bindScalar(ps, p++, c.type(), c.values()[r]);
                    }
                }
            });
        }
        return inserted;
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

    // ------------------------------------------------------------------ control

    @Override
    public void markRollbackOnly() {
        rollbackOnly = true;
    }

    @Override
    public Instant now() {
        if (now == null) {
            // now() is the transaction's start on the server: the clock every expiry is judged by.
            now = one("read the clock", sql.now, ps -> { }, rs -> instant(rs, 1)).orElseThrow();
        }
        return now;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<EventRow> event(EventId event) {
        return one("read event", sql.eventById, ps -> ps.setString(1, event.value()), JdbcTransaction::eventRow);
    }

    @Override
    public List<SectionRow> sections(EventId event) {
        return list("read sections", sql.sectionsOfEvent, ps -> ps.setString(1, event.value()),
                JdbcTransaction::sectionRow);
    }

    @Override
    public List<BucketRow> buckets(EventId event, SectionId section) {
        return list("read buckets", sql.bucketsOfSection, ps -> {
            ps.setString(1, event.value());
            ps.setString(2, section.value());
        }, JdbcTransaction::bucketRow);
    }

    @Override
    public Optional<SeatRow> seat(EventId event, SectionId section, SeatId seat) {
        return one("read seat", sql.seatByKey, ps -> {
            ps.setString(1, event.value());
            ps.setString(2, section.value());
            ps.setString(3, seat.value());
        }, JdbcTransaction::seatRow);
    }

    @Override
    public List<SeatRow> seats(EventId event, SectionId section) {
        return list("read seats", sql.seatsOfSection, ps -> {
            ps.setString(1, event.value());
            ps.setString(2, section.value());
        }, JdbcTransaction::seatRow);
    }

    @Override
    public Optional<AllowanceRow> allowance(EventId event, BuyerId buyer) {
        return one("read allowance", sql.allowanceByKey, ps -> {
            ps.setString(1, event.value());
            ps.setString(2, buyer.value());
        }, JdbcTransaction::allowanceRow);
    }

    @Override
    public Map<BuyerId, AllowanceRow> allowances(EventId event, List<BuyerId> buyers) {
        Map<BuyerId, AllowanceRow> out = new HashMap<>();
        for (int from = 0; from < buyers.size(); from += Sql.MAX_VALUES_ROWS) {
            List<BuyerId> chunk = buyers.subList(from, Math.min(buyers.size(), from + Sql.MAX_VALUES_ROWS));
            each("read allowances", sql.allowancesByKeys.values(chunk.size()), ps -> {
                ps.setString(1, event.value());
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 2, chunk.get(i).value());
                }
            }, JdbcTransaction::allowanceRow, r -> out.put(r.buyer(), r), 0);
        }
        return out;
    }

    @Override
    public Optional<HoldRow> hold(HoldId hold) {
        return one("read hold", sql.holdById, ps -> ps.setObject(1, hold.value()), JdbcTransaction::holdRow);
    }

    @Override
    public Optional<TicketRow> ticket(TicketId ticket) {
        return one("read ticket", sql.ticketById, ps -> ps.setObject(1, ticket.value()), JdbcTransaction::ticketRow);
    }

    @Override
    public List<TicketRow> ticketsOfHold(HoldId hold) {
        return list("read tickets of hold", sql.ticketsOfHold, ps -> ps.setObject(1, hold.value()),
                JdbcTransaction::ticketRow);
    }

    @Override
    public List<TicketRow> ticketsOfOwner(EventId event, BuyerId owner) {
        return list("read tickets of owner", sql.ticketsOfOwner, ps -> {
            ps.setString(1, event.value());
            ps.setString(2, owner.value());
        }, JdbcTransaction::ticketRow);
    }

    @Override
    public Optional<ListingRow> listing(ListingId listing) {
        return one("read listing", sql.listingById, ps -> ps.setObject(1, listing.value()),
                JdbcTransaction::listingRow);
    }

    @Override
    public Optional<OperationRow> operation(OperationKey key) {
        return one("read operation", sql.operationByKey, ps -> ps.setObject(1, key.value()),
                JdbcTransaction::operationRow);
    }

    @Override
    public List<HoldRow> expiredHolds(int limit) {
        return list("read expired holds", sql.expiredHolds, ps -> ps.setInt(1, limit), JdbcTransaction::holdRow);
    }

    @Override
    public List<HoldRow> heldHolds(EventId event, int limit) {
        return list("read held holds", sql.heldHoldsOfEvent, ps -> {
            ps.setString(1, event.value());
            ps.setInt(2, limit);
        }, JdbcTransaction::holdRow);
    }

    @Override
    public List<TicketRow> validTickets(EventId event, int limit) {
        return list("read valid tickets", sql.validTicketsOfEvent, ps -> {
            ps.setString(1, event.value());
            ps.setInt(2, limit);
        }, JdbcTransaction::ticketRow);
    }

    @Override
    public long activeUnits(EventId event, SectionId section) {
        return one("count active units", sql.activeUnits, ps -> {
            ps.setString(1, event.value());
            ps.setString(2, section.value());
            ps.setString(3, event.value());
            ps.setString(4, section.value());
        }, rs -> rs.getLong(1)).orElse(0L);
    }

    @Override
    public List<BuyerId> seatClaims(EventId event, SectionId section, SeatId seat) {
        return list("read seat claims", sql.seatClaims, ps -> {
            for (int base = 0; base <= 3; base += 3) {
                ps.setString(base + 1, event.value());
                ps.setString(base + 2, section.value());
                ps.setString(base + 3, seat.value());
            }
        }, rs -> BuyerId.of(rs.getString(1)));
    }

    // ------------------------------------------------------------------ scans

    @Override
    public void scanEvents(Consumer<EventRow> sink) {
        each("scan events", sql.scanEvents, ps -> { }, JdbcTransaction::eventRow, sink, SCAN_FETCH_SIZE);
    }

    @Override
    public void scanSections(Optional<EventId> event, Consumer<SectionRow> sink) {
        scan("scan sections", event, sql.scanSections, sql.scanSectionsOfEvent, JdbcTransaction::sectionRow, sink);
    }

    @Override
    public void scanBuckets(Optional<EventId> event, Consumer<BucketRow> sink) {
        scan("scan buckets", event, sql.scanBuckets, sql.scanBucketsOfEvent, JdbcTransaction::bucketRow, sink);
    }

    @Override
    public void scanSeats(Optional<EventId> event, Consumer<SeatRow> sink) {
        scan("scan seats", event, sql.scanSeats, sql.scanSeatsOfEvent, JdbcTransaction::seatRow, sink);
    }

    @Override
    public void scanAllowances(Optional<EventId> event, Consumer<AllowanceRow> sink) {
        scan("scan allowances", event, sql.scanAllowances, sql.scanAllowancesOfEvent, JdbcTransaction::allowanceRow,
                sink);
    }

    @Override
    public void scanHolds(Optional<EventId> event, Consumer<HoldRow> sink) {
        scan("scan holds", event, sql.scanHolds, sql.scanHoldsOfEvent, JdbcTransaction::holdRow, sink);
    }

    @Override
    public void scanTickets(Optional<EventId> event, Consumer<TicketRow> sink) {
        scan("scan tickets", event, sql.scanTickets, sql.scanTicketsOfEvent, JdbcTransaction::ticketRow, sink);
    }

    @Override
    public void scanListings(Optional<EventId> event, Consumer<ListingRow> sink) {
        scan("scan listings", event, sql.scanListings, sql.scanListingsOfEvent, JdbcTransaction::listingRow, sink);
    }

    @Override
    public void scanOperations(Optional<EventId> event, Consumer<OperationRow> sink) {
        scan("scan operations", event, sql.scanOperations, sql.scanOperationsOfEvent, JdbcTransaction::operationRow,
                sink);
    }

    @Override
    public void scanMoney(Optional<EventId> event, Consumer<MoneyEntry> sink) {
        scan("scan money", event, sql.scanMoney, sql.scanMoneyOfEvent, JdbcTransaction::moneyEntry, sink);
    }

    // ------------------------------------------------------------------ event creation

    @Override
    public boolean insertEvent(EventRow event) {
        return update("insert event", sql.insertEvent, ps -> {
            ps.setString(1, event.id().value());
            ps.setString(2, event.name());
            ps.setInt(3, event.perBuyerCap());
            ps.setInt(4, event.resaleCapBps());
        }) == 1;
    }

    @Override
    public boolean insertSection(SectionRow s) {
        return update("insert section", sql.insertSection, ps -> {
            ps.setString(1, s.event().value());
            ps.setString(2, s.section().value());
            ps.setString(3, s.kind().name());
            ps.setInt(4, s.capacity());
            ps.setInt(5, s.buckets());
            ps.setLong(6, s.faceValueMinor());
            ps.setInt(7, s.ordinal());
        }) == 1;
    }

    @Override
    public int insertBuckets(List<BucketRow> buckets) {
        if (buckets.isEmpty()) {
            return 0;
        }
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
        return insertRows("insert buckets", sql.insertBuckets, new Column("text", events),
                new Column("text", sections), new Column("int4", numbers), new Column("int4", remaining));
    }

    @Override
    public int insertSeats(List<SeatRow> seats) {
        if (seats.isEmpty()) {
            return 0;
        }
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
        return insertRows("insert seats", sql.insertSeats, columns);
    }

    // ------------------------------------------------------------------ guarded writes

    @Override
    public boolean takeUnits(EventId event, SectionId section, int bucket, int units) {
        return update("take stock", sql.takeUnits, ps -> {
            ps.setInt(1, units);
            ps.setString(2, event.value());
            ps.setString(3, section.value());
            ps.setInt(4, bucket);
            ps.setInt(5, units);
        }) == 1;
    }

    @Override
    public void returnUnits(EventId event, SectionId section, int bucket, int units) {
        int n = update("return stock", sql.returnUnits, ps -> {
            ps.setInt(1, units);
            ps.setString(2, event.value());
            ps.setString(3, section.value());
            ps.setInt(4, bucket);
        });
        if (n != 1) {
            throw new IllegalStateException("no bucket " + bucket + " in " + event + "/" + section);
        }
    }

    @Override
    public boolean claimSeat(EventId event, SectionId section, SeatId seat, HoldId hold) {
        return update("claim seat", sql.claimSeat, ps -> {
            ps.setObject(1, hold.value());
            ps.setString(2, event.value());
            ps.setString(3, section.value());
            ps.setString(4, seat.value());
        }) == 1;
    }

    @Override
    public boolean moveSeat(EventId event, SectionId section, SeatId seat, HoldId holder, SeatState from,
                            SeatState to) {
        return update("move seat", sql.moveSeat, ps -> {
            ps.setString(1, to.name());
            if (to == SeatState.AVAILABLE) {
                ps.setNull(2, Types.OTHER); // an available seat has no holder
            } else {
                ps.setObject(2, holder.value());
            }
            ps.setString(3, event.value());
            ps.setString(4, section.value());
            ps.setString(5, seat.value());
            ps.setObject(6, holder.value());
            ps.setString(7, from.name());
        }) == 1;
    }

    @Override
    public AllowanceRow verify(EventId event, BuyerId buyer, String evidence, int cap) {
        return one("verify buyer", sql.verify, ps -> {
            ps.setString(1, event.value());
            ps.setString(2, buyer.value());
            ps.setString(3, evidence);
            ps.setInt(4, cap);
        }, JdbcTransaction::allowanceRow).orElseThrow(() -> new IllegalStateException("verify returned no row"));
    }

    @Override
    public boolean revoke(EventId event, BuyerId buyer) {
        return update("revoke buyer", sql.revoke, ps -> {
            ps.setString(1, event.value());
            ps.setString(2, buyer.value());
        }) == 1;
    }

    @Override
    public boolean chargeAllowance(EventId event, BuyerId buyer, int units) {
        return update("charge allowance", sql.chargeAllowance, ps -> bindCharge(ps, event, buyer, units)) == 1;
    }

    @Override
    public boolean[] chargeAllowances(EventId event, List<BuyerId> buyers, int[] units) {
        return batch("charge allowances", sql.chargeAllowance, buyers.size(),
                (ps, i) -> bindCharge(ps, event, buyers.get(i), units[i]));
    }

    private static void bindCharge(PreparedStatement ps, EventId event, BuyerId buyer, int units)
            throws SQLException {
        ps.setInt(1, units);
        ps.setString(2, event.value());
        ps.setString(3, buyer.value());
        ps.setInt(4, units);
    }

    @Override
    public boolean creditAllowance(EventId event, BuyerId buyer, int units) {
        return update("credit allowance", sql.creditAllowance, ps -> {
            ps.setInt(1, units);
            ps.setString(2, event.value());
            ps.setString(3, buyer.value());
            ps.setInt(4, units);
        }) == 1;
    }

    @Override
    public Optional<HoldRow> insertHold(NewHold h) {
        return one("insert hold", sql.insertHold, ps -> bindHold(ps, 1, h), rs -> new HoldRow(h.id(), h.event(), h.section(), h.seat(), h.buyer(), h.units(), h.bucket(),
                HoldStatus.HELD, instant(rs, 1), instant(rs, 2), h.unitPriceMinor()));
    }

    @Override
    public List<Optional<HoldRow>> insertHolds(List<NewHold> holds) {
        Map<UUID, Instant[]> stamped = new HashMap<>();
        for (int from = 0; from < holds.size(); from += Sql.MAX_VALUES_ROWS) {
            List<NewHold> chunk = holds.subList(from, Math.min(holds.size(), from + Sql.MAX_VALUES_ROWS));
            each("insert holds", sql.insertHolds.values(chunk.size()), ps -> {
                int p = 1;
                for (NewHold h : chunk) {
                    p = bindHold(ps, p, h);
                }
            }, rs -> Map.entry(rs.getObject(1, UUID.class), new Instant[] {instant(rs, 2), instant(rs, 3)}),
                    e -> stamped.put(e.getKey(), e.getValue()), 0);
        }
        List<Optional<HoldRow>> out = new ArrayList<>(holds.size());
        for (NewHold h : holds) {
            Instant[] at = stamped.remove(h.id().value()); // an id given twice is inserted once, for the first
            out.add(at == null ? Optional.empty() : Optional.of(new HoldRow(h.id(), h.event(), h.section(), h.seat(),
                    h.buyer(), h.units(), h.bucket(), HoldStatus.HELD, at[0], at[1], h.unitPriceMinor())));
        }
        return out;
    }

    /** Binds a hold's nine parameters from {@code first}; returns the next parameter index. */
    private static int bindHold(PreparedStatement ps, int first, NewHold h) throws SQLException {
        int p = first;
        ps.setObject(p++, h.id().value());
        ps.setString(p++, h.event().value());
        ps.setString(p++, h.section().value());
        ps.setString(p++, h.seat().map(SeatId::value).orElse(null));
        ps.setString(p++, h.buyer().value());
        ps.setInt(p++, h.units());
        ps.setInt(p++, h.bucket());
        ps.setLong(p++, Math.floorDiv(h.ttl().toNanos(), 1_000L)); // the TTL in microseconds
        ps.setLong(p++, h.unitPriceMinor());
        return p;
    }

    @Override
    public boolean moveHold(HoldId hold, HoldStatus from, HoldStatus to, Expiry expiry) {
        String statement = switch (expiry) {
            case ANY -> sql.moveHold;
            case UNEXPIRED -> sql.moveHoldUnexpired;
            case EXPIRED -> sql.moveHoldExpired;
        };
        return update("move hold", statement, ps -> {
            ps.setString(1, to.name());
            ps.setObject(2, hold.value());
            ps.setString(3, from.name());
        }) == 1;
    }

    @Override
    public int insertTickets(List<TicketRow> tickets) {
        if (tickets.isEmpty()) {
            return 0;
        }
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
        return insertRows("insert tickets", sql.insertTickets, new Column("uuid", ids), new Column("uuid", holds),
                new Column("text", events), new Column("text", sections), new Column("text", seats),
                new Column("int4", buckets), new Column("text", owners), new Column("text", states),
                new Column("text", codes), new Column("int8", faces));
    }

    @Override
    public boolean moveTicket(TicketId ticket, BuyerId owner, TicketState from, TicketState to, BuyerId newOwner,
                              Optional<String> newCode) {
        return update("move ticket", sql.moveTicket, ps -> {
            ps.setString(1, newOwner.value());
            ps.setString(2, to.name());
            ps.setString(3, newCode.orElse(null));
            ps.setObject(4, ticket.value());
            ps.setString(5, owner.value());
            ps.setString(6, from.name());
        }) == 1;
    }

    @Override
    public Optional<ListingRow> insertListing(ListingId listing, TicketId ticket, BuyerId seller, long askMinor) {
        return one("insert listing", sql.insertListing, ps -> {
            ps.setObject(1, listing.value());
            ps.setString(2, seller.value());
            ps.setLong(3, askMinor);
            ps.setObject(4, ticket.value());
        }, JdbcTransaction::listingRow);
    }

    @Override
    public boolean moveListing(ListingId listing, ListingState from, ListingState to, Optional<BuyerId> buyer) {
        return update("move listing", sql.moveListing, ps -> {
            ps.setString(1, to.name());
            ps.setString(2, buyer.map(BuyerId::value).orElse(null));
            ps.setObject(3, listing.value());
            ps.setString(4, from.name());
        }) == 1;
    }

    @Override
    public boolean insertOperation(OperationRow op) {
        return update("insert operation", sql.insertOperation, ps -> bindOperation(ps, op)) == 1;
    }

    @Override
    public boolean[] insertOperations(List<OperationRow> operations) {
        return batch("insert operations", sql.insertOperation, operations.size(),
                (ps, i) -> bindOperation(ps, operations.get(i)));
    }

    private static void bindOperation(PreparedStatement ps, OperationRow op) throws SQLException {
        ps.setObject(1, op.key().value());
        ps.setString(2, op.operation().name());
        ps.setString(3, op.event().value());
        ps.setString(4, op.subject());
        ps.setString(5, op.actor());
        ps.setInt(6, op.units());
        ps.setLong(7, op.amountMinor());
    }

    @Override
    public void insertMoney(List<MoneyEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
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

package io.dhamana.jdbc.internal;

import io.dhamana.ConflictException;
import io.dhamana.DhamanaException;
import io.dhamana.StoreException;
import io.dhamana.spi.Constraint;
import io.dhamana.spi.ConstraintViolationException;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a JDBC failure into the SDK's three kinds: a {@link ConflictException} (serialization failure or deadlock:
 * the client retries), a {@link ConstraintViolationException} (a last-line constraint refused a write), or a
 * {@link StoreException}, transient when the connection or server was lost and permanent otherwise. The whole
 * cause chain and every {@link SQLException#getNextException()} are searched, so a wrapped 40001 is still a
 * conflict. Messages carry the SQLSTATE and the first line of the driver's message: never the statement's
 * parameters, the connection's credentials or the server's row detail.
 *
 * <p>Aurora DSQL reports its optimistic-concurrency conflicts as SQLSTATE 40001 with a label in the message
 * ({@code OC000}: a concurrent transaction wrote the same row; {@code OC001}: the schema changed). The SQLSTATE
 * decides; the label only names the cause in the message. A limit (54000: rows, bytes or age of a transaction) and
 * an unsupported statement (0A000) are permanent and say which limit or statement it was: repeating the same work
 * would fail the same way.
 */
public final class SqlErrors {
    /** Serialization failure (PostgreSQL SSI and snapshot conflicts; Aurora DSQL OC000/OC001). */
    public static final String SERIALIZATION_FAILURE = "40001";
    public static final String DEADLOCK = "40P01";
    public static final String UNIQUE_VIOLATION = "23505";
    public static final String CHECK_VIOLATION = "23514";
    /** not_null_violation: how a guarded write reports a guard that no longer holds (see {@link Sql}). */
    public static final String NOT_NULL_VIOLATION = "23502";
    /** program_limit_exceeded: Aurora DSQL's per-transaction limits (rows, size, age) and key or row sizes. */
    public static final String LIMIT_EXCEEDED = "54000";
    /** feature_not_supported: a statement or clause the server refuses. */
    public static final String NOT_SUPPORTED = "0A000";
    /**
     * The OCC labels, should a driver or proxy ever report them as the SQLSTATE itself (AWS's own connectors accept
     * that form too); DSQL documents them inside a 40001 message.
     */
    private static final Set<String> OCC_LABELS = Set.of("OC000", "OC001");

    private static final Set<String> TRANSIENT_STATES = Set.of(
            "57P01", // admin_shutdown: the backend was terminated (pg_terminate_backend, a fast shutdown)
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now: the server is starting or in recovery
            "53300"); // too_many_connections

    private static final Pattern QUOTED_CONSTRAINT = Pattern.compile("constraint \"([^\"]+)\"");
    private static final Pattern NULL_COLUMN = Pattern.compile("column \"([^\"]+)\"(?: of relation \"([^\"]+)\")?");
    /** The columns whose guard is a CASE in a guarded write's SET list, by table. */
    private static final Set<String> GUARD_COLUMNS = Set.of("stock_bucket.remaining", "seat.state",
            "allowance.status", "allowance.used", "hold.status", "ticket.state", "listing.state");
    /**
     * Keys that the operation log and the strict inserts behind it (holds, tickets, listings) take: one already
     * present means the work is being done, or was done, by someone else or an earlier attempt.
     */
    private static final Set<String> KEYS_TAKEN_BY_RIVALS = Set.of("operation_log_pkey", "hold_pkey", "ticket_pkey",
            "listing_pkey");
    private static final int MAX_CHAIN = 32;

    private static final Map<String, Constraint> CONSTRAINTS = Map.of(
            SchemaDdl.STOCK_NOT_NEGATIVE, Constraint.STOCK_NOT_NEGATIVE,
            SchemaDdl.ALLOWANCE_WITHIN_CAP, Constraint.ALLOWANCE_WITHIN_CAP,
            SchemaDdl.ASK_WITHIN_CAP, Constraint.ASK_WITHIN_CAP,
            SchemaDdl.ONE_TICKET_PER_SEAT, Constraint.ONE_TICKET_PER_SEAT,
            SchemaDdl.ONE_ACTIVE_LISTING, Constraint.ONE_ACTIVE_LISTING);

    private SqlErrors() {}

    /**
     * Classifies {@code failure}, which happened while doing {@code what} (for example {@code "insert hold"} or
     * {@code "commit"}).
     */
    public static DhamanaException classify(Throwable failure, String what) {
        List<Throwable> chain = chain(failure);
        // A conflict anywhere in the chain wins: the transaction is gone and a retry is the right answer.
        for (Throwable t : chain) {
            String state = state(t);
            if (SERIALIZATION_FAILURE.equals(state) || DEADLOCK.equals(state)
                    || (state != null && OCC_LABELS.contains(state))) {
                return new ConflictException(state, what + " lost a serialization conflict (SQLSTATE " + state
                        + "): " + firstLine(t) + occLabel(t), failure);
            }
        }
        for (Throwable t : chain) {
            String state = state(t);
            if (NOT_NULL_VIOLATION.equals(state) && t instanceof SQLException e && guardColumn(e)) {
                return new ConflictException(state, what + ": its guard no longer held when it was applied, so a"
                        + " rival changed the row since this transaction's snapshot (SQLSTATE 23502 from the guard)",
                        failure);
            }
            if (UNIQUE_VIOLATION.equals(state) && t instanceof SQLException e
                    && constraintName(e).map(KEYS_TAKEN_BY_RIVALS::contains).orElse(false)) {
                return new ConflictException(state, what + ": the key is already taken, by a rival or an earlier"
                        + " attempt of the same call; the next attempt reads what was done (SQLSTATE 23505)", failure);
            }
        }
        for (Throwable t : chain) {
            String state = state(t);
            if (UNIQUE_VIOLATION.equals(state) || CHECK_VIOLATION.equals(state)) {
                Optional<String> name = constraintName((SQLException) t);
                Constraint c = name.map(CONSTRAINTS::get).orElse(null);
                if (c != null) {
                    return new ConstraintViolationException(c, what + " was refused by constraint " + name.get()
                            + " (SQLSTATE " + state + ")", failure);
                }
                return new StoreException(false, state, what + " was refused by constraint "
                        + name.orElse("(unnamed)") + " (SQLSTATE " + state + "): " + firstLine(t), failure);
            }
        }
        for (Throwable t : chain) {
            String state = state(t);
            if (LIMIT_EXCEEDED.equals(state)) {
                return new StoreException(false, state, what + " exceeded a database limit (SQLSTATE 54000): "
                        + limitExplained(t) + "; not retried, since the same work would exceed it again ("
                        + firstLine(t) + ")", failure);
            }
            if (NOT_SUPPORTED.equals(state)) {
                return new StoreException(false, state, what + " was refused as unsupported by the database"
                        + " (SQLSTATE 0A000): " + firstLine(t) + unsupportedExplained(t)
                        + "; not retried, since the same statement would be refused again", failure);
            }
        }
        for (Throwable t : chain) {
            if (refusedLogin(t)) {
                String state = state(t);
                return new StoreException(false, state, what + " failed: the database refused the login (SQLSTATE "
                        + state + "): " + firstLine(t) + "; not retried, since the same credentials would be refused"
                        + " again", failure);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof SQLTransientConnectionException && state(t) == null) {
                return new StoreException(true, null, what + " failed: no pooled connection was free in time"
                        + " (every connection busy, or the database unreachable): " + firstLine(t), failure);
            }
            if (isTransient(t)) {
                String state = state(t);
                return new StoreException(true, state, what + " failed: the connection or server was lost"
                        + (state == null ? "" : " (SQLSTATE " + state + ")") + ": " + firstLine(t)
                        + (what.equals("commit") ? "; whether the transaction committed is unknown" : ""), failure);
            }
        }
        String state = null;
        Throwable first = failure;
        for (Throwable t : chain) {
            if (state(t) != null) {
                state = state(t);
                first = t;
                break;
            }
        }
        return new StoreException(false, state, what + " failed" + (state == null ? "" : " (SQLSTATE " + state + ")")
                + ": " + firstLine(first), failure);
    }

    /** Whether a failure (anywhere in its chain) means the connection or server was lost. */
    public static boolean isTransientFailure(Throwable failure) {
        boolean transientSeen = false;
        for (Throwable t : chain(failure)) {
            if (refusedLogin(t)) {
                return false; // a refused login stays refused, although a pool reports it as a timeout of its own
            }
            transientSeen |= isTransient(t);
        }
        return transientSeen;
    }

    /** SQLSTATE class 28, invalid authorization: a wrong password, an unknown role, an expired or denied token. */
    private static boolean refusedLogin(Throwable t) {
        String state = state(t);
        return state != null && state.startsWith("28");
    }

    private static boolean isTransient(Throwable t) {
        if (t instanceof SQLTransientConnectionException) {
            return true; // a pool that could not hand out a connection in time
        }
        String state = state(t);
        return state != null && (state.startsWith("08") || TRANSIENT_STATES.contains(state));
    }

    /** Names Aurora DSQL's OCC cause when the message carries its label; empty otherwise. */
    private static String occLabel(Throwable t) {
        String m = String.valueOf(t.getMessage());
        if (m.contains("OC001")) {
            return " [Aurora DSQL OC001: the schema changed under the transaction; a retry reads the new catalog]";
        }
        if (m.contains("OC000")) {
            return " [Aurora DSQL OC000: a concurrent transaction committed a write to the same row first]";
        }
        return "";
    }

    /**
     * Which limit a 54000 names, with the number Aurora DSQL enforces; the messages are DSQL's (PostgreSQL uses
     * 54000 for its own, rarer limits, which get the generic wording).
     */
    static String limitExplained(Throwable t) {
        String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("row limit")) {
            return "transaction row limit exceeded: Aurora DSQL allows 3,000 modified rows per transaction";
        }
        if (m.contains("size limit")) {
            return "transaction size limit exceeded: Aurora DSQL allows 10 MiB of modified data per transaction";
        }
        if (m.contains("age limit")) {
            return "transaction age limit exceeded: Aurora DSQL allows a transaction 5 minutes";
        }
        if (m.contains("row size")) {
            return "maximum row size exceeded: Aurora DSQL allows 2 MiB per row";
        }
        if (m.contains("key size")) {
            return "key size too large: Aurora DSQL allows 1 KiB per primary key and per index key";
        }
        if (m.contains("temp space") || m.contains("memory")) {
            return "query memory limit exceeded: Aurora DSQL allows 128 MiB per transaction";
        }
        return "a limit of the database was exceeded";
    }

    private static String unsupportedExplained(Throwable t) {
        String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("ddl and dml") || m.contains("multiple ddl")) {
            return " (Aurora DSQL runs one DDL statement per transaction and never DDL beside DML)";
        }
        if (m.contains("async")) {
            return " (Aurora DSQL builds indexes only with CREATE INDEX ASYNC)";
        }
        return "";
    }

    private static String state(Throwable t) {
        return t instanceof SQLException s ? s.getSQLState() : null;
    }

    /** The failure, its causes and every SQLException's next exceptions, each once, in breadth-first order. */
    private static List<Throwable> chain(Throwable failure) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.add(failure);
        while (!todo.isEmpty() && out.size() < MAX_CHAIN) {
            Throwable t = todo.poll();
            if (t == null || !seen.add(t)) {
                continue;
            }
            out.add(t);
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            if (t instanceof SQLException s && s.getNextException() != null) {
                todo.add(s.getNextException());
            }
        }
        return out;
    }

    /** Whether a not-null violation names a guarded column (the guard's CASE gave NULL). */
    static boolean guardColumn(SQLException e) {
        Optional<String[]> fields = PgjdbcFields.column(e);
        String table;
        String column;
        if (fields.isPresent()) {
            table = fields.get()[0];
            column = fields.get()[1];
        } else {
            Matcher m = NULL_COLUMN.matcher(String.valueOf(e.getMessage()));
            if (!m.find()) {
                return false;
            }
            column = m.group(1);
            table = m.group(2);
        }
        if (column == null) {
            return false;
        }
        if (table == null) {
            String c = column.toLowerCase(Locale.ROOT);
            return GUARD_COLUMNS.stream().anyMatch(g -> g.endsWith("." + c));
        }
        return GUARD_COLUMNS.contains(table.toLowerCase(Locale.ROOT) + "." + column.toLowerCase(Locale.ROOT));
    }

    /** The violated constraint's name: from the server's error fields when the driver exposes them. */
    static Optional<String> constraintName(SQLException e) {
        Optional<String> fromServer = PgjdbcFields.constraint(e);
        if (fromServer.isPresent()) {
            return fromServer;
        }
        Matcher m = QUOTED_CONSTRAINT.matcher(String.valueOf(e.getMessage()));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The first line of a driver message. PostgreSQL puts row values ("Failing row contains ...", "Key (...)=(...)")
     * on later lines, and those may hold entry codes or evidence URLs.
     */
    public static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        String line = (nl < 0 ? m : m.substring(0, nl)).strip();
        return line.length() <= 300 ? line : line.substring(0, 297) + "...";
    }

    /** Reads pgjdbc's structured error fields when pgjdbc is present; nothing otherwise. */
    private static final class PgjdbcFields {
        private static final boolean PRESENT = present();

        private static boolean present() {
            try {
                Class.forName("org.postgresql.util.PSQLException", false, SqlErrors.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        /** The table and column a not-null violation names, from the server's fields. */
        static Optional<String[]> column(SQLException e) {
            if (!PRESENT) {
                return Optional.empty();
            }
            try {
                if (e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                        && p.getServerErrorMessage().getColumn() != null) {
                    return Optional.of(new String[] {p.getServerErrorMessage().getTable(),
                            p.getServerErrorMessage().getColumn()});
                }
            } catch (LinkageError ignored) {
                // pgjdbc on the class path but not readable from this module: fall back to the message.
            }
            return Optional.empty();
        }

        static Optional<String> constraint(SQLException e) {
            if (!PRESENT) {
                return Optional.empty();
            }
            try {
                if (e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
                    String name = p.getServerErrorMessage().getConstraint();
                    return name == null || name.isBlank() ? Optional.empty()
                            : Optional.of(name.toLowerCase(Locale.ROOT));
                }
            } catch (LinkageError ignored) {
                // pgjdbc on the class path but not readable from this module: fall back to the message.
            }
            return Optional.empty();
        }
    }
}

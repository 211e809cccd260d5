package io.dhamana.dsql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Holds a PostgreSQL stand-in to Aurora DSQL's rules, connection by connection: every statement is checked by
 * {@link DsqlRules} before it is sent, every transaction is checked for DSQL's shape (one DDL statement, no DDL
 * beside DML, at most 3,000 modified rows and 10 MiB of parameter data), and JDBC calls DSQL refuses
 * ({@code setTransactionIsolation}, savepoints) fail. A refusal is thrown the way DSQL reports it (0A000 or 54000)
 * and recorded, so a test fails where production would. Every transaction is logged (statements, rows, bytes,
 * Region) for the tests to read.
 *
 * <p>PostgreSQL underneath does the real work; the only statement translated is {@code CREATE INDEX ASYNC}, which
 * PostgreSQL does not know: it runs as {@code CREATE INDEX} and answers with a job id recorded as completed in a
 * {@code sys.jobs} table, so that {@code CALL sys.wait_for_job(...)} runs against a real procedure
 * ({@link DsqlStandIn#prepare()}).
 */
final class DsqlConformance {
    /** Rows and bytes a transaction may modify: DSQL's limits unless a test lowers them. */
    static final int DSQL_ROW_LIMIT = 3_000;
    static final long DSQL_BYTE_LIMIT = 10L * 1024 * 1024;

    private static final Pattern ASYNC_INDEX = Pattern.compile(
            "(?is)^\\s*CREATE\\s+(UNIQUE\\s+)?INDEX\\s+ASYNC\\s+(IF\\s+NOT\\s+EXISTS\\s+)?(\\w+)\\s+ON\\b");

    /** One transaction as DSQL would see it. */
    static final class Tx {
        final String region;
        final boolean readOnly;
        final List<String> statements = new ArrayList<>();
        volatile int ddl;
        volatile int other;
        volatile long rows;
        volatile long bytes;
        volatile boolean committed;

        Tx(String region, boolean readOnly) {
            this.region = region;
            this.readOnly = readOnly;
        }

        boolean modified() {
            return rows > 0;
        }

        @Override
        public String toString() {
            return (committed ? "committed" : "rolled back") + " in " + region + ": " + rows + " rows, " + bytes
                    + " bytes, " + statements.size() + " statements";
        }
    }

    private final Queue<Tx> log = new ConcurrentLinkedQueue<>();
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final Set<String> isolations = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private volatile int rowLimit = DSQL_ROW_LIMIT;

    /** Lowers (or restores) the modified-row limit, to watch it being enforced without writing 3,000 rows. */
    void rowLimit(int rows) {
        this.rowLimit = rows;
    }

    /** Transactions ended so far, in the order they ended. */
    List<Tx> transactions() {
        return List.copyOf(log);
    }

    /** Forgets the transactions logged so far (not the violations). */
    void clearLog() {
        log.clear();
    }

    /** Every refusal so far, each with the statement or call that caused it. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** The isolation each connection started with ({@code SHOW transaction_isolation}). */
    Set<String> isolations() {
        return Set.copyOf(isolations);
    }

    /** Physical connections opened per Region. */
    Map<String, Integer> connectionsPerRegion() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        connections.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Wraps a real connection of the stand-in server, labelled with the Region it stands for. */
    Connection wrap(Connection real, String region) throws SQLException {
        try (Statement st = real.createStatement(); ResultSet rs = st.executeQuery("SHOW transaction_isolation")) {
            rs.next();
            isolations.add(rs.getString(1));
        }
        connections.computeIfAbsent(region, r -> new AtomicInteger()).incrementAndGet();
        return (Connection) Proxy.newProxyInstance(DsqlConformance.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ConnectionHandler(real, region));
    }

    private SQLException refuse(String state, String message, String context) {
        violations.add(message + " <- " + abbreviate(context));
        return new SQLException("ERROR: " + message, state);
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 160 ? one : one.substring(0, 157) + "...";
    }

    private final class ConnectionHandler implements InvocationHandler {
        private final Connection real;
        private final String region;
        private boolean autoCommit;
        private boolean readOnly;
        private Tx tx;

        ConnectionHandler(Connection real, String region) throws SQLException {
            this.real = real;
            this.region = region;
            this.autoCommit = real.getAutoCommit();
            this.readOnly = real.isReadOnly();
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            String name = m.getName();
            int arity = args == null ? 0 : args.length;
            switch (name) {
                case "setTransactionIsolation" -> throw refuse("0A000", "setting configuration parameter"
                        + " \"TRANSACTION\" not supported (Connection.setTransactionIsolation sends SET SESSION"
                        + " CHARACTERISTICS)", "setTransactionIsolation");
                case "setSavepoint", "releaseSavepoint" -> throw refuse("0A000",
                        "unsupported transaction statement: SAVEPOINT", name);
                case "rollback" -> {
                    if (arity == 1) {
                        throw refuse("0A000", "unsupported transaction statement: ROLLBACK TO", name);
                    }
                    try {
                        return call(m, args);
                    } finally {
                        end(false);
                    }
                }
                case "commit" -> {
                    commitNow();
                    return null;
                }
                case "setAutoCommit" -> {
                    boolean on = (Boolean) args[0];
                    Object r = call(m, args);
                    if (on && !autoCommit) {
                        end(true); // turning autocommit on commits an open transaction
                    }
                    autoCommit = on;
                    return r;
                }
                case "setReadOnly" -> {
                    Object r = call(m, args);
                    readOnly = (Boolean) args[0];
                    return r;
                }
                case "close" -> {
                    end(false);
                    return call(m, args);
                }
                case "createStatement" -> {
                    Statement s = (Statement) call(m, args);
                    return Proxy.newProxyInstance(DsqlConformance.class.getClassLoader(),
                            new Class<?>[] {Statement.class}, new StatementHandler(this, s, null));
                }
                case "prepareStatement" -> {
                    String sql = (String) args[0];
                    check(sql); // DSQL refuses at parse time, before any parameter is bound
                    PreparedStatement s = (PreparedStatement) call(m, args);
                    return Proxy.newProxyInstance(DsqlConformance.class.getClassLoader(),
                            new Class<?>[] {PreparedStatement.class}, new StatementHandler(this, s, sql));
                }
                case "prepareCall" -> throw refuse("0A000", "prepareCall is not used with DSQL", "prepareCall");
                default -> {
                    return call(m, args);
                }
            }
        }

        private Object call(Method m, Object[] args) throws Throwable {
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        /** Commits the open transaction, from {@code Connection.commit()} or a {@code COMMIT} sent in a pipeline. */
        void commitNow() throws SQLException {
            boolean ok = false;
            try {
                real.commit();
                ok = true;
            } finally {
                end(ok);
            }
        }

        private void check(String sql) throws SQLException {
            for (String statement : split(sql)) {
                List<String> refused = DsqlRules.violations(statement);
                if (!refused.isEmpty()) {
                    throw refuse("0A000", refused.get(0), statement);
                }
            }
        }

        /** Checks and logs a statement about to be sent; returns its transaction. */
        Tx before(String sql, long paramBytes) throws SQLException {
            check(sql);
            if (tx == null) {
                tx = new Tx(region, readOnly);
            }
            Tx t = tx;
            synchronized (t) {
                t.statements.add(sql);
            }
            boolean ddl = DsqlRules.isDdl(sql);
            if (ddl) {
                t.ddl++;
                if (t.ddl > 1) {
                    throw refuse("0A000", "multiple ddl statements not supported in a transaction", sql);
                }
            } else {
                t.other++;
            }
            if (t.ddl > 0 && t.other > 0) {
                throw refuse("0A000", "ddl and dml are not supported in the same transaction", sql);
            }
            if (DsqlRules.modifies(sql)) {
                t.bytes += paramBytes;
                if (t.bytes > DSQL_BYTE_LIMIT) {
                    throw refuse("54000", "transaction size limit 10mb exceeded", sql);
                }
            }
            return t;
        }

        /** Counts rows a statement modified; the statement that crosses the row limit fails, as on DSQL. */
        void rows(Tx t, String sql, long rows) throws SQLException {
            if (rows <= 0 || !DsqlRules.modifies(sql)) {
                return;
            }
            t.rows += rows;
            if (t.rows > rowLimit) {
                throw refuse("54000", "transaction row limit exceeded", sql);
            }
        }

        /** After a statement in autocommit mode: it was its own transaction. */
        void after(boolean ok) {
            if (autoCommit) {
                end(ok);
            }
        }

        void end(boolean committed) {
            Tx t = tx;
            tx = null;
            if (t != null) {
                t.committed = committed;
                log.add(t);
            }
        }

        /** {@code CREATE INDEX ASYNC} on the stand-in: build it now, answer with a completed job's id. */
        boolean asyncIndex(Statement st, String sql) throws SQLException {
            Matcher m = ASYNC_INDEX.matcher(sql);
            if (!m.find()) {
                throw refuse("0A000", "unparsed CREATE INDEX ASYNC", sql);
            }
            st.execute(sql.replaceFirst("(?i)\\bINDEX\\s+ASYNC\\b", "INDEX"));
            String job = UUID.randomUUID().toString().replace("-", "").substring(0, 26).toLowerCase(Locale.ROOT);
            try (PreparedStatement ps = real.prepareStatement("INSERT INTO sys.jobs (job_id, status, job_type,"
                    + " object_name, start_time, update_time) VALUES (?, 'completed', 'INDEX_BUILD', ?, now(), now())")) {
                ps.setString(1, job);
                ps.setString(2, m.group(3));
                ps.executeUpdate();
            }
            return st.execute("SELECT '" + job + "'::text AS job_id");
        }
    }

    private final class StatementHandler implements InvocationHandler {
        private final ConnectionHandler connection;
        private final Statement real;
        private final String prepared;
        private long paramBytes;
        /** The parameters bound so far, to bind again on the pipeline's statements without its COMMIT. */
        private final List<Object[]> binds = new ArrayList<>();
        /** The answers of a pipeline (several statements in one text), held for the caller to walk. */
        private List<Object> answers;
        private int answer;

        StatementHandler(ConnectionHandler connection, Statement real, String prepared) {
            this.connection = connection;
            this.real = real;
            this.prepared = prepared;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            String name = m.getName();
            if (prepared != null && name.startsWith("set") && args != null && args.length >= 2
                    && args[0] instanceof Integer) {
                paramBytes += size(name, args[1]);
                binds.add(new Object[] {m, args});
            } else if (name.equals("clearParameters")) {
                paramBytes = 0;
                binds.clear();
            } else if (name.equals("addBatch") || name.equals("executeBatch")) {
                throw refuse("0A000", "JDBC batches are not used with DSQL", name);
            }
            if (answers != null) {
                switch (name) {
                    case "getResultSet" -> {
                        return answers.get(answer) instanceof ResultSet rs ? rs : null;
                    }
                    case "getUpdateCount" -> {
                        return answers.get(answer) instanceof Long n ? (int) (long) n : -1;
                    }
                    case "getMoreResults" -> {
                        answer = Math.min(answer + 1, answers.size());
                        return answer < answers.size() && answers.get(answer) instanceof ResultSet;
                    }
                    default -> { }
                }
                if (answer >= answers.size() && (name.equals("getResultSet") || name.equals("getUpdateCount"))) {
                    return name.equals("getUpdateCount") ? -1 : null;
                }
            }
            if (!name.startsWith("execute")) {
                return call(m, args);
            }
            String sql = prepared != null ? prepared : (String) args[0];
            List<String> statements = split(sql);
            if (prepared != null && statements.size() > 1 && name.equals("execute")) {
                return pipeline(statements);
            }
            Tx t = connection.before(sql, paramBytes);
            boolean ok = false;
            try {
                Object result;
                if (prepared == null && ASYNC_INDEX.matcher(sql).find()) {
                    result = connection.asyncIndex(real, sql);
                } else {
                    result = call(m, args);
                }
                switch (name) {
                    case "executeUpdate", "executeLargeUpdate" -> connection.rows(t, sql,
                            ((Number) result).longValue());
                    case "execute" -> {
                        if (!(Boolean) result) {
                            connection.rows(t, sql, real.getUpdateCount());
                        }
                    }
                    case "executeQuery" -> {
                        if (DsqlRules.modifies(sql)) {
                            result = countingRows((ResultSet) result, t, sql);
                        }
                    }
                    default -> { }
                }
                ok = true;
                return result;
            } finally {
                connection.after(ok);
            }
        }

        /**
         * Several statements in one text, as the store sends a round of reads or its writes: each statement is
         * checked and counted as DSQL would (the statement that crosses a limit fails, and the transaction with it);
         * a trailing {@code COMMIT} is run only once every statement before it has passed. The statements go to the
         * server in one flush and the COMMIT in a second, so the stand-in is not where round trips are counted.
         */
        private boolean pipeline(List<String> statements) throws Throwable {
            boolean commit = statements.get(statements.size() - 1).strip().equalsIgnoreCase("COMMIT");
            List<String> work = commit ? statements.subList(0, statements.size() - 1) : statements;
            Tx t = null;
            long bytes = paramBytes; // the pipeline's parameters, counted once, with its first modifying statement
            for (String s : work) {
                boolean modifies = DsqlRules.modifies(s);
                t = connection.before(s, modifies ? bytes : 0);
                if (modifies) {
                    bytes = 0;
                }
            }
            List<Object> out = new ArrayList<>(work.size());
            PreparedStatement ps = (PreparedStatement) real;
            if (commit) {
                // The same parameters, without the COMMIT: a statement of the work alone, committed once it passed.
                ps = connection.real.prepareStatement(String.join(";\n", work));
                for (Object[] bind : binds) {
                    call((Method) bind[0], (Object[]) bind[1], ps);
                }
            }
            boolean rows = ps.execute();
            for (String s : work) {
                if (rows) {
                    ResultSet rs = ps.getResultSet();
                    ResultSet cached = cache(rs);
                    if (DsqlRules.modifies(s)) {
                        connection.rows(t, s, ((Cached) Proxy.getInvocationHandler(cached)).rows.size());
                    }
                    out.add(cached);
                } else {
                    long n = ps.getUpdateCount();
                    connection.rows(t, s, n);
                    out.add(n);
                }
                rows = ps.getMoreResults();
            }
            if (commit) {
                ps.close();
                connection.commitNow();
            }
            answers = out;
            answer = 0;
            return !out.isEmpty() && out.get(0) instanceof ResultSet;
        }

        /** Rows of {@code INSERT ... RETURNING} are counted as they are read (each statement returns one). */
        private ResultSet countingRows(ResultSet rs, Tx t, String sql) {
            return (ResultSet) Proxy.newProxyInstance(DsqlConformance.class.getClassLoader(),
                    new Class<?>[] {ResultSet.class}, (p, method, a) -> {
                        Object r = call(method, a, rs);
                        if (method.getName().equals("next") && (Boolean) r) {
                            connection.rows(t, sql, 1);
                        }
                        return r;
                    });
        }

        private Object call(Method m, Object[] args) throws Throwable {
            return call(m, args, real);
        }

        private Object call(Method m, Object[] args, Object target) throws Throwable {
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private long size(String setter, Object value) {
            if (value == null || setter.equals("setNull")) {
                return 0;
            }
            if (value instanceof String s) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
            if (value instanceof UUID) {
                return 16;
            }
            if (value instanceof Integer) {
                return 4;
            }
            if (value instanceof Long) {
                return 8;
            }
            return String.valueOf(value).length();
        }
    }

    /** The statements of a text, split at semicolons outside string literals. */
    static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                if (!current.toString().isBlank()) {
                    out.add(current.toString().strip());
                }
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    /** A result set read to its end and held, so the statement's next answer can be fetched first. */
    private static final class Cached implements InvocationHandler {
        final List<Object[]> rows = new ArrayList<>();
        private int row = -1;
        private boolean lastNull;

        Cached(ResultSet rs) throws SQLException {
            java.sql.ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            while (rs.next()) {
                Object[] values = new Object[n];
                for (int c = 1; c <= n; c++) {
                    String type = md.getColumnTypeName(c);
                    values[c - 1] = type.equalsIgnoreCase("timestamptz")
                            ? rs.getObject(c, java.time.OffsetDateTime.class) : rs.getObject(c);
                }
                rows.add(values);
            }
            rs.close();
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws SQLException {
            switch (m.getName()) {
                case "next" -> {
                    row++;
                    return row < rows.size();
                }
                case "close" -> {
                    return null;
                }
                case "isClosed" -> {
                    return false;
                }
                case "wasNull" -> {
                    return lastNull;
                }
                default -> { }
            }
            if (m.getName().startsWith("get") && args != null && args.length >= 1 && args[0] instanceof Integer c) {
                Object v = rows.get(row)[c - 1];
                lastNull = v == null;
                return switch (m.getName()) {
                    case "getString" -> v == null ? null : v.toString();
                    case "getInt" -> v == null ? 0 : ((Number) v).intValue();
                    case "getLong" -> v == null ? 0L : ((Number) v).longValue();
                    case "getBoolean" -> v != null && (Boolean) v;
                    case "getObject" -> args.length == 2 ? ((Class<?>) args[1]).cast(v) : v;
                    default -> throw new SQLException("the stand-in's held result set has no " + m.getName());
                };
            }
            throw new SQLException("the stand-in's held result set has no " + m.getName());
        }
    }

    private static ResultSet cache(ResultSet rs) throws SQLException {
        return (ResultSet) Proxy.newProxyInstance(DsqlConformance.class.getClassLoader(),
                new Class<?>[] {ResultSet.class}, new Cached(rs));
    }
}

package io.dhamana.testkit;

import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import io.dhamana.jdbc.internal.OpeningDataSource;

/**
 * A data source on the test server whose connections can be killed for real, at a chosen moment of the next
 * writing transaction: the backend is terminated with {@code pg_terminate_backend} from a side connection, and the
 * client then meets the failure the server really produces. Only choosing the moment is done here; nothing is
 * simulated. Each connection is new (no pool), so a retry always gets a fresh backend. Shared by the ambiguous-commit
 * tests and the fault stampede, which re-arms it again and again while many callers write.
 */
public final class KillSwitchDataSource extends OpeningDataSource {

    /** When to kill the backend of the next writing transaction. */
    public enum Moment {
        /** Just before the statement whose text contains the marker is sent. */
        BEFORE_STATEMENT,
        /** Just before COMMIT is sent: the transaction never commits. */
        BEFORE_COMMIT,
        /** Just after COMMIT succeeded: the work is done on the server, but the client sees a lost connection. */
        AFTER_COMMIT
    }

    private record Trigger(Moment moment, String marker) {}

    private final PGSimpleDataSource delegate = new PGSimpleDataSource();
    private final AtomicReference<Trigger> armed = new AtomicReference<>();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicIntegerArray killsAt = new AtomicIntegerArray(Moment.values().length);

    public KillSwitchDataSource() {
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        delegate.setURL(e.jdbcUrl());
        delegate.setUser(e.user());
        delegate.setPassword(e.password());
    }

    /** Kills the next writing transaction at {@code moment}; {@code marker} picks the statement (BEFORE_STATEMENT). */
    public void arm(Moment moment, String marker) {
        armed.set(new Trigger(moment, marker));
    }

    /** Whether an armed kill is still waiting for its moment. */
    public boolean armed() {
        return armed.get() != null;
    }

    /** Backends killed so far. */
    public int kills() {
        return kills.get();
    }

    /** Backends killed so far at {@code moment}. */
    public int kills(Moment moment) {
        return killsAt.get(moment.ordinal());
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection real = delegate.getConnection();
        int pid = real.unwrap(PGConnection.class).getBackendPID();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                        // The store sends its writes and COMMIT in one text: that text is the commit.
                        boolean commits = endsWithCommit(sql);
                        if (fire(real, t -> t.moment() == Moment.BEFORE_STATEMENT && sql.contains(t.marker()))) {
                            kill(pid, Moment.BEFORE_STATEMENT);
                        } else if (commits && fire(real, t -> t.moment() == Moment.BEFORE_COMMIT)) {
                            kill(pid, Moment.BEFORE_COMMIT);
                        } else if (commits && fire(real, t -> t.moment() == Moment.AFTER_COMMIT)) {
                            PreparedStatement ps = (PreparedStatement) method.invoke(real, args);
                            return killedAfterExecute(ps, real, pid);
                        }
                    } else if (name.equals("commit")
                            && fire(real, t -> t.moment() == Moment.BEFORE_COMMIT)) {
                        kill(pid, Moment.BEFORE_COMMIT);
                    } else if (name.equals("commit")
                            && fire(real, t -> t.moment() == Moment.AFTER_COMMIT)) {
                        real.commit();
                        kill(pid, Moment.AFTER_COMMIT);
                        // The client's next word to the server meets the real failure of the dead backend.
                        try (Statement st = real.createStatement()) {
                            st.execute("SELECT 1");
                        }
                        throw new AssertionError("backend " + pid + " survived pg_terminate_backend");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean endsWithCommit(String sql) {
        String s = sql.strip().toUpperCase(java.util.Locale.ROOT);
        return s.equals("COMMIT") || s.endsWith(";\nCOMMIT") || s.endsWith("; COMMIT") || s.endsWith(";COMMIT");
    }

    /**
     * The statement carrying the writes and COMMIT, which runs for real; then the backend is killed before the
     * client reads a word of the answer, so the client meets the failure of the dead backend instead.
     */
    private PreparedStatement killedAfterExecute(PreparedStatement ps, Connection real, int pid) {
        return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(ps, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().startsWith("execute")) {
                        kill(pid, Moment.AFTER_COMMIT);
                        try (Statement st = real.createStatement()) {
                            st.execute("SELECT 1");
                        }
                        throw new AssertionError("backend " + pid + " survived pg_terminate_backend");
                    }
                    return result;
                });
    }

    private boolean fire(Connection real, java.util.function.Predicate<Trigger> when) throws SQLException {
        Trigger t = armed.get();
        return t != null && !real.isReadOnly() && when.test(t) && armed.compareAndSet(t, null);
    }

    /** Terminates the backend from a side connection and waits until it is gone. */
    private void kill(int pid, Moment moment) throws SQLException {
        try (Connection side = PostgresServer.connect()) {
            try (PreparedStatement ps = side.prepareStatement("SELECT pg_terminate_backend(?)")) {
                ps.setInt(1, pid);
                ps.execute();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            try (PreparedStatement ps = side.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
                ps.setInt(1, pid);
                while (true) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            break;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("backend " + pid + " still alive 10 s after pg_terminate_backend");
                    }
                    Thread.onSpinWait();
                }
            }
        }
        kills.incrementAndGet();
        killsAt.incrementAndGet(moment.ordinal());
    }

}

package io.dhamana.postgres;

import io.dhamana.testkit.PostgresServer;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source on the test server whose connections can be killed for real, at a chosen moment of the next
 * writing transaction: the backend is terminated with {@code pg_terminate_backend} from a side connection, and the
 * client then meets the failure the server really produces. Only choosing the moment is done here; nothing is
 * simulated. Each connection is new (no pool), so a retry always gets a fresh backend.
 */
final class KillSwitchDataSource implements DataSource {

    /** When to kill the backend of the next writing transaction. */
    enum Moment {
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

    KillSwitchDataSource() {
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        delegate.setURL(e.jdbcUrl());
        delegate.setUser(e.user());
        delegate.setPassword(e.password());
    }

    /** Kills the next writing transaction at {@code moment}; {@code marker} picks the statement (BEFORE_STATEMENT). */
    void arm(Moment moment, String marker) {
        armed.set(new Trigger(moment, marker));
    }

    /** Backends killed so far. */
    int kills() {
        return kills.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection real = delegate.getConnection();
        int pid = real.unwrap(PGConnection.class).getBackendPID();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("prepareStatement") && args != null && args[0] instanceof String sql
                            && fire(real, t -> t.moment() == Moment.BEFORE_STATEMENT && sql.contains(t.marker()))) {
                        kill(pid);
                    } else if (name.equals("commit")
                            && fire(real, t -> t.moment() == Moment.BEFORE_COMMIT)) {
                        kill(pid);
                    } else if (name.equals("commit")
                            && fire(real, t -> t.moment() == Moment.AFTER_COMMIT)) {
                        real.commit();
                        kill(pid);
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

    private boolean fire(Connection real, java.util.function.Predicate<Trigger> when) throws SQLException {
        Trigger t = armed.get();
        return t != null && !real.isReadOnly() && when.test(t) && armed.compareAndSet(t, null);
    }

    /** Terminates the backend from a side connection and waits until it is gone. */
    private void kill(int pid) throws SQLException {
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
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("use getConnection()");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no log writer
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the default is fine
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}

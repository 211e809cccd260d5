package io.dhamana.jdbc.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} reduced to one way of opening connections, which is all a pool such as HikariCP needs around
 * a connection factory: subclasses say how to open one; the rest of the interface is settled here once.
 */
public abstract class OpeningDataSource implements DataSource {
    private volatile int loginTimeoutSeconds;

    /** Opens a new physical connection. */
    @Override
    public abstract Connection getConnection() throws SQLException;

    /** Not supported: the data source opens connections with its own credentials. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException(getClass().getSimpleName()
                + " opens connections with its own credentials");
    }

    /** No log writer: logging goes through SLF4J. */
    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // nothing is logged through DriverManager-style writers
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("logging goes through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}

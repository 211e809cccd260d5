package io.dhamana.dsql;

import io.dhamana.jdbc.internal.SqlErrors;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import io.dhamana.jdbc.internal.OpeningDataSource;

/**
 * Physical connections to one Aurora DSQL endpoint, each opened with a token made for it: the pool calls
 * {@link #getConnection()} whenever it opens a connection (at start, after {@code maxLifetime}, after an eviction),
 * so no token outlives the connection set-up it was made for. TLS is {@code verify-full} against the JVM's trust
 * store (which holds the Amazon roots), with direct TLS negotiation where pgjdbc supports it. No statement is sent
 * at connect: DSQL refuses most {@code SET}s, so pgjdbc is told the server's version and puts what it needs (the
 * application name) in the startup packet instead of setting it afterwards.
 */
final class DsqlConnectionFactory extends OpeningDataSource {
    /** DSQL's port and its one database. */
    static final int PORT = 5432;
    static final String DATABASE = "postgres";

    private final String host;
    private final String url;
    private final Properties base;
    private final Supplier<String> tokens;
    private final ConnectionOpener opener;
    private volatile int loginTimeoutSeconds = 10;

    DsqlConnectionFactory(String host, String user, Supplier<String> tokens, ConnectionOpener opener,
                          boolean directTls) {
        this.host = host;
        this.url = "jdbc:postgresql://" + host + ":" + PORT + "/" + DATABASE;
        this.tokens = tokens;
        this.opener = opener;
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("sslmode", "verify-full");
        p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
        if (directTls) {
            p.setProperty("sslNegotiation", "direct"); // TLS from the first byte: one round trip less per connect
        }
        p.setProperty("ApplicationName", "dhamana");
        // Without it pgjdbc sends SET application_name after connecting; with it, the name goes in the startup
        // packet and no SET is sent at all (DSQL refuses most SETs). DSQL speaks PostgreSQL 16.
        p.setProperty("assumeMinServerVersion", "16");
        // Keep row values ("Failing row contains ...") out of driver messages: they may hold entry codes.
        p.setProperty("logServerErrorDetail", "false");
        p.setProperty("connectTimeout", "10");
        this.base = p;
    }

    /** The connection properties without the password, for tests and diagnostics. */
    Map<String, String> settings() {
        Map<String, String> m = new java.util.TreeMap<>();
        base.stringPropertyNames().forEach(k -> m.put(k, base.getProperty(k)));
        return m;
    }

    /**
     * Opens a new physical connection with a new token.
     *
     * @throws SQLException with SQLSTATE 08001 if no token could be made (no credentials, say), or whatever the
     *                      driver throws; neither message holds the token
     */
    @Override
    public Connection getConnection() throws SQLException {
        String token;
        try {
            token = tokens.get();
        } catch (RuntimeException e) {
            throw new SQLException("could not make an IAM auth token for " + host + ": "
                    + e.getClass().getSimpleName() + ": " + SqlErrors.firstLine(e), "08001", e);
        }
        Properties p = new Properties();
        p.putAll(base);
        p.setProperty("loginTimeout", Integer.toString(loginTimeoutSeconds));
        p.setProperty("password", token);
        Connection c = opener.open(url, p);
        if (c == null) {
            throw new SQLException("the driver did not accept " + url, "08001");
        }
        return c;
    }

    /** Not supported: the user is fixed and the password is always a fresh token. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("connections to " + host + " use the store's user and IAM tokens");
    }

    /** Set by the pool from its connection timeout; bounds each connect, the TLS and login exchange included. */
    @Override
    public void setLoginTimeout(int seconds) {
        if (seconds > 0) {
            loginTimeoutSeconds = seconds;
        }
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public String toString() {
        return "IAM-authenticated connections to " + url + " as " + base.getProperty("user");
    }
}

package io.dhamana.jmh;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PostgreSQL server the benchmarks run against: an existing one named by {@value #URL_PROPERTY} (or the
 * environment variable {@code DHAMANA_BENCH_JDBC_URL}), or else an embedded server started once per JVM.
 *
 * <p>The runner ({@link Report}) starts one server for the whole run and hands its URL to every forked benchmark JVM,
 * so the JMH benchmarks and pgbench hit the same server. A benchmark JVM started by hand without a URL starts its own.
 *
 * <p>The embedded server commits durably ({@code fsync=on}, {@code synchronous_commit=on}, PostgreSQL's own defaults;
 * the embedded defaults turn both off), so every figure the suite compares, the SDK's, the plain-SQL baselines' and
 * the project's pgbench baseline's ({@link PgbenchBaseline}, run against this same server), counts commits that wait
 * for the disk; set {@value #DURABLE_PROPERTY} to {@code false} to compare with commits that do not.
 */
public final class BenchDatabase {
    /** JDBC URL of an existing server, for example {@code jdbc:postgresql://localhost:5432/postgres}. */
    public static final String URL_PROPERTY = "dhamana.bench.jdbcUrl";
    /** User for {@link #URL_PROPERTY}; default {@code postgres}. */
    public static final String USER_PROPERTY = "dhamana.bench.user";
    /**
     * Password for {@link #URL_PROPERTY}; default empty. Prefer the environment variable
     * {@code DHAMANA_BENCH_PASSWORD}: forked benchmark JVMs inherit it, and it never shows in JMH's printed options
     * or its JSON.
     */
    public static final String PASSWORD_PROPERTY = "dhamana.bench.password";
    /** Whether the embedded server flushes every commit to disk; default {@code true}. */
    public static final String DURABLE_PROPERTY = "dhamana.bench.durable";

    /** Where to connect, and how. */
    public record Coordinates(String jdbcUrl, String user, String password, boolean embedded) {
        /** Opens a connection (autocommit on, the server's default isolation). */
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, user, password);
        }

        /** Host, port and database for command-line clients such as pgbench. */
        public Map<String, String> libpq() {
            URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PGHOST", uri.getHost() == null ? "localhost" : uri.getHost());
            env.put("PGPORT", String.valueOf(uri.getPort() < 0 ? 5432 : uri.getPort()));
            String path = uri.getPath();
            env.put("PGDATABASE", path == null || path.length() <= 1 ? "postgres" : path.substring(1));
            env.put("PGUSER", user);
            if (!password.isEmpty()) {
                env.put("PGPASSWORD", password);
            }
            return env;
        }

        /**
         * JVM options that point a forked benchmark at this server. The password is left out: JMH prints these
         * options and writes them into its results, and a fork inherits {@code DHAMANA_BENCH_PASSWORD} anyway.
         */
        public String[] jvmArgs() {
            return new String[]{"-D" + URL_PROPERTY + "=" + jdbcUrl, "-D" + USER_PROPERTY + "=" + user};
        }
    }

    private static Coordinates coordinates;
    private static EmbeddedPostgres embedded;

    private BenchDatabase() {}

    /** The server to use, starting the embedded one on first call if no URL was given. */
    public static synchronized Coordinates coordinates() {
        if (coordinates != null) {
            return coordinates;
        }
        String url = setting(URL_PROPERTY, "DHAMANA_BENCH_JDBC_URL", "");
        if (!url.isEmpty()) {
            coordinates = new Coordinates(url, setting(USER_PROPERTY, "DHAMANA_BENCH_USER", "postgres"),
                    setting(PASSWORD_PROPERTY, "DHAMANA_BENCH_PASSWORD", ""), false);
            return coordinates;
        }
        try {
            String durable = Boolean.parseBoolean(System.getProperty(DURABLE_PROPERTY, "true")) ? "on" : "off";
            embedded = EmbeddedPostgres.builder()
                    .setServerConfig("fsync", durable)
                    .setServerConfig("synchronous_commit", durable)
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("shared_buffers", "256MB")
                    .setServerConfig("max_wal_size", "4GB")
                    .setServerConfig("checkpoint_timeout", "15min")
                    .setServerConfig("max_locks_per_transaction", "256")
                    .setServerConfig("max_pred_locks_per_transaction", "256")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(BenchDatabase::stopQuietly, "bench-postgres-stop"));
        coordinates = new Coordinates(embedded.getJdbcUrl("postgres", "postgres"), "postgres", "", true);
        return coordinates;
    }

    private static void stopQuietly() {
        synchronized (BenchDatabase.class) {
            if (embedded != null) {
                try {
                    embedded.close();
                } catch (IOException | RuntimeException ignored) {
                    // the JVM is going away; the server's data directory is temporary
                }
                embedded = null;
            }
        }
    }

    private static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** Runs statements on a fresh autocommit connection. */
    public static void execute(String... sql) {
        try (Connection c = coordinates().connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("setup SQL failed: " + e.getMessage(), e);
        }
    }

    /** One long from a query's first row. */
    public static long queryLong(String sql) {
        try (Connection c = coordinates().connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** The server's version and the settings that shape these numbers. */
    public static Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = coordinates().connect(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT version()")) {
                r.next();
                out.put("version", r.getString(1));
            }
            for (String setting : new String[]{"server_version", "synchronous_commit", "fsync", "shared_buffers",
                    "max_connections", "default_transaction_isolation", "wal_level", "max_wal_size"}) {
                try (ResultSet r = s.executeQuery("SHOW " + setting)) {
                    r.next();
                    out.put(setting, r.getString(1));
                }
            }
        } catch (SQLException e) {
            out.put("error", e.getMessage());
        }
        out.put("embedded", String.valueOf(coordinates().embedded()));
        return out;
    }
}

package io.dhamana.testkit;

import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real PostgreSQL server the tests run against, found once per JVM, in this order:
 * <ol>
 *   <li>the database named by {@code DHAMANA_TEST_JDBC_URL} (with {@code DHAMANA_TEST_JDBC_USER} and
 *       {@code DHAMANA_TEST_JDBC_PASSWORD}), for CI services or a server of your own;
 *   <li>a Testcontainers PostgreSQL container, when a Docker engine answers (asked with a time limit, and only if
 *       a Docker socket or {@code DOCKER_HOST} exists);
 *   <li>an embedded PostgreSQL (zonky, real PostgreSQL 14 binaries from Maven Central), stopped by a JVM
 *       shutdown hook.
 * </ol>
 * Which one was chosen is logged. Tests use their own schemas, dropped and recreated by {@link #freshSchema(String)},
 * so they do not disturb other data on a shared server.
 */
public final class PostgresServer {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    /**
     * Where the server is.
     *
     * @param source which of the three ways found it, for logs
     */
    public record Endpoint(String jdbcUrl, String user, String password, String source) {
        /** Hides the password. */
        @Override
        public String toString() {
            return source + " at " + jdbcUrl + " as " + user;
        }
    }

    private static volatile Endpoint endpoint;

    private PostgresServer() {}

    /** The server, started on first use. */
    public static Endpoint endpoint() {
        Endpoint e = endpoint;
        if (e == null) {
            synchronized (PostgresServer.class) {
                e = endpoint;
                if (e == null) {
                    e = find();
                    LOG.info("PostgreSQL for tests: {}", e);
                    System.err.println("[dhamana tests] PostgreSQL for tests: " + e);
                    endpoint = e;
                }
            }
        }
        return e;
    }

    /** A store builder on the test server, for {@code schema}, at {@code isolation}. */
    public static PostgresStore.Builder store(String schema, PostgresIsolation isolation) {
        Endpoint e = endpoint();
        return PostgresStore.builder().jdbcUrl(e.jdbcUrl()).user(e.user()).password(e.password()).schema(schema)
                .isolation(isolation);
    }

    /** A plain connection (autocommit on) for test set-up and for acting from the side. */
    public static Connection connect() throws SQLException {
        Endpoint e = endpoint();
        return DriverManager.getConnection(e.jdbcUrl(), e.user(), e.password());
    }

    /** Drops {@code schema} and everything in it, so a test class starts from nothing. */
    public static void freshSchema(String schema) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + io.dhamana.jdbc.internal.Sql.checkIdentifier(schema) + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop schema " + schema + ": " + e.getMessage(), e);
        }
    }

    private static Endpoint find() {
        String url = System.getenv("DHAMANA_TEST_JDBC_URL");
        if (url != null && !url.isBlank()) {
            return new Endpoint(url, envOr("DHAMANA_TEST_JDBC_USER", "postgres"),
                    envOr("DHAMANA_TEST_JDBC_PASSWORD", ""), "DHAMANA_TEST_JDBC_URL");
        }
        if (dockerAnswers()) {
            try {
                return container();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("Docker answered but the PostgreSQL container did not start ({}); using embedded PostgreSQL",
                        e.toString());
            }
        }
        return embedded();
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }

    /** Asks Testcontainers only if there is a Docker endpoint at all, and never waits long for the answer. */
    private static boolean dockerAnswers() {
        boolean socket = Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
        String host = System.getenv("DOCKER_HOST");
        if (!socket && (host == null || host.isBlank())) {
            return false;
        }
        CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(() -> {
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        });
        try {
            return probe.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            probe.cancel(true);
            return false;
        }
    }

    private static Endpoint container() {
        PostgreSQLContainer pg = new PostgreSQLContainer("postgres:16-alpine")
                .withCommand("postgres", "-c", "max_connections=300");
        pg.start();
        Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "dhamana-test-postgres-stop"));
        return new Endpoint(pg.getJdbcUrl(), pg.getUsername(), pg.getPassword(), "Testcontainers postgres:16-alpine");
    }

    private static Endpoint embedded() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setRegisterShutdownHook(false)
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    // the JVM is exiting; nothing more to do
                }
            }, "dhamana-test-postgres-stop"));
            // Not getJdbcUrl(): its ?user= would override the role a test connects as.
            return new Endpoint("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "",
                    "embedded PostgreSQL (zonky, port " + pg.getPort() + ")");
        } catch (IOException e) {
            throw new IllegalStateException("could not start embedded PostgreSQL: " + e.getMessage(), e);
        }
    }
}

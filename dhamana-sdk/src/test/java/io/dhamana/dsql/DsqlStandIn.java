package io.dhamana.dsql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dhamana.testkit.PostgresServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.dhamana.jdbc.internal.OpeningDataSource;
import javax.sql.DataSource;

/**
 * PostgreSQL standing in for a two-Region Aurora DSQL cluster, for tests without AWS. The store is built exactly
 * as in production (endpoints, IAM tokens signed with static test credentials, HikariCP pools, the DSQL dialect);
 * only the last step differs: the test {@link ConnectionOpener} records the production connection properties
 * (token, TLS settings) and opens a connection to the test server instead, wrapped in {@link DsqlConformance}.
 *
 * <p>What makes PostgreSQL a fair stand-in: each connection starts its transactions at REPEATABLE READ (snapshot
 * isolation, DSQL's only level) through the startup packet's {@code options}, never through a statement the store
 * sends; the DSQL dialect sends none. The local server has no TLS, so the stand-in connects without it; production
 * keeps {@code verify-full} (the tests check the properties the store asked for). Both "Regions" are pools on the
 * same database, as both endpoints of a multi-Region cluster serve one strongly consistent database.
 */
final class DsqlStandIn {
    static final String EAST = "us-east-1";
    static final String WEST = "us-east-2";
    static final String EAST_HOST = "standin-east.dsql.us-east-1.on.aws";
    static final String WEST_HOST = "standin-west.dsql.us-east-2.on.aws";
    /** AWS's documentation example key pair: signs tokens offline, grants nothing anywhere. */
    static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final Pattern HOST_REGION = Pattern.compile("jdbc:postgresql://[^.]+\\.dsql\\.([a-z0-9-]+)\\.on\\.aws:");
    private static final String REPEATABLE_READ = "-c default_transaction_isolation=repeatable\\ read";

    /** One physical connection the store asked for: the URL and properties production would have used. */
    record Connect(String url, Properties properties) {
        String token() {
            return properties.getProperty("password");
        }
    }

    private static volatile boolean prepared;

    private DsqlStandIn() {}

    /**
     * Gives the test server what DSQL has and PostgreSQL lacks: a {@code sys.jobs} table and a
     * {@code sys.wait_for_job} procedure that answers whether the job completed.
     */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        try (Connection c = PostgresServer.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS sys");
            st.execute("CREATE TABLE IF NOT EXISTS sys.jobs (job_id text PRIMARY KEY, status text NOT NULL,"
                    + " details text, job_type text, class_id oid, object_id oid, object_name text,"
                    + " start_time timestamptz, update_time timestamptz)");
            st.execute("CREATE OR REPLACE PROCEDURE sys.wait_for_job(job text, INOUT succeeded boolean DEFAULT NULL)"
                    + " LANGUAGE plpgsql AS $$ BEGIN succeeded := EXISTS (SELECT 1 FROM sys.jobs j"
                    + " WHERE j.job_id = job AND j.status = 'completed'); END $$");
        } catch (SQLException e) {
            throw new IllegalStateException("could not prepare the DSQL stand-in: " + e.getMessage(), e);
        }
        prepared = true;
    }

    /** Static test credentials; each resolution is counted. */
    static final class CountingCredentials implements AwsCredentialsProvider {
        final AtomicInteger resolved = new AtomicInteger();
        private final boolean rotating;

        /** @param rotating whether each resolution returns a new access key id (so every token differs) */
        CountingCredentials(boolean rotating) {
            this.rotating = rotating;
        }

        @Override
        public AwsCredentials resolveCredentials() {
            int n = resolved.incrementAndGet();
            String key = rotating ? String.format("AKIA%016d", n) : ACCESS_KEY;
            return AwsBasicCredentials.create(key, SECRET_KEY);
        }
    }

    /**
     * A store builder with the two stand-in Regions, static test credentials and the stand-in opener; the caller
     * adds routing, pool sizes and anything else, and builds.
     */
    static DsqlStore.Builder builder(String schema, DsqlConformance conformance, Queue<Connect> connects) {
        prepare();
        return DsqlStore.builder()
                .endpoint(EAST_HOST, EAST)
                .endpoint(WEST_HOST, WEST)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .schema(schema)
                .connectionOpener(opener(conformance, connects));
    }

    /** As {@link #builder(String, DsqlConformance, Queue)}, without keeping the connection properties. */
    static DsqlStore.Builder builder(String schema, DsqlConformance conformance) {
        return builder(schema, conformance, new ConcurrentLinkedQueue<>());
    }

    /** Records what production would have opened, then opens the stand-in connection for its Region. */
    static ConnectionOpener opener(DsqlConformance conformance, Queue<Connect> connects) {
        return (url, properties) -> {
            Properties copy = new Properties();
            copy.putAll(properties);
            connects.add(new Connect(url, copy));
            Matcher m = HOST_REGION.matcher(url);
            if (!m.find()) {
                throw new SQLException("not a stand-in endpoint: " + url, "08001");
            }
            // Production's properties, less what only a real endpoint can honour: the test server's role and
            // password instead of the token, and no TLS (the local server has none).
            Properties p = new Properties();
            p.putAll(properties);
            p.remove("sslfactory");
            p.remove("sslNegotiation");
            p.setProperty("sslmode", "disable");
            return conformance.wrap(open(p), m.group(1));
        };
    }

    /** A connection to the test server at REPEATABLE READ, as the test server's own role. */
    static Connection open() throws SQLException {
        Properties p = new Properties();
        p.setProperty("ApplicationName", "dhamana-dsql-standin");
        p.setProperty("assumeMinServerVersion", "9.0"); // the name in the startup packet, no SET afterwards
        p.setProperty("logServerErrorDetail", "false");
        return open(p);
    }

    private static Connection open(Properties properties) throws SQLException {
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty("user", e.user());
        p.setProperty("password", e.password());
        // DSQL's one isolation level, from the startup packet: nothing the store sends sets it.
        p.setProperty("options", REPEATABLE_READ);
        return new org.postgresql.Driver().connect(e.jdbcUrl(), p);
    }

    /**
     * A caller-built pool for one Region (the {@code dataSource(region, ...)} path): HikariCP over stand-in
     * connections, with no isolation level set.
     */
    static HikariDataSource callerPool(DsqlConformance conformance, String region, int size) {
        prepare();
        HikariConfig config = new HikariConfig();
        config.setPoolName("caller-" + region);
        config.setMaximumPoolSize(size);
        config.setDataSource(dataSource(() -> conformance.wrap(open(), region)));
        return new HikariDataSource(config);
    }

    /** Opens one connection (for {@link #dataSource(Opener)}). */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    /** A minimal data source around {@code open}, for a pool to draw from. */
    static DataSource dataSource(Opener open) {
        prepare();
        return new OpenerDataSource(open);
    }

    /** The minimal data source HikariCP needs around an opener. */
    private static final class OpenerDataSource extends OpeningDataSource {
        private final Opener open;

        OpenerDataSource(Opener open) {
            this.open = open;
            setLoginTimeout(5); // how long HikariCP waits for its connection adder when the pool closes
        }

        @Override
        public Connection getConnection() throws SQLException {
            return open.open();
        }
    }

    /** The transactions of {@code log} that modified rows. */
    static List<DsqlConformance.Tx> writing(List<DsqlConformance.Tx> log) {
        return log.stream().filter(t -> t.committed && t.modified()).toList();
    }
}

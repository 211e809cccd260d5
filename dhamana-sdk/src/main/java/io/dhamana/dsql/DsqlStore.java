package io.dhamana.dsql;

import io.dhamana.ConflictException;
import io.dhamana.InvalidRequestException;
import io.dhamana.SchemaMode;
import io.dhamana.StoreException;
import io.dhamana.internal.Checks;
import io.dhamana.jdbc.internal.JdbcStore;
import io.dhamana.jdbc.internal.Pause;
import io.dhamana.jdbc.internal.SchemaInstaller;
import io.dhamana.jdbc.internal.SchemaScript;
import io.dhamana.jdbc.internal.Sql;
import io.dhamana.jdbc.internal.SqlErrors;
import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * A {@link TicketStore} on Amazon Aurora DSQL, with one or more regional endpoints of one (single- or multi-Region)
 * cluster. The statements are the PostgreSQL store's, under DSQL's rules: one isolation level (snapshot isolation)
 * that the store never tries to set, no savepoints, one DDL statement per transaction, indexes built with
 * {@code CREATE INDEX ASYNC}, random keys, and every bulk operation in transactions far below DSQL's 3,000 modified
 * rows and 10 MiB. Every rule (no oversell, one holder per seat, one owner per ticket, verified buyers only, the
 * per-buyer cap, the resale cap, the balanced ledger) is enforced at commit by a write to the row that rivals also
 * write, so it holds from either endpoint of a multi-Region cluster.
 *
 * <pre>{@code
 * try (DsqlStore store = DsqlStore.builder()
 *         .endpoint("abc123.dsql.us-east-1.on.aws", "us-east-1")
 *         .endpoint("def456.dsql.us-east-2.on.aws", "us-east-2")
 *         .routing(DsqlRouting.home("us-east-1"))
 *         .build();
 *      TicketingClient client = TicketingClient.builder().store(store).build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Connections.</b> With {@link Builder#endpoint(String, String)} the store builds a HikariCP pool per endpoint
 * whose every new physical connection gets a new IAM token from the AWS SDK ({@code DbConnectAdmin} for the
 * {@code admin} role, {@code DbConnect} for any other), uses TLS {@code verify-full}, and is retired after 55
 * minutes, below DSQL's 60-minute limit. With {@link Builder#dataSource(String, DataSource)} the caller's data
 * sources are used as they are (for example HikariCP over AWS's Aurora DSQL JDBC connector); they must not set a
 * transaction isolation level, since DSQL refuses it. Tokens never appear in {@link #toString()},
 * {@link #description()}, log lines or exception messages.
 *
 * <p><b>Failures.</b> The store never retries. A lost optimistic-concurrency race (SQLSTATE 40001, DSQL's OC000
 * and OC001) is a {@link ConflictException}, which the client retries; a DSQL limit (54000) or an unsupported
 * statement (0A000) is a permanent {@link StoreException} that names the limit; a lost connection is a transient
 * {@link StoreException}. Building the store connects once: it installs the schema (or checks it is installed).
 * Thread-safe; one store may back several clients. {@link #close()} closes the pools the store built, never a
 * caller's data sources.
 */
public final class DsqlStore implements TicketStore {
    private static final Logger LOG = LoggerFactory.getLogger(DsqlStore.class);
    private static final AtomicInteger POOLS = new AtomicInteger();
    /** How long an endpoint that handed out no connection is passed over. */
    private static final Duration COOL_DOWN = Duration.ofSeconds(30);
    /** Whole-installation attempts when a concurrent installer's DDL keeps changing the catalog (OC001). */
    private static final int INSTALL_ATTEMPTS = 5;

    private final JdbcStore jdbc;
    private final Sql sql;
    private final DsqlDialect dialect;
    private final List<EndpointRouter.Endpoint> endpoints;
    private final String description;
    private final List<AutoCloseable> owned;
    private final List<DsqlPool> pools;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DsqlStore(EndpointRouter router, Sql sql, DsqlDialect dialect, List<EndpointRouter.Endpoint> endpoints,
                      String description, List<AutoCloseable> owned, List<DsqlPool> pools) {
        this.jdbc = new JdbcStore(router, dialect, sql);
        this.sql = sql;
        this.dialect = dialect;
        this.endpoints = endpoints;
        this.description = description;
        this.owned = owned;
        this.pools = pools;
    }

    /**
     * The SQL that installs this SDK's schema on Aurora DSQL under {@code schema}: the statements the store runs in
     * {@link SchemaMode#CREATE}, in order, one DDL statement per transaction as DSQL requires (for the default
     * schema it is the {@code META-INF/dhamana/schema/dsql.sql} resource of the SDK jar). Each
     * {@code CREATE INDEX ASYNC} returns a job id; the store waits for each job ({@code CALL sys.wait_for_job(id)})
     * before the next statement, and so must a migration tool before the last statement, which records the schema
     * version that {@link SchemaMode#VALIDATE} checks.
     *
     * @param schema the schema name: {@code [a-z_][a-z0-9_]*}
     * @return the script
     * @throws InvalidRequestException if {@code schema} is not such a name
     */
    public static String schemaSql(String schema) {
        Checks.notNull("schema", schema);
        String checked;
        try {
            checked = Sql.checkIdentifier(schema);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("schema", e.getMessage());
        }
        return SchemaScript.render(new DsqlDialect(), checked, "Dhamana schema version " + SchemaScript.version()
                + " for Aurora DSQL, schema " + checked + ".\nThe statements DsqlStore runs with SchemaMode.CREATE,"
                + " one per transaction. Each CREATE INDEX ASYNC\nreturns a job id: wait for it with"
                + " CALL sys.wait_for_job('<id>') before going on.\nThen build the store with SchemaMode.VALIDATE."
                + " Printed by DsqlStore.schemaSql(\"" + checked + "\").");
    }

    /** A builder; give it {@link Builder#endpoint(String, String)}s or {@link Builder#dataSource(String, DataSource)}s. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code work} in one transaction on a connection from the endpoint the routing picks, and commits it.
     * Never retries.
     *
     * @throws ConflictException            on SQLSTATE 40001 (DSQL's OC000: a concurrent transaction wrote a row
     *                                      this one wrote; OC001: the schema changed), from a statement or the
     *                                      commit; the client retries these
     * @throws StoreException               permanent on a DSQL limit (54000: more than 3,000 modified rows, 10 MiB
     *                                      or 5 minutes in one transaction) or an unsupported statement (0A000);
     *                                      transient if no endpoint could hand out a connection or the connection
     *                                      was lost (also during commit, when the outcome is unknown)
     * @throws io.dhamana.spi.ConstraintViolationException if a CHECK or unique constraint refused a write
     * @throws IllegalStateException        if the store is closed
     */
    @Override
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        ensureOpen();
        return jdbc.inTransaction(mode, work);
    }

    /** {@link KeyStrategy#RANDOM}: AWS advises random keys for write-heavy tables (a monotonic key makes one hot partition). */
    @Override
    public KeyStrategy keyStrategy() {
        return dialect.keyStrategy();
    }

    /**
     * For example {@code "Aurora DSQL 16.9, snapshot isolation (REPEATABLE READ), schema dhamana, endpoints us-east-1
     * (abc123.dsql.us-east-1.on.aws), us-east-2 (def456.dsql.us-east-2.on.aws), routing home us-east-1"}.
     */
    @Override
    public String description() {
        return description;
    }

    /** The Regions of the endpoints, in the order they were added. */
    public List<String> regions() {
        return endpoints.stream().map(e -> e.region).toList();
    }

    /**
     * A view of this store whose transactions all start on the endpoint in {@code region}, with no failover: for a
     * client per Region, or to read the same committed state through each endpoint. The view shares this store's
     * connections; closing it does nothing, closing this store closes it too.
     *
     * @throws InvalidRequestException if no endpoint is in {@code region}
     */
    public TicketStore pinnedTo(String region) {
        DsqlRouting.checkRegion("region", region);
        EndpointRouter.Endpoint endpoint = endpoints.stream().filter(e -> e.region.equals(region)).findFirst()
                .orElseThrow(() -> new InvalidRequestException("region", "must be one of " + regions() + ", was "
                        + region));
        EndpointRouter router = new EndpointRouter(List.of(endpoint), DsqlRouting.home(region), COOL_DOWN);
        return new Pinned(new JdbcStore(router, dialect, sql), region, description.replaceFirst(
                ", endpoints .*$", ", endpoint " + region + " (" + endpoint.label + ")"));
    }

    /** Retires the pooled connections of every endpoint the store built, so the next ones open with new tokens. */
    void evictConnections() {
        pools.forEach(DsqlPool::evictAll);
    }

    /** The pools the store built (none with the caller's data sources), for tests. */
    List<DataSource> pools() {
        return pools.stream().map(DsqlPool::dataSource).toList();
    }

    /** Closes the pools (and the default credentials chain) the store built, if any. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // In reverse of opening, as a failed build does: the pools before the credentials their threads sign with.
        for (int i = owned.size() - 1; i >= 0; i--) {
            closeQuietly(owned.get(i));
        }
    }

    @Override
    public String toString() {
        return "DsqlStore[" + description + "]";
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("Aurora DSQL store is closed");
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), SqlErrors.firstLine(e));
        }
    }

    /** One endpoint of the store, with no failover; owns nothing. */
    private final class Pinned implements TicketStore {
        private final JdbcStore pinned;
        private final String region;
        private final String pinnedDescription;

        Pinned(JdbcStore pinned, String region, String pinnedDescription) {
            this.pinned = pinned;
            this.region = region;
            this.pinnedDescription = pinnedDescription;
        }

        @Override
        public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
            ensureOpen();
            return pinned.inTransaction(mode, work);
        }

        @Override
        public KeyStrategy keyStrategy() {
            return dialect.keyStrategy();
        }

        @Override
        public String description() {
            return pinnedDescription;
        }

        /** Does nothing: the connections belong to the store this view was made from. */
        @Override
        public void close() {
            // the owning DsqlStore closes the pools
        }

        @Override
        public String toString() {
            return "DsqlStore[pinned to " + region + ": " + pinnedDescription + "]";
        }
    }

    /**
     * Collects a {@link DsqlStore}'s settings. Each setter validates at once. Not thread-safe.
     */
    public static final class Builder {
        private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*"
                + "[a-z0-9])?)+");
        /** {@code <cluster id>.dsql[-suffix].<region>.on.aws}: the Region label, checked against the one given. */
        private static final Pattern DSQL_HOST = Pattern.compile("[^.]+\\.dsql[^.]*\\.([a-z0-9-]+)\\.on\\.aws");
        private static final Duration MAX_TOKEN_EXPIRY = Duration.ofDays(7);

        private final Map<String, String> hosts = new LinkedHashMap<>();
        private final Map<String, DataSource> dataSources = new LinkedHashMap<>();
        private DsqlRouting routing;
        private String user;
        private Object credentials; // an AwsCredentialsProvider; typed loosely so the AWS SDK stays optional
        private String schema = "dhamana";
        private Integer maxPoolSize;
        private Duration tokenExpiry;
        private Duration connectionTimeout;
        private boolean installSchema = true;
        private ConnectionOpener opener;

        private Builder() {}

        /**
         * Adds a regional cluster endpoint: the store builds a HikariCP pool for it whose connections authenticate
         * with IAM tokens. Needs {@code software.amazon.awssdk:dsql}, pgjdbc and HikariCP on the class path. Add one
         * endpoint per Region (two for a multi-Region cluster's peers).
         *
         * @param host   the endpoint, for example {@code abc123.dsql.us-east-1.on.aws} (no scheme, no port)
         * @param region its AWS Region, for example {@code us-east-1}; tokens are signed for it
         * @throws InvalidRequestException if the host is not a host name, names another Region than
         *                                 {@code region}, or {@code region} already has an endpoint
         */
        public Builder endpoint(String host, String region) {
            Checks.notNull("host", host);
            String h = host.strip().toLowerCase(Locale.ROOT);
            if (h.length() > 253 || !HOST.matcher(h).matches()) {
                throw new InvalidRequestException("host", "must be a host name such as"
                        + " abc123.dsql.us-east-1.on.aws (no scheme, port or path), was '" + Checks.abbreviate(host)
                        + "'");
            }
            DsqlRouting.checkRegion("region", region);
            Matcher m = DSQL_HOST.matcher(h);
            if (m.matches() && !m.group(1).equals(region)) {
                throw new InvalidRequestException("region", "must be the Region the endpoint " + h + " is in ("
                        + m.group(1) + "), was " + region);
            }
            checkNewRegion(region);
            hosts.put(region, h);
            return this;
        }

        /**
         * Adds a Region's data source that the caller built and owns (for example HikariCP over AWS's
         * {@code jdbc:aws-dsql:postgresql://} connector, which makes the tokens). The store never closes it. It
         * must not set a transaction isolation level or send {@code SET} statements at connect: DSQL refuses them.
         *
         * @throws InvalidRequestException if {@code region} is not a Region name or already has an endpoint
         */
        public Builder dataSource(String region, DataSource dataSource) {
            DsqlRouting.checkRegion("region", region);
            Checks.notNull("dataSource", dataSource);
            checkNewRegion(region);
            dataSources.put(region, dataSource);
            return this;
        }

        private void checkNewRegion(String region) {
            if (hosts.containsKey(region) || dataSources.containsKey(region)) {
                throw new InvalidRequestException("region", region + " already has an endpoint; add one per Region");
            }
        }

        /**
         * Which endpoint transactions start on; default {@link DsqlRouting#home(String)} of the first endpoint added
         * (the others for failover).
         */
        public Builder routing(DsqlRouting routing) {
            this.routing = Checks.notNull("routing", routing);
            return this;
        }

        /**
         * The database role to connect as, with {@link #endpoint(String, String)}; default {@code admin}. The
         * {@code admin} role gets {@code DbConnectAdmin} tokens; any other role {@code DbConnect} tokens and must be
         * mapped to your IAM identity ({@code AWS IAM GRANT}, see the DSQL guide).
         */
        public Builder user(String user) {
            this.user = Checks.text("user", user, 63);
            return this;
        }

        /**
         * Who signs the IAM tokens, with {@link #endpoint(String, String)}; default the AWS default credentials
         * chain (environment, system properties, profile, container and instance credentials). Resolved for each
         * token, so rotating credentials are followed.
         *
         * @param credentialsProvider a {@code software.amazon.awssdk.auth.credentials.AwsCredentialsProvider}
         */
        // The AWS SDK is an optional dependency: a caller who passes its types has it on the path already.
        @SuppressWarnings("exports")
        public Builder credentialsProvider(
                software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentialsProvider) {
            this.credentials = Checks.notNull("credentialsProvider", credentialsProvider);
            return this;
        }

        /** The schema holding the store's tables: a lower-case identifier; default {@code dhamana}. */
        public Builder schema(String schema) {
            Checks.notNull("schema", schema);
            try {
                this.schema = Sql.checkIdentifier(schema);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("schema", e.getMessage());
            }
            return this;
        }

        /** The most connections of each endpoint's pool (with {@link #endpoint(String, String)}); default 16. */
        public Builder maxPoolSize(int connections) {
            this.maxPoolSize = Checks.range("maxPoolSize", connections, 1, 1_000);
            return this;
        }

        /**
         * How long each token may be used to open a connection (with {@link #endpoint(String, String)}); default 15
         * minutes, at most 7 days. A token is made for each new connection and only checked when it opens, so the
         * default is plenty.
         */
        public Builder tokenExpiry(Duration expiry) {
            this.tokenExpiry = Checks.duration("tokenExpiry", expiry, Duration.ofSeconds(1), MAX_TOKEN_EXPIRY);
            return this;
        }

        /**
         * How long a transaction waits for a connection from an endpoint's pool before that endpoint is passed over
         * (with {@link #endpoint(String, String)}); default 10 seconds, 250 ms to 5 minutes.
         */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = Checks.duration("connectionTimeout", timeout, Duration.ofMillis(250),
                    Duration.ofMinutes(5));
            return this;
        }

        /**
         * Whether {@link #build()} creates the schema when it is missing (default true). Installing needs a role
         * allowed to create the schema and its tables; an installed schema is recognised without any DDL.
         */
        public Builder installSchema(boolean install) {
            this.installSchema = install;
            return this;
        }

        // ---------------------------------------------------------------- schema ownership and pool metrics

        private SchemaMode schemaMode;
        private Object meterRegistry; // a MeterRegistry; typed loosely so Micrometer stays optional

        /**
         * What {@link #build()} does with the schema: create it when missing ({@link SchemaMode#CREATE}, the
         * default), only check that it is installed at the version this SDK needs ({@link SchemaMode#VALIDATE}, for a
         * schema your migration tool applies from {@link DsqlStore#schemaSql(String)}), or nothing
         * ({@link SchemaMode#NONE}). When set, it takes the place of {@link #installSchema(boolean)}.
         *
         * @param mode the mode
         * @return this builder
         * @throws InvalidRequestException if {@code mode} is null
         */
        public Builder schemaMode(SchemaMode mode) {
            this.schemaMode = Checks.notNull("schemaMode", mode);
            return this;
        }

        /**
         * Publishes the metrics of the pools the store builds (with {@link #endpoint(String, String)}) to this
         * Micrometer registry, through HikariCP's own tracker ({@code hikaricp.connections.*}, tagged with each
         * pool's name {@code dhamana-dsql-N-region}). Needs {@code io.micrometer:micrometer-core}.
         *
         * @param registry a {@code io.micrometer.core.instrument.MeterRegistry}
         * @return this builder
         * @throws InvalidRequestException if {@code registry} is null
         */
        @SuppressWarnings("exports")
        public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
            this.meterRegistry = Checks.notNull("meterRegistry", registry);
            return this;
        }

        private SchemaMode effectiveSchemaMode() {
            return schemaMode != null ? schemaMode : installSchema ? SchemaMode.CREATE : SchemaMode.VALIDATE;
        }

        // ---------------------------------------------------------------- end of schema ownership and pool metrics

        /** For tests only: how physical connections are opened (production: pgjdbc's driver). */
        Builder connectionOpener(ConnectionOpener opener) {
            this.opener = Checks.notNull("opener", opener);
            return this;
        }

        /**
         * Connects, installs or checks the schema, and returns the store.
         *
         * @throws InvalidRequestException if there is no endpoint, endpoints and data sources are mixed, the
         *                                 routing's home Region has no endpoint, or connection settings were given
         *                                 with data sources
         * @throws StoreException          if no endpoint can be reached (transient) or the schema is missing and
         *                                 may not be installed (permanent)
         * @throws IllegalStateException   with endpoints, if the AWS SDK, pgjdbc or HikariCP is not on the class path
         */
        public DsqlStore build() {
            if (hosts.isEmpty() && dataSources.isEmpty()) {
                throw new InvalidRequestException("endpoint", "or dataSource must be given at least once");
            }
            if (!hosts.isEmpty() && !dataSources.isEmpty()) {
                throw new InvalidRequestException("dataSource", "must not be combined with endpoint(...)");
            }
            if (!dataSources.isEmpty() && (user != null || credentials != null || maxPoolSize != null
                    || tokenExpiry != null || connectionTimeout != null || meterRegistry != null)) {
                throw new InvalidRequestException(user != null ? "user" : credentials != null ? "credentialsProvider"
                        : maxPoolSize != null ? "maxPoolSize" : tokenExpiry != null ? "tokenExpiry"
                        : connectionTimeout != null ? "connectionTimeout" : "meterRegistry",
                        "applies only with endpoint(...); configure your DataSource instead");
            }
            List<String> regions = new ArrayList<>(hosts.isEmpty() ? dataSources.keySet() : hosts.keySet());
            DsqlRouting route = routing == null ? DsqlRouting.home(regions.get(0)) : routing;
            if (route.homeRegion().isPresent() && !regions.contains(route.homeRegion().get())) {
                throw new InvalidRequestException("routing", "home Region " + route.homeRegion().get()
                        + " has no endpoint; the endpoints are in " + regions);
            }
            List<AutoCloseable> owned = new ArrayList<>();
            List<DsqlPool> pools = new ArrayList<>();
            List<EndpointRouter.Endpoint> endpoints = new ArrayList<>();
            try {
                if (!hosts.isEmpty()) {
                    openPools(endpoints, owned, pools);
                } else {
                    dataSources.forEach((region, ds) -> endpoints.add(
                            new EndpointRouter.Endpoint(region, "caller's data source", ds)));
                }
                EndpointRouter router = new EndpointRouter(endpoints, route, COOL_DOWN);
                DsqlDialect dialect = new DsqlDialect();
                Sql sql = new Sql(schema, dialect.arrayParameters());
                String version = ensureSchema(router, dialect, sql);
                String description = dialect.product() + (version.isEmpty() ? "" : " " + version) + ", "
                        + dialect.isolationLabel() + ", schema " + schema + ", endpoints "
                        + endpoints.stream().map(e -> e.region + " (" + e.label + ")")
                        .collect(Collectors.joining(", ")) + ", routing " + route;
                LOG.info("Aurora DSQL store ready: {}", description);
                return new DsqlStore(router, sql, dialect, List.copyOf(endpoints), description, List.copyOf(owned),
                        List.copyOf(pools));
            } catch (RuntimeException | Error e) {
                for (int i = owned.size() - 1; i >= 0; i--) {
                    closeQuietly(owned.get(i));
                }
                throw e;
            }
        }

        private void openPools(List<EndpointRouter.Endpoint> endpoints, List<AutoCloseable> owned,
                               List<DsqlPool> pools) {
            ConnectionOpener open = opener;
            if (open == null) {
                open = ConnectionOpener.pgjdbc();
            }
            DsqlTokens.requireSdk();
            Object signer = credentials;
            if (signer == null) {
                AutoCloseable chain = DsqlTokens.defaultCredentials();
                owned.add(chain);
                signer = chain;
            }
            boolean directTls = directTls();
            String role = user == null ? DsqlTokens.ADMIN : user;
            Duration expiry = tokenExpiry == null ? Duration.ofMinutes(15) : tokenExpiry;
            int size = maxPoolSize == null ? 16 : maxPoolSize;
            Duration wait = connectionTimeout == null ? Duration.ofSeconds(10) : connectionTimeout;
            int id = POOLS.incrementAndGet();
            for (Map.Entry<String, String> e : hosts.entrySet()) {
                String region = e.getKey();
                String host = e.getValue();
                DsqlConnectionFactory connections = new DsqlConnectionFactory(host, role,
                        DsqlTokens.forEndpoint(host, region, role, signer, expiry), open, directTls);
                DsqlPool pool = DsqlPool.open("dhamana-dsql-" + id + "-" + region, connections, size, wait,
                        meterRegistry);
                owned.add(pool);
                pools.add(pool);
                endpoints.add(new EndpointRouter.Endpoint(region, host, pool.dataSource()));
            }
        }

        private static boolean directTls() {
            try {
                return ConnectionOpener.Pgjdbc.supportsDirectTls();
            } catch (LinkageError e) {
                throw new IllegalStateException("DsqlStore.builder().endpoint(...) needs the PostgreSQL JDBC driver"
                        + " (org.postgresql:postgresql) on the class path", e);
            }
        }

        /**
         * Installs or checks the schema. DDL run by another installer (or the completion of an index build) can
         * make this session's catalog stale: DSQL then answers OC001, and the whole idempotent installation runs
         * again.
         */
        private String ensureSchema(EndpointRouter router, DsqlDialect dialect, Sql sql) {
            for (int attempt = 1; ; attempt++) {
                try {
                    return shortVersion(SchemaInstaller.ensure(router, dialect, sql, effectiveSchemaMode(),
                            "DsqlStore.schemaSql(\"" + sql.schema() + "\"), or the META-INF/dhamana/schema/dsql.sql"
                                    + " resource for the schema dhamana"));
                } catch (ConflictException e) {
                    if (attempt >= INSTALL_ATTEMPTS) {
                        throw e;
                    }
                    LOG.debug("schema installation met a catalog change; attempt {} of {}", attempt,
                            INSTALL_ATTEMPTS);
                    try {
                        Pause.nanos(attempt * 200_000_000L, "schema installation to settle");
                    } catch (SQLException interrupted) {
                        throw new StoreException(false, interrupted.getSQLState(), interrupted.getMessage(), e);
                    }
                }
            }
        }

        private static String shortVersion(String version) {
            String v = version == null ? "" : version.strip();
            int space = v.indexOf(' ');
            return (space < 0 ? v : v.substring(0, space)).toLowerCase(Locale.ROOT);
        }
    }
}

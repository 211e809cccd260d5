package io.dhamana.postgres;

import io.dhamana.InvalidRequestException;
import io.dhamana.SchemaMode;
import io.dhamana.StoreException;
import io.dhamana.internal.Checks;
import io.dhamana.jdbc.internal.JdbcStore;
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

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A {@link TicketStore} on PostgreSQL (13 or newer). Every store operation is one parameterised statement; every
 * invariant is enforced at commit by a conditional write to the guard row rivals also write, backed by CHECK
 * constraints and partial unique indexes. Transactions run at {@link PostgresIsolation#SERIALIZABLE} unless
 * configured otherwise; a lost serialization race surfaces as a {@link io.dhamana.ConflictException} (SQLSTATE
 * 40001 or 40P01), which the client retries. The store itself never retries.
 *
 * <pre>{@code
 * try (PostgresStore store = PostgresStore.builder()
 *         .jdbcUrl("jdbc:postgresql://db:5432/tickets").user("dhamana_app").password(secret)
 *         .build();
 *      TicketingClient client = TicketingClient.builder().store(store).build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Building the store connects once: it installs the schema (or, with {@code installSchema(false)}, checks that
 * it is installed) and reads the server version. Thread-safe; one store may back several clients.
 * {@link #close()} closes the connection pool if the store built it, never a caller's {@link DataSource}.
 * Credentials never appear in {@link #toString()}, {@link #description()}, log lines or exception messages.
 */
public final class PostgresStore implements TicketStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final JdbcStore jdbc;
    private final String description;
    private final KeyStrategy keyStrategy;
    private final Optional<Closeable> ownedPool;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresStore(JdbcStore jdbc, String description, KeyStrategy keyStrategy,
                          Optional<Closeable> ownedPool) {
        this.jdbc = jdbc;
        this.description = description;
        this.keyStrategy = keyStrategy;
        this.ownedPool = ownedPool;
    }

    /**
     * The SQL that installs this SDK's schema on PostgreSQL under {@code schema}: the statements the store runs in
     * {@link SchemaMode#CREATE}, in order, each ending with a semicolon, ready for a migration tool (for the default
     * schema it is the {@code META-INF/dhamana/schema/postgresql.sql} resource of the SDK jar). Its last statement
     * records the schema version that {@link SchemaMode#VALIDATE} checks.
     *
     * @param schema the schema name: {@code [a-z_][a-z0-9_]*}
     * @return the script
     * @throws InvalidRequestException if {@code schema} is not such a name
     */
    public static String schemaSql(String schema) {
        String checked = checkedSchema(schema);
        return SchemaScript.render(new PostgresDialect(PostgresIsolation.SERIALIZABLE, true), checked,
                "Dhamana schema version " + SchemaScript.version() + " for PostgreSQL 13 or newer, schema " + checked
                        + ".\nThe statements PostgresStore runs with SchemaMode.CREATE: apply them with your"
                        + " migration tool,\nthen build the store with SchemaMode.VALIDATE. Printed by"
                        + " PostgresStore.schemaSql(\"" + checked + "\").");
    }

    private static String checkedSchema(String schema) {
        Checks.notNull("schema", schema);
        try {
            return Sql.checkIdentifier(schema);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("schema", e.getMessage());
        }
    }

    /**
     * A builder; set either {@link Builder#jdbcUrl(String)} or {@link Builder#dataSource(DataSource)}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code work} in one transaction on one pooled connection and commits it. Never retries.
     *
     * @throws io.dhamana.ConflictException  on SQLSTATE 40001 or 40P01, from any statement or the commit
     * @throws StoreException                transient if the connection or server was lost (also during commit,
     *                                       when the outcome is unknown) or no connection was free in time;
     *                                       permanent otherwise
     * @throws io.dhamana.spi.ConstraintViolationException if a CHECK or unique constraint refused a write
     * @throws IllegalStateException         if the store is closed
     */
    @Override
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        if (closed.get()) {
            throw new IllegalStateException("PostgreSQL store is closed");
        }
        return jdbc.inTransaction(mode, work);
    }

    /**
     * {@link KeyStrategy#RANDOM} at SERIALIZABLE (time-ordered keys crowd SSI's page-level predicate locks on one
     * B-tree leaf and multiply serialization failures), {@link KeyStrategy#TIME_ORDERED} at the weaker levels
     * (UUIDv7 keeps B-tree inserts on neighbouring pages).
     */
    @Override
    public KeyStrategy keyStrategy() {
        return keyStrategy;
    }

    /** For example {@code "PostgreSQL 16.4, SERIALIZABLE, schema dhamana"}. */
    @Override
    public String description() {
        return description;
    }

    /** Closes the pool the store built, if any. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ownedPool.ifPresent(pool -> {
            try {
                pool.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing the connection pool failed: {}", SqlErrors.firstLine(e));
            }
        });
    }

    @Override
    public String toString() {
        return "PostgresStore[" + description + "]";
    }

    /**
     * Collects a {@link PostgresStore}'s settings. Each setter validates at once. Not thread-safe.
     */
    public static final class Builder {
        private String jdbcUrl;
        private String user;
        private String password;
        private DataSource dataSource;
        private PostgresIsolation isolation = PostgresIsolation.SERIALIZABLE;
        private String schema = "dhamana";
        private Integer maxPoolSize;
        private Duration connectionTimeout;
        private boolean installSchema = true;

        private Builder() {}

        /**
         * Connect with this URL ({@code jdbc:postgresql://host:5432/database}); the store builds a HikariCP pool
         * and closes it on {@link PostgresStore#close()}. Needs pgjdbc and HikariCP on the class path. Prefer
         * {@link #password(String)} over a password inside the URL.
         *
         * @param url the JDBC URL
         * @return this builder
         */
        public Builder jdbcUrl(String url) {
            Checks.notNull("jdbcUrl", url);
            if (!url.startsWith("jdbc:postgresql:")) {
                // The URL itself is not echoed: it may carry a password.
                throw new InvalidRequestException("jdbcUrl", "must start with jdbc:postgresql:");
            }
            checkUrl(url);
            this.jdbcUrl = url;
            return this;
        }

        /**
         * Refuses, without echoing it, a URL the driver would not take as meant. Left to the driver and the pool,
         * a malformed URL comes back quoted in their error messages, and {@code user:password@host} (which pgjdbc
         * does not support) is taken for a host name that ends up in the failed lookup's message and in the log.
         */
        private static void checkUrl(String url) {
            String rest = url.substring("jdbc:postgresql:".length());
            if (rest.startsWith("//")) {
                int end = rest.length();
                for (int i = 2; i < rest.length(); i++) {
                    char ch = rest.charAt(i);
                    if (ch == '/' || ch == '?') {
                        end = i;
                        break;
                    }
                }
                if (rest.substring(2, end).indexOf('@') >= 0) {
                    throw new InvalidRequestException("jdbcUrl", "must not carry a user or password before the"
                            + " host; pass them with user(...) and password(...)");
                }
            }
            boolean accepted;
            try {
                accepted = org.postgresql.Driver.parseURL(url, null) != null;
            } catch (LinkageError e) {
                return; // no driver on the class path: build() says so
            }
            if (!accepted) {
                throw new InvalidRequestException("jdbcUrl", "is not a URL the PostgreSQL driver accepts, such as"
                        + " jdbc:postgresql://host:5432/database");
            }
        }

        /**
         * The role to connect as, with {@link #jdbcUrl(String)}.
         *
         * @param user the role
         * @return this builder
         */
        public Builder user(String user) {
            this.user = Checks.text("user", user, 63);
            return this;
        }

        /**
         * The role's password, with {@link #jdbcUrl(String)}. Never logged or shown.
         *
         * @param password the password
         * @return this builder
         */
        public Builder password(String password) {
            this.password = Checks.notNull("password", password);
            return this;
        }

        /**
         * Use the caller's data source (any pool) instead of building one; the store never closes it. Each
         * transaction then sets its own isolation level, leaving the connection's session settings as they were.
         *
         * @param dataSource the data source
         * @return this builder
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Checks.notNull("dataSource", dataSource);
            return this;
        }

        /**
         * The isolation level; default {@link PostgresIsolation#SERIALIZABLE}.
         *
         * @param isolation the isolation level
         * @return this builder
         */
        public Builder isolation(PostgresIsolation isolation) {
            this.isolation = Checks.notNull("isolation", isolation);
            return this;
        }

        /**
         * The schema holding the store's tables: a lower-case identifier; default {@code dhamana}.
         *
         * @param schema the schema name: {@code [a-z_][a-z0-9_]*}
         * @return this builder
         */
        public Builder schema(String schema) {
            Checks.notNull("schema", schema);
            try {
                this.schema = Sql.checkIdentifier(schema);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("schema", e.getMessage());
            }
            return this;
        }

        /**
         * The most connections of the pool the store builds (with {@link #jdbcUrl(String)}); default 16.
         *
         * @param connections the most connections, 1 to 1,000
         * @return this builder
         */
        public Builder maxPoolSize(int connections) {
            this.maxPoolSize = Checks.range("maxPoolSize", connections, 1, 1_000);
            return this;
        }

        /**
         * How long a transaction waits for a connection of the pool the store builds (with {@link #jdbcUrl}) before
         * failing with a transient {@link StoreException}; default 10 seconds.
         *
         * @param timeout the longest wait, 250 ms to 10 minutes
         * @return this builder
         */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = Checks.duration("connectionTimeout", timeout, Duration.ofMillis(250),
                    Duration.ofMinutes(10));
            return this;
        }

        /**
         * Whether {@link #build()} creates the schema when it is missing (default true). Installing needs the right
         * to create the schema and its tables; an installed schema is recognised without any DDL. With false, the
         * build only checks that the schema is installed.
         *
         * @param install true to install a missing schema
         * @return this builder
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
         * schema your migration tool applies from {@link PostgresStore#schemaSql(String)}), or nothing
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
         * Publishes the metrics of the pool the store builds (with {@link #jdbcUrl(String)}) to this Micrometer
         * registry, through HikariCP's own tracker ({@code hikaricp.connections.*}, tagged with the pool's name
         * {@code dhamana-postgres-N}), beside the client's {@code dhamana.*} meters. Needs
         * {@code io.micrometer:micrometer-core}.
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

        /**
         * Connects, installs or checks the schema, and returns the store.
         *
         * @return the store, connected and with its schema in place
         * @throws InvalidRequestException if neither or both of a URL and a data source were given, or pool
         *                                 settings were combined with a data source
         * @throws StoreException          if the database cannot be reached (transient) or the schema is missing
         *                                 and may not be installed (permanent)
         * @throws IllegalStateException   if a URL was given but HikariCP or pgjdbc is not on the class path
         */
        public PostgresStore build() {
            if (jdbcUrl == null && dataSource == null) {
                throw new InvalidRequestException("jdbcUrl", "or dataSource must be set");
            }
            if (jdbcUrl != null && dataSource != null) {
                throw new InvalidRequestException("dataSource", "must not be combined with jdbcUrl");
            }
            if (dataSource != null && (user != null || password != null || maxPoolSize != null
                    || connectionTimeout != null || meterRegistry != null)) {
                throw new InvalidRequestException(user != null ? "user" : password != null ? "password"
                        : maxPoolSize != null ? "maxPoolSize" : connectionTimeout != null ? "connectionTimeout"
                        : "meterRegistry", "applies only with jdbcUrl; configure your DataSource instead");
            }
            SchemaMode mode = effectiveSchemaMode();
            Sql sql = new Sql(schema);
            boolean owned = dataSource == null;
            DataSource ds;
            Optional<Closeable> pool;
            String poolName = "dhamana-postgres-" + POOLS.incrementAndGet();
            if (owned) {
                UrlSecrets secrets = UrlSecrets.takeOut(jdbcUrl);
                if (password != null && secrets.password() != null) {
                    throw new InvalidRequestException("password", "is given twice: in jdbcUrl and with password(...)");
                }
                HikariPool hikari = HikariPool.open(poolName, secrets.url(), user,
                        password != null ? password : secrets.password(), secrets.sslPassword(),
                        maxPoolSize == null ? 16 : maxPoolSize, isolation,
                        connectionTimeout == null ? Duration.ofSeconds(10) : connectionTimeout, meterRegistry);
                ds = hikari.dataSource();
                pool = Optional.of(hikari);
            } else {
                ds = dataSource;
                pool = Optional.empty();
            }
            PostgresDialect dialect = new PostgresDialect(isolation, owned);
            String serverVersion;
            try {
                serverVersion = SchemaInstaller.ensure(ds, dialect, sql, mode, "PostgresStore.schemaSql(\""
                        + schema + "\"), or the META-INF/dhamana/schema/postgresql.sql resource for the schema"
                        + " dhamana");
            } catch (RuntimeException e) {
                pool.ifPresent(PostgresStore::closeQuietly);
                throw e;
            }
            String description = dialect.product() + " " + shortVersion(serverVersion) + ", "
                    + dialect.isolationLabel() + ", schema " + schema;
            LOG.info("PostgreSQL store ready: {}{}", description,
                    owned ? " (pool " + poolName + " of up to " + (maxPoolSize == null ? 16 : maxPoolSize)
                            + " connections)" : " (caller's data source)");
            return new PostgresStore(new JdbcStore(ds, dialect, sql), description, dialect.keyStrategy(), pool);
        }

        private static String shortVersion(String version) {
            String v = version == null ? "" : version.strip();
            int space = v.indexOf(' ');
            return (space < 0 ? v : v.substring(0, space)).toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A URL with its secrets taken out. pgjdbc logs the URL it connects with (at {@code FINE}), so a password left in
     * the URL's parameters would reach the driver's log; taken out, it travels as a connection property instead,
     * which the driver never logs.
     *
     * @param url         the URL without {@code password} and {@code sslpassword} parameters
     * @param password    the {@code password} parameter's value, decoded, or null
     * @param sslPassword the {@code sslpassword} parameter's value, decoded, or null
     */
    private record UrlSecrets(String url, String password, String sslPassword) {
        private static final Set<String> SECRET_PARAMETERS = Set.of("password", "sslpassword");

        static UrlSecrets takeOut(String url) {
            int query = url.indexOf('?');
            if (query < 0) {
                return new UrlSecrets(url, null, null);
            }
            Properties parsed = org.postgresql.Driver.parseURL(url, null);
            StringBuilder kept = new StringBuilder(url.substring(0, query));
            char separator = '?';
            for (String parameter : url.substring(query + 1).split("&")) {
                int eq = parameter.indexOf('=');
                String name = eq < 0 ? parameter : parameter.substring(0, eq);
                if (parameter.isEmpty() || SECRET_PARAMETERS.contains(name)) {
                    continue;
                }
                kept.append(separator).append(parameter);
                separator = '&';
            }
            return new UrlSecrets(kept.toString(), parsed == null ? null : parsed.getProperty("password"),
                    parsed == null ? null : parsed.getProperty("sslpassword"));
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing the pool after a failed build failed: {}", SqlErrors.firstLine(e));
        }
    }

    /**
     * The pool the store builds. Kept in its own class so that a store given a caller's data source never loads
     * HikariCP, an optional dependency.
     */
    private static final class HikariPool implements Closeable {
        private final com.zaxxer.hikari.HikariDataSource dataSource;

        private HikariPool(com.zaxxer.hikari.HikariDataSource dataSource) {
            this.dataSource = dataSource;
        }

        static HikariPool open(String name, String url, String user, String password, String sslPassword,
                               int size, PostgresIsolation isolation, Duration connectionTimeout,
                               Object meterRegistry) {
            com.zaxxer.hikari.HikariConfig config;
            try {
                config = new com.zaxxer.hikari.HikariConfig();
            } catch (NoClassDefFoundError e) {
                throw new IllegalStateException("PostgresStore.builder().jdbcUrl(...) needs com.zaxxer:HikariCP on "
                        + "the class path; add it, or pass your own pool with dataSource(...)", e);
            }
            config.setPoolName(name);
            config.setJdbcUrl(url);
            try {
                config.setDriverClassName("org.postgresql.Driver");
            } catch (RuntimeException e) {
                throw new IllegalStateException("PostgresStore needs the PostgreSQL JDBC driver "
                        + "(org.postgresql:postgresql) on the class path", e);
            }
            if (user != null) {
                config.setUsername(user);
            }
            if (password != null) {
                config.setPassword(password);
            }
            if (sslPassword != null) {
                config.addDataSourceProperty("sslpassword", sslPassword);
            }
            config.setMaximumPoolSize(size);
            config.setConnectionTimeout(connectionTimeout.toMillis());
            config.setAutoCommit(false);
            // Set once on each new connection (and restored by the pool if anyone changes it), so a transaction
            // starts at this level without a SET TRANSACTION round trip of its own.
            config.setTransactionIsolation("TRANSACTION_" + isolation.name());
            // Sent in the startup packet: set at connect, no statement and no transaction of its own.
            PostgresDialect.sessionOptions(isolation).ifPresent(o -> config.addDataSourceProperty("options", o));
            config.addDataSourceProperty("ApplicationName", "dhamana");
            // Keep row values ("Failing row contains ...") out of driver messages: they may hold entry codes.
            config.addDataSourceProperty("logServerErrorDetail", "false");
            if (meterRegistry != null) {
                config.setMetricRegistry(meterRegistry); // HikariCP's Micrometer tracker
            }
            try {
                return new HikariPool(new com.zaxxer.hikari.HikariDataSource(config));
            } catch (RuntimeException e) {
                // PoolInitializationException: the database could not be reached or refused the login.
                throw SqlErrors.classify(e.getCause() != null ? e.getCause() : e, "connect to PostgreSQL");
            }
        }

        DataSource dataSource() {
            return dataSource;
        }

        @Override
        public void close() {
            dataSource.close();
        }
    }
}

package io.dhamana.dsql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.Closeable;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The HikariCP pool of one endpoint. Kept in its own class so that a store given the caller's data sources never
 * loads HikariCP, an optional dependency.
 *
 * <p>What it deliberately does not set: {@code transactionIsolation} (pgjdbc would send
 * {@code SET SESSION CHARACTERISTICS}, which DSQL refuses), {@code connectionInitSql} and {@code readOnly}.
 */
final class DsqlPool implements Closeable {
    /**
     * Below DSQL's hard 60-minute connection limit, with room for a transaction that starts just before: HikariCP
     * retires a connection after this (less up to 2.5 % of random variance, so they do not all reconnect at once).
     */
    static final Duration MAX_LIFETIME = Duration.ofMinutes(55);
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

    private final HikariDataSource dataSource;

    private DsqlPool(HikariDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Starts a pool over {@code connections}. Does not wait for a first connection: an endpoint whose Region is
     * unreachable at start must not stop a multi-Region store from starting on the others.
     */
    static DsqlPool open(String name, DataSource connections, int size, Duration connectionTimeout,
                         Object meterRegistry) {
        HikariConfig config;
        try {
            config = new HikariConfig();
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("DsqlStore.builder().endpoint(...) needs com.zaxxer:HikariCP on the class"
                    + " path; add it, or pass your own pools with dataSource(region, ...)", e);
        }
        config.setPoolName(name);
        config.setDataSource(connections);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(size, 2));
        config.setAutoCommit(false);
        config.setMaxLifetime(MAX_LIFETIME.toMillis());
        config.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setInitializationFailTimeout(-1);
        if (meterRegistry != null) {
            config.setMetricRegistry(meterRegistry); // HikariCP's Micrometer tracker
        }
        return new DsqlPool(new HikariDataSource(config));
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** Retires every idle connection now and the busy ones when returned: the next ones open with new tokens. */
    void evictAll() {
        dataSource.getHikariPoolMXBean().softEvictConnections();
    }

    @Override
    public void close() {
        dataSource.close();
    }
}

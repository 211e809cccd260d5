package io.dhamana.postgres;

import io.dhamana.jdbc.internal.SchemaDdl;
import io.dhamana.jdbc.internal.SqlDialect;
import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TxMode;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * PostgreSQL: an isolation level per transaction, synchronous {@code CREATE INDEX IF NOT EXISTS}, fill factors,
 * advisory locks, and time-ordered keys (UUIDv7 lands consecutive inserts on the same B-tree pages).
 */
final class PostgresDialect implements SqlDialect {
    private final PostgresIsolation isolation;
    private final boolean presetOnConnections;

    /**
     * @param isolation           the level of writing transactions
     * @param presetOnConnections true when every connection of the data source already starts its transactions at
     *                            {@code isolation} (the pool the store builds sets it once per connection), which
     *                            saves a round trip per transaction; false for a caller's data source, where each
     *                            transaction sets its own level and leaves the session as it was
     */
    PostgresDialect(PostgresIsolation isolation, boolean presetOnConnections) {
        this.isolation = isolation;
        this.presetOnConnections = presetOnConnections;
    }

    @Override
    public String product() {
        return "PostgreSQL";
    }

    @Override
    public String isolationLabel() {
        return isolation.name();
    }

    /**
     * Random keys at SERIALIZABLE, time-ordered otherwise. Measured on the flash drop: PostgreSQL's SSI tracks
     * reads with page-level predicate locks, and time-ordered keys put concurrent transactions' inserts on the same
     * hot B-tree leaf, which tripled its serialization failures; at the weaker levels, where reads take no such
     * locks, UUIDv7 keeps the indexes compact.
     */
    @Override
    public KeyStrategy keyStrategy() {
        return isolation == PostgresIsolation.SERIALIZABLE ? KeyStrategy.RANDOM : KeyStrategy.TIME_ORDERED;
    }

    @Override
    public List<String> opening(TxMode mode) {
        PostgresIsolation level = effective(mode);
        if (presetOnConnections && level == isolation) {
            return List.of();
        }
        // SET TRANSACTION only affects the transaction it opens (pgjdbc sends BEGIN ahead of it): the same as
        // BEGIN ISOLATION LEVEL, and nothing leaks into the session of a caller's pooled connection. SET LOCAL
        // likewise ends with the transaction. Both ride with the transaction's first round.
        return level == PostgresIsolation.SERIALIZABLE
                ? List.of("SET TRANSACTION ISOLATION LEVEL " + level.sql(), "SET LOCAL " + NO_SEQUENTIAL_SCANS)
                : List.of("SET TRANSACTION ISOLATION LEVEL " + level.sql());
    }

    /**
     * At SERIALIZABLE, PostgreSQL's SSI takes a predicate lock on whatever a statement scans. One event's stock
     * buckets fit in a single page, so the planner reads them with a sequential scan and locks the whole table:
     * then every hold conflicts with every other hold, whatever the bucket count (pgbench on the store's own hold
     * SQL, 64 buckets, 16 clients: 12.3 retries per hold and 253 tx/s, against 0.003 and 2,692 tx/s with
     * sequential scans off). With them off, each guarded write reaches its row through the primary key and locks
     * only that index entry. Statements with no usable index still scan; the audit is unaffected.
     */
    static final String NO_SEQUENTIAL_SCANS = "enable_seqscan = off";

    /** Startup options for each connection of a pool the store builds itself (pgjdbc's {@code options}). */
    static Optional<String> sessionOptions(PostgresIsolation isolation) {
        return isolation == PostgresIsolation.SERIALIZABLE ? Optional.of("-c enable_seqscan=off") : Optional.empty();
    }

    /** The level a transaction of {@code mode} runs at; reads always get one snapshot. */
    PostgresIsolation effective(TxMode mode) {
        if (mode == TxMode.READ_ONLY && isolation == PostgresIsolation.READ_COMMITTED) {
            return PostgresIsolation.REPEATABLE_READ;
        }
        return isolation;
    }

    @Override
    public String createTable(String schema, SchemaDdl.Table table) {
        return "CREATE TABLE IF NOT EXISTS " + schema + "." + table.name() + " (\n" + table.body().indent(2) + ")"
                + (table.fillFactor() < 100 ? " WITH (fillfactor = " + table.fillFactor() + ")" : "");
    }

    @Override
    public void createIndex(Connection connection, String schema, SchemaDdl.Index index) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(indexDdl(schema, index));
        }
    }

    @Override
    public String createIndexSql(String schema, SchemaDdl.Index index) {
        return indexDdl(schema, index);
    }

    static String indexDdl(String schema, SchemaDdl.Index index) {
        return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + index.name() + " ON "
                + schema + "." + index.table() + " (" + index.columns() + ")"
                + (index.where().isEmpty() ? "" : " WHERE " + index.where());
    }

    @Override
    public boolean hasAdvisoryLocks() {
        return true;
    }
}

package io.dhamana.jdbc.internal;

import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TxMode;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What differs between the SQL backends that share {@link JdbcStore}: how a transaction begins, how DDL is issued,
 * and which keys suit the storage. PostgreSQL sets an isolation level per transaction; Aurora DSQL has one level
 * and refuses {@code SET TRANSACTION}, {@code setTransactionIsolation} and {@code SAVEPOINT}, builds indexes
 * asynchronously and has no advisory locks. Everything else (the statements of {@link Sql}, the error
 * classification, the schema) is shared.
 */
public interface SqlDialect {

    /** The product for descriptions, for example {@code "PostgreSQL"}. */
    String product();

    /** How transactions are isolated, in words, for descriptions (for example {@code "SERIALIZABLE"}). */
    String isolationLabel();

    /** The kind of client-generated key that suits this backend's storage. */
    KeyStrategy keyStrategy();

    /**
     * Statements without parameters that open a transaction of {@code mode} (an isolation level, a session setting
     * for this transaction only), sent with the transaction's first round so they cost no round trip of their own.
     * Must contain nothing the backend refuses; usually empty.
     */
    List<String> opening(TxMode mode);

    /** {@code CREATE TABLE IF NOT EXISTS} for {@code table}, with storage options only where the backend has them. */
    String createTable(String schema, SchemaDdl.Table table);

    /** The statement that creates {@code index} if absent, as {@link #createIndex} sends it. */
    String createIndexSql(String schema, SchemaDdl.Index index);

    /**
     * Creates {@code index} if absent and returns once it is usable (a backend that builds indexes in the
     * background waits for the build here). Runs in autocommit mode, one DDL statement per transaction.
     */
    void createIndex(Connection connection, String schema, SchemaDdl.Index index) throws SQLException;

    /**
     * Whether concurrent installers can serialise on a session advisory lock ({@code pg_advisory_lock}). Without
     * one, installation relies on {@code IF NOT EXISTS} alone and retries a clash.
     */
    boolean hasAdvisoryLocks();

    /**
     * Whether multi-row inserts may bind one array parameter per column ({@code unnest(?::text[], ...)}). When
     * false they are sent as {@code VALUES} lists with scalar parameters only. PostgreSQL: true.
     */
    default boolean arrayParameters() {
        return true;
    }
}

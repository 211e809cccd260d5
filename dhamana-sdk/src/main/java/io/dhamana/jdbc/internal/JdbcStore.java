package io.dhamana.jdbc.internal;

import io.dhamana.DhamanaException;
import io.dhamana.internal.Checks;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs one transaction attempt on a connection from a {@link DataSource}: the work reads through a
 * {@link JdbcTransaction} (the dialect's opening statements ride with its first round), then its writes are sent with
 * the commit; a transaction the work marked rollback-only, or that threw, is rolled back with none of its writes sent.
 * Every JDBC failure, the commit's included, is classified by {@link SqlErrors}; nothing is retried here. Shared by
 * the PostgreSQL and Aurora DSQL stores. Thread-safe if the data source is.
 */
public final class JdbcStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final Sql sql;

    public JdbcStore(DataSource dataSource, SqlDialect dialect, Sql sql) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.sql = sql;
    }

    /** See {@link io.dhamana.spi.TicketStore#inTransaction(TxMode, TransactionWork)}. */
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        Checks.notNull("mode", mode);
        Checks.notNull("work", work);
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw SqlErrors.classify(e, "get a connection");
        }
        boolean autoCommitWas = true;
        boolean readOnlyWas = false;
        try {
            autoCommitWas = c.getAutoCommit();
            if (autoCommitWas) {
                c.setAutoCommit(false);
            }
            readOnlyWas = c.isReadOnly();
            boolean readOnly = mode == TxMode.READ_ONLY;
            if (readOnlyWas != readOnly) {
                // With pgjdbc's default readOnlyMode=transaction this only changes the BEGIN it sends.
                c.setReadOnly(readOnly);
            }
        } catch (SQLException e) {
            restoreAndClose(c, autoCommitWas, readOnlyWas);
            throw SqlErrors.classify(e, "begin");
        } catch (RuntimeException | Error e) {
            restoreAndClose(c, autoCommitWas, readOnlyWas);
            throw e;
        }
        try {
            JdbcTransaction tx = new JdbcTransaction(c, sql, dialect.opening(mode));
            T result;
            try {
                result = work.run(tx);
            } catch (RuntimeException | Error e) {
                rollbackQuietly(c, tx);
                throw e;
            }
            if (tx.isRollbackOnly()) {
                rollbackQuietly(c, tx); // nothing was meant to stick; its writes were never sent
            } else {
                try {
                    tx.commit(); // the writes and COMMIT, in one round trip
                } catch (RuntimeException | Error e) {
                    rollbackQuietly(c, tx);
                    throw e;
                }
            }
            return result;
        } finally {
            restoreAndClose(c, autoCommitWas, readOnlyWas);
        }
    }

    private static void rollbackQuietly(Connection c, JdbcTransaction tx) {
        if (!tx.started()) {
            return; // nothing was sent, so no transaction is open
        }
        try {
            c.rollback(); // pgjdbc sends nothing when the server says no transaction is open
        } catch (SQLException | RuntimeException e) {
            // The connection is most likely gone, which aborts the transaction on the server too.
            LOG.debug("rollback failed: {}", SqlErrors.firstLine(e));
        }
    }

    private static void restoreAndClose(Connection c, boolean autoCommitWas, boolean readOnlyWas) {
        try {
            // Leave a caller's pooled connection as we found it (free on pgjdbc once the transaction ended).
            if (c.isReadOnly() != readOnlyWas) {
                c.setReadOnly(readOnlyWas);
            }
            if (autoCommitWas && !c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not restore connection settings: {}", SqlErrors.firstLine(e));
        } finally {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("closing a connection failed: {}", SqlErrors.firstLine(e));
            }
        }
    }
}

package io.dhamana.dsql;

import io.dhamana.jdbc.internal.Pause;
import io.dhamana.jdbc.internal.SchemaDdl;
import io.dhamana.jdbc.internal.SqlDialect;
import io.dhamana.jdbc.internal.SqlErrors;
import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TxMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.util.List;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Aurora DSQL: the PostgreSQL statements under DSQL's rules.
 * <ul>
 *   <li>One isolation level (snapshot isolation, PostgreSQL's REPEATABLE READ): a transaction begins with the
 *       driver's plain {@code BEGIN} ({@code BEGIN READ ONLY} for reads); nothing sets an isolation level, since
 *       DSQL refuses {@code SET TRANSACTION} and {@code SET SESSION CHARACTERISTICS} (which is what
 *       {@code setTransactionIsolation} sends).
 *   <li>Tables without storage parameters (no {@code fillfactor}).
 *   <li>Indexes built in the background: {@code CREATE INDEX ASYNC} returns a job id, and installation waits for
 *       the job ({@code CALL sys.wait_for_job}), retrying the wait when the catalog change it causes surfaces as
 *       OC001; an index another installer is still building is waited for until {@code pg_index} says it is valid.
 *   <li>No advisory locks: concurrent installers rely on {@code IF NOT EXISTS} and a version row written last.
 *   <li>No array parameters: multi-row inserts are {@code VALUES} lists (DSQL refuses array column types and its
 *       documentation of runtime arrays is thin, so the SDK does not depend on them).
 *   <li>Random (v4) keys, as AWS advises for write-heavy tables: a monotonic key puts every insert on one
 *       partition.
 * </ul>
 */
final class DsqlDialect implements SqlDialect {
    private static final Logger LOG = LoggerFactory.getLogger(DsqlDialect.class);
    /** Job ids are base32-rendered UUIDs; anything else is refused before it goes into statement text. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Attempts of one wait that keeps meeting OC001 (the finished build changes the catalog). */
    private static final int WAIT_ATTEMPTS = 10;
    /** How long an index another installer is building may take before installation gives up. */
    private static final Duration INDEX_BUILD_LIMIT = Duration.ofMinutes(15);
    private static final Duration POLL = Duration.ofSeconds(1);

    @Override
    public String product() {
        return "Aurora DSQL";
    }

    @Override
    public String isolationLabel() {
        return "snapshot isolation (REPEATABLE READ)";
    }

    @Override
    public KeyStrategy keyStrategy() {
        return KeyStrategy.RANDOM;
    }

    /** Nothing: the driver's {@code BEGIN} (or {@code BEGIN READ ONLY}) opens the transaction. */
    @Override
    public List<String> opening(TxMode mode) {
        // DSQL has exactly one isolation level; asking for any (even REPEATABLE READ) with SET is refused.
        return List.of();
    }

    @Override
    public String createTable(String schema, SchemaDdl.Table table) {
        // No WITH (fillfactor = ...): DSQL stores rows in its own, index-organized way and has no storage options.
        return "CREATE TABLE IF NOT EXISTS " + schema + "." + table.name() + " (\n" + table.body().indent(2) + ")";
    }

    @Override
    public String createIndexSql(String schema, SchemaDdl.Index index) {
        return indexDdl(schema, index);
    }

    /** The {@code CREATE INDEX ASYNC} statement for {@code index}; the index name is never schema-qualified. */
    static String indexDdl(String schema, SchemaDdl.Index index) {
        return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX ASYNC IF NOT EXISTS " + index.name() + " ON "
                + schema + "." + index.table() + " (" + index.columns() + ")"
                + (index.where().isEmpty() ? "" : " WHERE " + index.where());
    }

    /** The statement that waits for an index build job. A procedure: {@code SELECT sys.wait_for_job} is refused. */
    static String waitForJob(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("unexpected job id from CREATE INDEX ASYNC");
        }
        return "CALL sys.wait_for_job('" + jobId + "')";
    }

    @Override
    public void createIndex(Connection connection, String schema, SchemaDdl.Index index) throws SQLException {
        Optional<String> job = Optional.empty();
        try (Statement st = connection.createStatement()) {
            if (st.execute(indexDdl(schema, index))) {
                try (ResultSet rs = st.getResultSet()) {
                    if (rs.next()) {
                        job = Optional.ofNullable(rs.getString(1)).filter(s -> !s.isBlank());
                    }
                }
            }
        }
        if (job.isPresent()) {
            waitFor(connection, job.get(), index.name());
        }
        // Also when IF NOT EXISTS found the index already there: another installer may still be building it, and
        // the version row must not be written before every index is usable.
        awaitValid(connection, schema, index.name());
    }

    private static void waitFor(Connection c, String jobId, String index) throws SQLException {
        String call = waitForJob(jobId);
        for (int attempt = 1; ; attempt++) {
            try (Statement st = c.createStatement()) {
                boolean succeeded = true;
                if (st.execute(call)) {
                    try (ResultSet rs = st.getResultSet()) {
                        succeeded = !rs.next() || rs.getBoolean(1) || rs.wasNull();
                    }
                }
                if (!succeeded) {
                    throw new SQLException("building index " + index + " failed (job " + jobId + "): "
                            + jobDetails(c, jobId) + "; drop the invalid index and install again", "55000");
                }
                return;
            } catch (SQLException e) {
                // Completing the build changes the catalog; this session may see that as OC001 and must retry.
                if (!SqlErrors.SERIALIZATION_FAILURE.equals(e.getSQLState()) || attempt >= WAIT_ATTEMPTS) {
                    throw e;
                }
                LOG.debug("waiting for index {}: catalog changed, attempt {} of {}", index, attempt, WAIT_ATTEMPTS);
                Pause.nanos(attempt * 100_000_000L, "index " + index);
            }
        }
    }

    /** Why an index build's job ended as it did. */
    static final String JOB_DETAILS = "SELECT status, details FROM sys.jobs WHERE job_id = ?";
    /** Whether an index is usable yet (one being built is not valid). */
    static final String INDEX_VALID = "SELECT i.indisvalid FROM pg_catalog.pg_index i"
            + " JOIN pg_catalog.pg_class x ON x.oid = i.indexrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = x.relnamespace"
            + " WHERE n.nspname = ? AND x.relname = ?";

    private static String jobDetails(Connection c, String jobId) {
        try (PreparedStatement ps = c.prepareStatement(JOB_DETAILS)) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) + (rs.getString(2) == null ? "" : ", " + rs.getString(2))
                        : "no longer listed in sys.jobs";
            }
        } catch (SQLException e) {
            return "status unknown (" + SqlErrors.firstLine(e) + ")";
        }
    }

    /** Polls {@code pg_index.indisvalid} until the index is usable (an index being built is not valid yet). */
    private static void awaitValid(Connection c, String schema, String index) throws SQLException {
        long deadline = System.nanoTime() + INDEX_BUILD_LIMIT.toNanos();
        for (int attempt = 1; ; attempt++) {
            Optional<Boolean> valid;
            try {
                valid = indexValid(c, schema, index);
            } catch (SQLException e) {
                if (!SqlErrors.SERIALIZATION_FAILURE.equals(e.getSQLState()) || attempt >= WAIT_ATTEMPTS) {
                    throw e;
                }
                Pause.nanos(attempt * 100_000_000L, "index " + schema + "." + index);
                continue;
            }
            if (valid.orElse(false)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new SQLException("index " + schema + "." + index + (valid.isEmpty() ? " does not exist"
                        : " is still not valid") + " after " + INDEX_BUILD_LIMIT.toMinutes() + " minutes; see"
                        + " sys.jobs: if its build failed, drop the index and install again", "55000");
            }
            LOG.info("index {}.{} is being built by another installer; waiting", schema, index);
            Pause.nanos(POLL.toNanos(), "index " + schema + "." + index);
        }
    }

    private static Optional<Boolean> indexValid(Connection c, String schema, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INDEX_VALID)) {
            ps.setString(1, schema);
            ps.setString(2, index);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
            }
        }
    }

    @Override
    public boolean hasAdvisoryLocks() {
        return false;
    }

    @Override
    public boolean arrayParameters() {
        return false;
    }
}

package io.dhamana.jdbc.internal;

import io.dhamana.SchemaMode;
import io.dhamana.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Installs the store's schema, or checks that it is there. Idempotent and safe when several processes start at
 * once: an installed schema is recognised by its version row before any DDL is tried (so a role without DDL
 * rights can start against an installed schema), installers take an advisory lock where the backend has one, and
 * every statement is {@code IF NOT EXISTS}. Each DDL statement runs in its own transaction and none is mixed with
 * DML, as Aurora DSQL requires.
 *
 * <p>Where there is no advisory lock (Aurora DSQL), concurrent installers run side by side: each step is retried
 * when it loses a catalog race (SQLSTATE 40001, DSQL's OC001), and a step that fails because a rival created the
 * object first ({@code duplicate_*}, or a unique violation in the catalog) counts as done. The version row is
 * still written last, after every index is usable, so its presence keeps meaning "complete".
 */
public final class SchemaInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaInstaller.class);
    private static final String UNDEFINED_TABLE = "42P01";
    private static final String INVALID_SCHEMA_NAME = "3F000";
    /** What a rival installer's object looks like to the loser of a race: already there. */
    private static final Set<String> ALREADY_THERE = Set.of(
            "42P06", // duplicate_schema
            "42P07", // duplicate_table (and duplicate index relation)
            "42710", // duplicate_object
            "23505"); // unique_violation on a catalog table (PostgreSQL's concurrent CREATE ... IF NOT EXISTS)
    /** Attempts of one installation step that keeps losing catalog races. */
    private static final int STEP_ATTEMPTS = 8;

    private SchemaInstaller() {}

    /**
     * Makes sure the schema is installed, installing it in {@link SchemaMode#CREATE}, only checking it in
     * {@link SchemaMode#VALIDATE}, and looking at nothing but the server's version in {@link SchemaMode#NONE}.
     *
     * @param scriptHint how to print the schema script, for the message when it is missing or older
     * @return the server's version as the driver reports it, for descriptions
     * @throws StoreException if the server cannot be reached (transient), or the schema is missing or older and
     *                        may not be installed, or installing failed (permanent)
     */
    public static String ensure(DataSource dataSource, SqlDialect dialect, Sql sql, SchemaMode mode,
                                String scriptHint) {
        String schema = sql.schema();
        try (Connection c = dataSource.getConnection()) {
            String version = c.getMetaData().getDatabaseProductVersion();
            if (mode == SchemaMode.NONE) {
                return version;
            }
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(true);
            try {
                OptionalInt installed = installedVersion(c, schema);
                if (installed.isPresent() && installed.getAsInt() >= SchemaDdl.VERSION) {
                    if (installed.getAsInt() > SchemaDdl.VERSION) {
                        LOG.warn("schema {} is at version {}, newer than this SDK's {}", schema, installed.getAsInt(),
                                SchemaDdl.VERSION);
                    }
                    return version;
                }
                if (mode == SchemaMode.VALIDATE) {
                    String found = installed.isPresent()
                            ? "is at version " + installed.getAsInt() + ", older than the version "
                                    + SchemaDdl.VERSION + " this SDK needs"
                            : "is not installed (no " + schema + ".schema_version row)";
                    throw new StoreException(false, null, "schema " + schema + " " + found + "; apply the schema"
                            + " script (" + scriptHint + ") with your migration tool, or build the store once with"
                            + " schemaMode(SchemaMode.CREATE), or installSchema(true), as a role allowed to create"
                            + " it", null);
                }
                install(c, dialect, schema);
            } finally {
                c.setAutoCommit(autoCommit);
            }
            return version;
        } catch (SQLException e) {
            throw SqlErrors.classify(e, "install schema " + schema);
        }
    }

    private static void install(Connection c, SqlDialect dialect, String schema) throws SQLException {
        long lockKey = lockKey(schema);
        if (dialect.hasAdvisoryLocks()) {
            // Serialises installers: the second waits here, then finds the version row and does nothing.
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
                ps.setLong(1, lockKey);
                ps.execute();
            }
        }
        try {
            if (installedVersion(c, schema).orElse(0) >= SchemaDdl.VERSION) {
                return;
            }
            LOG.info("installing the Dhamana schema {} (version {})", schema, SchemaDdl.VERSION);
            boolean racing = !dialect.hasAdvisoryLocks();
            // The shipped script's statements, in its order; the version row is its last, so its presence means
            // every table and index before it exists.
            for (SchemaScript.Statement s : SchemaScript.statements(dialect, schema)) {
                switch (s.kind()) {
                    case SCHEMA -> {
                        if (!schemaExists(c, schema)) {
                            // Only when missing: CREATE SCHEMA IF NOT EXISTS still demands CREATE on the database.
                            step(racing, s.name(), () -> execute(c, s.sql()));
                        }
                    }
                    case INDEX -> step(racing, s.name(), () -> dialect.createIndex(c, schema, s.index()));
                    case TABLE, VERSION -> step(racing, s.name(), () -> execute(c, s.sql()));
                }
            }
        } finally {
            if (dialect.hasAdvisoryLocks()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    ps.setLong(1, lockKey);
                    ps.execute();
                }
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws SQLException;
    }

    /**
     * Runs one idempotent installation step (in autocommit: its own transaction). Without an advisory lock it is
     * retried after a lost catalog race, and an object a rival created first counts as done.
     */
    private static void step(boolean racing, String what, Step step) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                step.run();
                return;
            } catch (SQLException e) {
                if (!racing) {
                    throw e;
                }
                String state = e.getSQLState();
                if (state != null && ALREADY_THERE.contains(state)) {
                    LOG.debug("{}: created by another installer meanwhile ({})", what, state);
                    return;
                }
                if (!SqlErrors.SERIALIZATION_FAILURE.equals(state) || attempt >= STEP_ATTEMPTS) {
                    throw e;
                }
                // The catalog changed under this session (another installer's DDL): a retry sees the new catalog.
                LOG.debug("{}: catalog changed meanwhile, attempt {} of {}", what, attempt, STEP_ATTEMPTS);
                Pause.nanos(attempt * 50_000_000L, what);
            }
        }
    }

    private static OptionalInt installedVersion(Connection c, String schema) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(statements(schema).get("installed version"))) {
            if (rs.next()) {
                int v = rs.getInt(1);
                return rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(v);
            }
            return OptionalInt.empty();
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState()) || INVALID_SCHEMA_NAME.equals(e.getSQLState())) {
                return OptionalInt.empty();
            }
            throw e;
        }
    }

    /**
     * The installer's own statements on every store (the DDL comes from the dialect), by name, so that the DSQL
     * statement checker sees the same texts the installer sends.
     */
    public static Map<String, String> statements(String schema) {
        return Map.of(
                "record schema version", SchemaScript.versionRow(schema),
                "installed version", "SELECT MAX(version) FROM " + schema + ".schema_version",
                "schema exists", "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?");
    }

    private static boolean schemaExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statements(schema).get("schema exists"))) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void execute(Connection c, String ddl) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(ddl);
        }
    }

    /** A stable advisory-lock key per schema, so installers of different schemas do not wait on each other. */
    static long lockKey(String schema) {
        return UUID.nameUUIDFromBytes(("dhamana:install:" + schema).getBytes(StandardCharsets.UTF_8))
                .getMostSignificantBits();
    }
}

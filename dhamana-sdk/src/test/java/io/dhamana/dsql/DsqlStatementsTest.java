package io.dhamana.dsql;

import io.dhamana.jdbc.internal.SchemaDdl;
import io.dhamana.jdbc.internal.SchemaInstaller;
import io.dhamana.jdbc.internal.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every statement the DSQL store can send, as the DSQL dialect renders it, held to DSQL's rules ({@link DsqlRules}):
 * the DML of {@link Sql} in its {@code VALUES} form, and the DDL the installer runs. The order of statements
 * (one DDL per transaction, none beside DML) is checked on the installer's real run in {@link DsqlStoreTest}; here,
 * each text on its own. The checker itself is checked too: it must refuse what DSQL refuses.
 */
class DsqlStatementsTest {
    private static final String SCHEMA = "dhamana";

    /** Every statement text the DSQL store can send, by name. */
    static Map<String, String> everyStatement() {
        DsqlDialect dialect = new DsqlDialect();
        Map<String, String> all = new LinkedHashMap<>(new Sql(SCHEMA, dialect.arrayParameters()).statements());
        all.put("create schema", "CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
        for (SchemaDdl.Table t : SchemaDdl.TABLES) {
            all.put("create table " + t.name(), dialect.createTable(SCHEMA, t));
        }
        for (SchemaDdl.Index i : SchemaDdl.INDEXES) {
            all.put("create index " + i.name(), DsqlDialect.indexDdl(SCHEMA, i));
        }
        all.put("wait for job", DsqlDialect.waitForJob("jh2gbtx4mzhgfkbimtgwn5j45y"));
        all.put("job details", DsqlDialect.JOB_DETAILS);
        all.put("index valid", DsqlDialect.INDEX_VALID);
        all.putAll(SchemaInstaller.statements(SCHEMA));
        return all;
    }

    @Test
    void dsqlWouldAcceptEveryStatementTheStoreCanSend() {
        Map<String, String> all = everyStatement();
        List<String> refused = new ArrayList<>();
        all.forEach((name, sql) -> DsqlRules.violations(sql).forEach(v -> refused.add(name + ": " + v)));
        assertThat(refused).isEmpty();
        // Sanity: the list really covers the store (reads, guarded writes, multi-row inserts, DDL).
        assertThat(all).containsKeys("takeUnits", "claimSeat", "chargeAllowance", "moveTicket", "insertListing",
                "insertSeats[1000 rows]", "insertTickets[2 rows]", "insertMoney[1 rows]", "create table hold",
                "create index ticket_one_live_per_seat", "scanMoneyOfEvent");
        assertThat(all.size()).isGreaterThan(80);
    }

    @Test
    void indexesAreAsyncUnqualifiedAndTablesHaveNoStorageOptions() {
        for (SchemaDdl.Index i : SchemaDdl.INDEXES) {
            assertThat(DsqlDialect.indexDdl(SCHEMA, i)).startsWith(i.unique() ? "CREATE UNIQUE INDEX ASYNC IF NOT"
                    + " EXISTS " + i.name() + " ON " : "CREATE INDEX ASYNC IF NOT EXISTS " + i.name() + " ON ");
        }
        DsqlDialect dialect = new DsqlDialect();
        for (SchemaDdl.Table t : SchemaDdl.TABLES) {
            assertThat(dialect.createTable(SCHEMA, t)).doesNotContainIgnoringCase("fillfactor")
                    .startsWith("CREATE TABLE IF NOT EXISTS " + SCHEMA + "." + t.name() + " (");
        }
    }

    @Test
    void theMultiRowInsertsBindNoArrays() {
        Map<String, String> dml = new Sql(SCHEMA, false).statements();
        assertThat(dml.values()).noneMatch(s -> s.toLowerCase().contains("unnest") || s.contains("[]"));
        assertThat(dml.get("insertBuckets[2 rows]")).endsWith("VALUES (?, ?, ?, ?), (?, ?, ?, ?)"
                + " ON CONFLICT (event_id, section_id, bucket) DO NOTHING");
        assertThat(dml.get("insertSeats[1000 rows]").chars().filter(c -> c == '?').count()).isEqualTo(6_000);
    }

    // ------------------------------------------------------------------ the checker refuses what DSQL refuses

    @Test
    void thePostgresqlFormsWouldBeRefused() {
        Map<String, String> postgres = new Sql(SCHEMA).statements();
        assertThat(postgres).hasEntrySatisfying("insertSeats",
                s -> assertThat(DsqlRules.violations(s)).isNotEmpty());
        assertThat(DsqlRules.violations("CREATE INDEX IF NOT EXISTS seat_order_idx ON dhamana.seat (event_id)"))
                .anyMatch(v -> v.contains("CREATE INDEX ASYNC"));
        assertThat(DsqlRules.violations("CREATE TABLE IF NOT EXISTS dhamana.stock_bucket (\n  bucket integer)"
                + " WITH (fillfactor = 50)")).anyMatch(v -> v.contains("storage parameters"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "set default_transaction_isolation = 'repeatable read'",
            "BEGIN ISOLATION LEVEL SERIALIZABLE",
            "START TRANSACTION ISOLATION LEVEL READ COMMITTED",
            "SAVEPOINT s1", "RELEASE SAVEPOINT s1", "ROLLBACK TO SAVEPOINT s1",
            "TRUNCATE dhamana.hold",
            "LOCK TABLE dhamana.hold",
            "CREATE TRIGGER t BEFORE INSERT ON dhamana.hold FOR EACH ROW EXECUTE FUNCTION f()",
            "CREATE TEMP TABLE scratch (id uuid)",
            "CREATE UNLOGGED TABLE scratch (id uuid)",
            "CREATE EXTENSION pgcrypto",
            "CREATE TYPE mood AS ENUM ('sad', 'ok')",
            "CREATE TABLE t (id serial PRIMARY KEY)",
            "CREATE TABLE t (id bigint PRIMARY KEY, tags text[])",
            "CREATE TABLE t (id bigint PRIMARY KEY, ip inet)",
            "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)",
            "CREATE SEQUENCE s",
            "CREATE TABLE t AS SELECT 1",
            "CREATE INDEX hold_idx ON dhamana.hold (status)",
            "CREATE INDEX CONCURRENTLY hold_idx ON dhamana.hold (status)",
            "CREATE INDEX ASYNC hold_idx ON dhamana.hold USING hash (status)",
            "CREATE INDEX ASYNC hold_idx ON dhamana.hold (expires_at DESC)",
            "CREATE INDEX ASYNC dhamana.hold_idx ON dhamana.hold (status)",
            "ALTER TABLE dhamana.hold ADD COLUMN note text NOT NULL",
            "ALTER TABLE dhamana.hold ADD CONSTRAINT u UNIQUE (bucket)",
            "ALTER TABLE dhamana.hold ALTER COLUMN units TYPE bigint",
            "SELECT pg_advisory_lock(42)",
            "SELECT * FROM dhamana.seat WHERE seat_id = ? FOR SHARE",
            "SELECT * FROM dhamana.seat FOR UPDATE SKIP LOCKED",
            "SELECT sys.wait_for_job('abc')",
            "VACUUM dhamana.hold",
            "MERGE INTO dhamana.hold h USING x ON true WHEN MATCHED THEN DELETE",
            "INSERT INTO dhamana.money_entry SELECT * FROM unnest(?::uuid[], ?::integer[])",
            "SELECT * FROM dhamana.hold WHERE id = ANY(?)"})
    void refuses(String sql) {
        assertThat(DsqlRules.violations(sql)).as(sql).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "BEGIN", "BEGIN READ ONLY", "BEGIN ISOLATION LEVEL REPEATABLE READ", "COMMIT", "ROLLBACK",
            "SHOW transaction_isolation",
            "SELECT * FROM dhamana.seat WHERE event_id = ? AND seat_id = ? FOR UPDATE",
            "UPDATE dhamana.seat SET state = 'SET' WHERE state = 'TRUNCATE'",
            "CREATE UNIQUE INDEX ASYNC IF NOT EXISTS x ON dhamana.listing (ticket_id) WHERE state = 'ACTIVE'",
            "CALL sys.wait_for_job('jh2gbtx4mzhgfkbimtgwn5j45y')",
            "CREATE TABLE IF NOT EXISTS dhamana.t (id uuid PRIMARY KEY, doc jsonb, n numeric(12, 2))",
            "CREATE SEQUENCE s CACHE 65536"})
    void accepts(String sql) {
        assertThat(DsqlRules.violations(sql)).as(sql).isEmpty();
    }

    @Test
    void ddlAndWritesAreToldApart() {
        assertThat(DsqlRules.isDdl("  CREATE INDEX ASYNC x ON s.t (a)")).isTrue();
        assertThat(DsqlRules.isDdl("GRANT USAGE ON SCHEMA dhamana TO app")).isTrue();
        assertThat(DsqlRules.isDdl("AWS IAM GRANT app TO 'arn:aws:iam::1:role/r'")).isTrue();
        assertThat(DsqlRules.isDdl("INSERT INTO s.t VALUES (1)")).isFalse();
        assertThat(DsqlRules.modifies("INSERT INTO s.t VALUES (1)")).isTrue();
        assertThat(DsqlRules.modifies("update s.t set a = 1")).isTrue();
        assertThat(DsqlRules.modifies("SELECT 1")).isFalse();
        assertThat(DsqlRules.modifies("CALL sys.wait_for_job('x')")).isFalse();
    }
}

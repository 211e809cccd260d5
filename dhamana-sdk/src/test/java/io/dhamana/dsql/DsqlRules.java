package io.dhamana.dsql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Aurora DSQL refuses, as a checker of statement texts, written from
 * AWS's supported-features and unsupported-features pages, the CREATE INDEX and data-type pages (as of September
 * 2026), and statements recorded against a real cluster. A statement the store can
 * send that DSQL would refuse fails a test here instead of a drop in production.
 *
 * <p>Besides DSQL's own refusals there is one conservative rule of this project: no array parameters or values
 * ({@code unnest}, {@code ?::text[]}, {@code ARRAY[...]}). DSQL refuses array column types and documents arrays
 * "at query runtime" only loosely, so the SDK does not depend on them there.
 *
 * <p>Transaction-shape rules (one DDL statement per transaction, no DDL beside DML, at most 3,000 modified rows and
 * 10 MiB per transaction, no {@code setTransactionIsolation} or savepoints) need the order of statements and are
 * checked by {@link DsqlConformance}.
 */
final class DsqlRules {
    private record Rule(Pattern pattern, String why) {}

    private static final List<Rule> RULES = List.of(
            rule("^SET\\b", "SET statements: DSQL refuses SET TRANSACTION, SET SESSION CHARACTERISTICS,"
                    + " default_transaction_isolation and most configuration parameters (0A000)"),
            rule("^(SAVEPOINT|RELEASE)\\b|^ROLLBACK\\s+(WORK\\s+|TRANSACTION\\s+)?TO\\b",
                    "savepoints: unsupported transaction statement (0A000)"),
            rule("^(BEGIN|START\\s+TRANSACTION)\\b.*\\bISOLATION\\s+LEVEL\\s+(?!REPEATABLE\\s+READ)",
                    "an isolation level other than REPEATABLE READ (0A000 Unsupported isolation level)"),
            rule("^TRUNCATE\\b", "TRUNCATE (0A000 unsupported statement: Truncate)"),
            rule("^LOCK\\b", "LOCK TABLE: DSQL has no locks"),
            rule("\\bCREATE\\s+(OR\\s+REPLACE\\s+)?(CONSTRAINT\\s+)?TRIGGER\\b", "triggers (0A000)"),
            rule("\\bCREATE\\s+(GLOBAL\\s+|LOCAL\\s+)?(TEMP|TEMPORARY|UNLOGGED)\\s+TABLE\\b|\\bINTO\\s+TEMP",
                    "temporary and unlogged tables"),
            rule("\\bCREATE\\s+EXTENSION\\b", "extensions"),
            rule("\\bCREATE\\s+TYPE\\b", "user-defined types and enums"),
            rule("\\bCREATE\\s+MATERIALIZED\\s+VIEW\\b", "materialized views"),
            rule("^CREATE\\s+TABLE\\b[^(]*\\bAS\\b", "CREATE TABLE AS"),
            rule("\\bPARTITION\\s+(BY|OF)\\b|\\bINHERITS\\b|\\bTABLESPACE\\b", "partitioning, inheritance and"
                    + " tablespaces"),
            rule("^(CREATE|DROP|ALTER)\\s+DATABASE\\b", "databases: a cluster has exactly one (postgres)"),
            rule("^(VACUUM|LISTEN|NOTIFY|UNLISTEN|MERGE|CLUSTER|REINDEX)\\b|^ALTER\\s+SYSTEM\\b",
                    "VACUUM, LISTEN/NOTIFY, MERGE, CLUSTER, REINDEX, ALTER SYSTEM"),
            rule("\\bTABLESAMPLE\\b", "TABLESAMPLE"),
            rule("\\bPG_(TRY_)?ADVISORY_", "advisory locks: DSQL has none"),
            rule("\\bFOR\\s+(SHARE|NO\\s+KEY\\s+UPDATE)\\b",
                    "locking clauses other than FOR UPDATE/FOR KEY SHARE (0A000)"),
            rule("\\bNOWAIT\\b|\\bSKIP\\s+LOCKED\\b", "NOWAIT/SKIP LOCKED: DSQL takes no locks to wait for"),
            // Indexes: only ASYNC, no CONCURRENTLY/USING/ordering/opclasses, unqualified names.
            rule("^CREATE\\s+(UNIQUE\\s+)?INDEX\\b(?!\\s+ASYNC\\b)",
                    "synchronous CREATE INDEX (0A000 unsupported mode. please use CREATE INDEX ASYNC)"),
            rule("^CREATE\\s+(UNIQUE\\s+)?INDEX\\b.*\\bCONCURRENTLY\\b", "CREATE INDEX CONCURRENTLY"),
            rule("^CREATE\\s+(UNIQUE\\s+)?INDEX\\b[^(]*\\bUSING\\b", "CREATE INDEX ... USING <method>"),
            rule("^CREATE\\s+(UNIQUE\\s+)?INDEX\\b[^(]*\\([^)]*\\b(ASC|DESC)\\b", "ASC/DESC in an index"),
            rule("^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+ASYNC\\s+(IF\\s+NOT\\s+EXISTS\\s+)?\\w+\\.\\w+\\s+ON\\b",
                    "a schema-qualified index name"),
            rule("^SELECT\\s+SYS\\.WAIT_FOR_JOB\\b", "SELECT sys.wait_for_job: it is a procedure (CALL it)"),
            // Types and table options.
            rule("^(CREATE|ALTER)\\s+TABLE\\b.*\\b(SMALL|BIG)?SERIAL\\d?\\b", "SERIAL types (42704)"),
            rule("^(CREATE|ALTER)\\s+TABLE\\b.*\\[\\s*\\]", "array column types (0A000 datatype ... not supported)"),
            rule("^(CREATE|ALTER)\\s+TABLE\\b.*\\b(MONEY|XML|INET|CIDR|MACADDR8?|TSVECTOR|TSQUERY|POINT|LSEG|BOX"
                    + "|POLYGON|CIRCLE|VARBIT|INT4RANGE|INT8RANGE|NUMRANGE|TSRANGE|TSTZRANGE|DATERANGE)\\b"
                    + "|^(CREATE|ALTER)\\s+TABLE\\b.*\\bBIT\\s*(\\(|VARYING\\b)",
                    "a column type DSQL does not store"),
            rule("^CREATE\\s+TABLE\\b.*\\)\\s*WITH\\s*\\(", "storage parameters (WITH (fillfactor ...))"),
            rule("^(CREATE|ALTER)\\s+TABLE\\b.*\\bEXCLUDE\\b", "exclusion constraints"),
            rule("\\bAS\\s+IDENTITY\\b(?!.*\\bCACHE\\s+(1|\\d{5,})\\b)",
                    "an identity column without CACHE 1 or CACHE >= 65536"),
            rule("^CREATE\\s+SEQUENCE\\b(?!.*\\bCACHE\\s+(1|\\d{5,})\\b)",
                    "a sequence without CACHE 1 or CACHE >= 65536"),
            rule("^ALTER\\s+TABLE\\b.*\\bADD\\s+(COLUMN\\s+)?(IF\\s+NOT\\s+EXISTS\\s+)?\\w+\\s+[\\w ()]+"
                    + "\\b(NOT\\s+NULL|DEFAULT|CHECK|UNIQUE|REFERENCES|PRIMARY\\s+KEY)\\b",
                    "ALTER TABLE ADD COLUMN with a constraint or default (0A000)"),
            rule("^ALTER\\s+TABLE\\b.*\\bADD\\s+CONSTRAINT\\s+\\w+\\s+(UNIQUE|PRIMARY\\s+KEY)\\b",
                    "adding a UNIQUE or PRIMARY KEY constraint to an existing table"),
            rule("^ALTER\\s+TABLE\\b.*\\bALTER\\s+(COLUMN\\s+)?\\w+\\s+(SET\\s+DATA\\s+)?TYPE\\b",
                    "ALTER COLUMN ... TYPE"),
            // This project's conservative rule (see the class comment).
            rule("::\\s*\\w+\\s*\\[\\s*\\]|\\bUNNEST\\s*\\(|\\bARRAY\\s*\\[|\\bANY\\s*\\(\\s*\\?",
                    "array parameters or values: DSQL supports arrays at runtime only and the SDK avoids them"));

    private DsqlRules() {}

    private static Rule rule(String regex, String why) {
        return new Rule(Pattern.compile(regex, Pattern.DOTALL), why);
    }

    /** What DSQL would refuse in {@code sql}; empty if nothing. */
    static List<String> violations(String sql) {
        String s = normalize(sql);
        List<String> out = new ArrayList<>();
        for (Rule r : RULES) {
            if (r.pattern().matcher(s).find()) {
                out.add(r.why());
            }
        }
        return out;
    }

    /** Whether DSQL counts {@code sql} as DDL (one per transaction, never beside DML). */
    static boolean isDdl(String sql) {
        return Pattern.compile("^(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT|TRUNCATE|AWS\\s+IAM)\\b")
                .matcher(normalize(sql)).find();
    }

    /** Whether {@code sql} modifies rows (and counts toward the 3,000-row and 10 MiB limits). */
    static boolean modifies(String sql) {
        return Pattern.compile("^(INSERT|UPDATE|DELETE|MERGE)\\b").matcher(normalize(sql)).find();
    }

    /**
     * Upper case, string literals and comments blanked (a literal such as {@code 'HELD'} must not look like a
     * keyword), whitespace collapsed, leading parentheses dropped.
     */
    static String normalize(String sql) {
        String s = sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\\n]*", " ");
        Matcher m = Pattern.compile("'(?:[^']|'')*'").matcher(s);
        s = m.replaceAll("''");
        s = s.replaceAll("\\s+", " ").strip().toUpperCase(Locale.ROOT);
        while (s.startsWith("(")) {
            s = s.substring(1).strip();
        }
        return s;
    }
}

package io.dhamana.jdbc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The schema installation as a list of statements: what {@link SchemaInstaller} runs, one per transaction, and,
 * joined, the script the SDK ships ({@code META-INF/dhamana/schema/*.sql}) and prints. One list serves both, so the
 * shipped text is the installer's text; a test checks the shipped files against it.
 */
public final class SchemaScript {
    /**
     * Where the shipped scripts live in the jar: under {@code META-INF}, which is no package, so the module system
     * does not encapsulate them and they are readable on the module path too.
     */
    public static final String RESOURCE_DIRECTORY = "META-INF/dhamana/schema/";

    /** What a statement does, which decides how the installer runs it. */
    public enum Kind {
        /** {@code CREATE SCHEMA}: run only when the schema is missing. */
        SCHEMA,
        /** {@code CREATE TABLE IF NOT EXISTS}. */
        TABLE,
        /** {@code CREATE INDEX}: the dialect runs it (and waits for an asynchronous build). */
        INDEX,
        /** The version row, written last: its presence means every statement before it is done. */
        VERSION
    }

    /**
     * One statement.
     *
     * @param kind  what it does
     * @param name  a short name for logs ({@code create table hold})
     * @param sql   its text, without a terminating semicolon
     * @param index the index it creates, for {@link Kind#INDEX}; null otherwise
     */
    public record Statement(Kind kind, String name, String sql, SchemaDdl.Index index) {}

    private SchemaScript() {}

    /** The statements that install version {@link SchemaDdl#VERSION} of the schema, in order. */
    public static List<Statement> statements(SqlDialect dialect, String schema) {
        List<Statement> all = new ArrayList<>();
        all.add(new Statement(Kind.SCHEMA, "create schema " + schema, "CREATE SCHEMA IF NOT EXISTS " + schema, null));
        for (SchemaDdl.Table t : SchemaDdl.TABLES) {
            all.add(new Statement(Kind.TABLE, "create table " + t.name(), dialect.createTable(schema, t), null));
        }
        for (SchemaDdl.Index i : SchemaDdl.INDEXES) {
            all.add(new Statement(Kind.INDEX, "create index " + i.name(), dialect.createIndexSql(schema, i), i));
        }
        all.add(new Statement(Kind.VERSION, "record schema version", versionRow(schema), null));
        return all;
    }

    /** The schema version the statements install. */
    public static int version() {
        return SchemaDdl.VERSION;
    }

    /** The version row's insert; idempotent. */
    static String versionRow(String schema) {
        return "INSERT INTO " + schema + ".schema_version (version, installed_at) VALUES (" + SchemaDdl.VERSION
                + ", now()) ON CONFLICT (version) DO NOTHING";
    }

    /** The statements as one script: a header, then each statement ended by a semicolon and a blank line. */
    public static String render(SqlDialect dialect, String schema, String header) {
        return header.lines().map(l -> l.isEmpty() ? "--" : "-- " + l).collect(Collectors.joining("\n", "", "\n\n"))
                + statements(dialect, schema).stream().map(s -> s.sql() + ";").collect(Collectors.joining("\n\n"))
                + "\n";
    }
}

package io.dhamana;

/**
 * What a SQL store does with its schema when it is built. The SDK can create its tables itself ({@link #CREATE},
 * the default), or leave that to a team's migration tool (Flyway, Liquibase, a DBA's script) and only check that
 * what it finds is the version it needs ({@link #VALIDATE}), or not look at all ({@link #NONE}).
 *
 * <p>The statements {@link #CREATE} runs ship in the SDK jar as {@code META-INF/dhamana/schema/postgresql.sql} and
 * {@code META-INF/dhamana/schema/dsql.sql} (for the default schema {@code dhamana}), and print for any schema name with
 * {@code PostgresStore.schemaSql(schema)} and {@code DsqlStore.schemaSql(schema)}.
 */
public enum SchemaMode {
    /**
     * Create the schema, its tables and indexes when they are missing (idempotent; a schema already at this
     * version is recognised without any DDL). Needs a role allowed to create them.
     */
    CREATE,
    /**
     * Only check that the schema is installed at the version this SDK needs, and fail the build of the store with
     * a clear message if it is missing or older. For schemas applied by a migration tool; needs no DDL rights.
     */
    VALIDATE,
    /** Neither create nor check: the store assumes the schema is in place and fails on first use if it is not. */
    NONE
}

package io.dhamana.postgres;

/** The shared stampedes on a real PostgreSQL server at REPEATABLE READ, snapshot isolation as on DSQL. */
class PostgresRepeatableReadStampedeTest extends PostgresStampedes {
    PostgresRepeatableReadStampedeTest() {
        super("stampede_repeatable_read", PostgresIsolation.REPEATABLE_READ);
    }
}

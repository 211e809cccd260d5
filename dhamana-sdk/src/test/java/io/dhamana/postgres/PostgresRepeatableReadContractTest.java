package io.dhamana.postgres;

/** The store contract on a real PostgreSQL server at REPEATABLE READ, the snapshot isolation Aurora DSQL has. */
class PostgresRepeatableReadContractTest extends PostgresContract {
    PostgresRepeatableReadContractTest() {
        super("contract_repeatable_read", PostgresIsolation.REPEATABLE_READ);
    }
}

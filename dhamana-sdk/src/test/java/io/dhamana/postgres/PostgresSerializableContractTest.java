package io.dhamana.postgres;

/** The store contract on a real PostgreSQL server at SERIALIZABLE, the default. */
class PostgresSerializableContractTest extends PostgresContract {
    PostgresSerializableContractTest() {
        super("contract_serializable", PostgresIsolation.SERIALIZABLE);
    }
}

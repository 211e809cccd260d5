package io.dhamana.postgres;

import io.dhamana.contract.TicketStoreContract;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** The store contract on a real PostgreSQL server at REPEATABLE READ, the snapshot isolation Aurora DSQL has. */
class PostgresRepeatableReadContractTest extends TicketStoreContract {
    private static final String SCHEMA = "contract_repeatable_read";
    private PostgresStore store;

    @BeforeAll
    void openStore() {
        PostgresServer.freshSchema(SCHEMA);
        store = PostgresServer.store(SCHEMA, PostgresIsolation.REPEATABLE_READ).maxPoolSize(16).build();
    }

    @Override
    protected TicketStore store() {
        return store;
    }

    @Override
    protected void passStoreTime(Duration duration) {
        // The server's clock cannot be moved: wait for it.
        LockSupport.parkNanos(duration.toNanos());
    }

    @AfterAll
    void closeStore() {
        store.close();
    }
}

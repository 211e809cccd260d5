package io.dhamana.postgres;

import io.dhamana.contract.TicketStoreContract;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/** The store contract on a real PostgreSQL server, in its own schema, at one isolation level. */
abstract class PostgresContract extends TicketStoreContract {
    private final String schema;
    private final PostgresIsolation isolation;
    private PostgresStore store;

    PostgresContract(String schema, PostgresIsolation isolation) {
        this.schema = schema;
        this.isolation = isolation;
    }

    @BeforeAll
    void openStore() {
        PostgresServer.freshSchema(schema);
        store = PostgresServer.store(schema, isolation).maxPoolSize(16).build();
    }

    @Override
    protected TicketStore store() {
        return store;
    }

    @Override
    protected void passStoreTime(Duration duration) {
        waitForServerClock(duration);
    }

    @AfterAll
    void closeStore() {
        store.close();
    }
}

package io.dhamana.postgres;

import io.dhamana.spi.TicketStore;
import io.dhamana.stampede.StampedeSuite;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared stampedes on a real PostgreSQL server, in their own schema, at one isolation level: 64 concurrent
 * connections over two pools (two stores on one database, standing for two regions, each with its own client).
 */
abstract class PostgresStampedes extends StampedeSuite {
    private final String schema;
    private final PostgresIsolation isolation;
    private PostgresStore east;
    private PostgresStore west;

    PostgresStampedes(String schema, PostgresIsolation isolation) {
        this.schema = schema;
        this.isolation = isolation;
    }

    @BeforeAll
    void openStores() {
        PostgresServer.freshSchema(schema);
        east = PostgresServer.store(schema, isolation).maxPoolSize(THREADS / 2).build();
        west = PostgresServer.store(schema, isolation).maxPoolSize(THREADS / 2).build();
    }

    @AfterAll
    void closeStores() {
        east.close();
        west.close();
    }

    @Override
    protected TicketStore eastStore() {
        return east;
    }

    @Override
    protected TicketStore westStore() {
        return west;
    }

    /** The schema the stores use, for a test that opens another store on the same data. */
    protected String schema() {
        return schema;
    }
}

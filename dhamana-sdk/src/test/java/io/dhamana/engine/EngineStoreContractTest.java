package io.dhamana.engine;

import io.dhamana.contract.TicketStoreContract;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.time.MutableClock;
import org.junit.jupiter.api.AfterAll;

import java.time.Duration;
import java.time.Instant;

/** The in-process engine passes the store contract, with a clock the tests move by hand. */
class EngineStoreContractTest extends TicketStoreContract {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T18:00:00Z"));
    private final EngineStore store = EngineStore.builder().clock(clock).build();

    @Override
    protected TicketStore store() {
        return store;
    }

    @Override
    protected void passStoreTime(Duration duration) {
        clock.advance(duration);
    }

    @AfterAll
    void closeStore() {
        store.close();
    }
}

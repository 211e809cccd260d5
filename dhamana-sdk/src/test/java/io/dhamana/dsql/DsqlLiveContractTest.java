package io.dhamana.dsql;

import io.dhamana.contract.TicketStoreContract;
import io.dhamana.spi.TicketStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

/**
 * The store contract on a real Aurora DSQL cluster, with every configured endpoint and spread routing (so consecutive
 * transactions start in alternate Regions of a multi-Region cluster). Skipped, saying what to set, unless
 * {@code DHAMANA_DSQL_ENDPOINTS} and AWS credentials are configured ({@link DsqlLiveCluster}).
 */
@ExtendWith(DsqlLiveCluster.Condition.class)
class DsqlLiveContractTest extends TicketStoreContract {
    private DsqlStore store;

    @BeforeAll
    void openStore() {
        if (DsqlLiveCluster.configured()) {
            store = DsqlLiveCluster.builder().routing(DsqlRouting.spread()).maxPoolSize(16).build();
            System.out.println("[dsql live] contract on " + store.description());
        }
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
        if (store != null) {
            store.close();
        }
    }
}

package io.dhamana.dsql;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two-Region stampedes on a real Aurora DSQL cluster: half the buyers through each configured endpoint (both
 * halves through the one endpoint of a single-Region cluster). Sizes: {@code -Ddsql.stampede.units=...
 * -Ddsql.stampede.buyers=...} (default 100 units, 1,000 buyers). Skipped, saying what to set, unless
 * {@code DHAMANA_DSQL_ENDPOINTS} and AWS credentials are configured ({@link DsqlLiveCluster}).
 */
@ExtendWith(DsqlLiveCluster.Condition.class)
class DsqlLiveStampedeTest extends DsqlStampedeSuite {
    private DsqlStore store;

    @BeforeAll
    void openStore() {
        if (DsqlLiveCluster.configured()) {
            store = DsqlLiveCluster.builder().maxPoolSize(32).build();
        }
    }

    @AfterAll
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    protected DsqlStore store() {
        return store;
    }

    @Override
    protected int units() {
        return Integer.getInteger("dsql.stampede.units", 100);
    }

    @Override
    protected int buyers() {
        return Integer.getInteger("dsql.stampede.buyers", 1_000);
    }
}

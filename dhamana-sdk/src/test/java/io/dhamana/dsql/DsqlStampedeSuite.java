package io.dhamana.dsql;

import io.dhamana.AuditReport;
import io.dhamana.TicketingClient;
import io.dhamana.spi.TicketStore;
import io.dhamana.stampede.StampedeSuite;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared stampedes from two Regions at once: one DSQL store with two endpoints, a client pinned to each (both to
 * the one endpoint of a single-Region cluster). Every audit is read through each Region's endpoint, and both must
 * read the same. Runs on the PostgreSQL stand-in ({@link DsqlStampedeTest}) and on a real cluster
 * ({@link DsqlLiveStampedeTest}).
 */
abstract class DsqlStampedeSuite extends StampedeSuite {
    private TicketStore east;
    private TicketStore west;

    /** The store, with one or two endpoints; opened before the tests and closed after them. */
    protected abstract DsqlStore store();

    @Override
    protected TicketStore eastStore() {
        if (east == null) {
            east = store().pinnedTo(store().regions().get(0));
        }
        return east;
    }

    @Override
    protected TicketStore westStore() {
        if (west == null) {
            List<String> regions = store().regions();
            west = store().pinnedTo(regions.get(regions.size() - 1));
        }
        return west;
    }

    /** The audit of everything in the store, read through each Region's endpoint, reads the same. */
    @Test
    void theWholeStoresAuditReadsTheSameThroughEachRegion() {
        try (TicketingClient eastClient = TicketingClient.builder().store(eastStore())
                .expirySweepInterval(Duration.ZERO).build();
             TicketingClient westClient = TicketingClient.builder().store(westStore())
                     .expirySweepInterval(Duration.ZERO).build()) {
            AuditReport a = eastClient.audit();
            assertThat(westClient.audit()).isEqualTo(a);
            assertThat(a.isClean()).as(a.summary()).isTrue();
        }
    }
}

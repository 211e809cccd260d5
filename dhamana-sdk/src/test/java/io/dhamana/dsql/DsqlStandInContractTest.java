package io.dhamana.dsql;

import io.dhamana.contract.TicketStoreContract;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store contract through the DSQL store, built as in production (two regional endpoints, IAM tokens, HikariCP
 * pools, the DSQL dialect), on PostgreSQL at REPEATABLE READ standing in for the cluster. Routing is spread, so
 * consecutive transactions of one test start in alternate "Regions": every invariant must hold, and every read
 * must see what the other endpoint committed. Every statement sent is held to DSQL's rules as it is sent
 * ({@link DsqlConformance}); afterwards, the whole run's log is checked once more.
 */
class DsqlStandInContractTest extends TicketStoreContract {
    private static final String SCHEMA = "contract_dsql";
    private final DsqlConformance conformance = new DsqlConformance();
    private DsqlStore store;

    @BeforeAll
    void openStore() {
        PostgresServer.freshSchema(SCHEMA);
        store = DsqlStandIn.builder(SCHEMA, conformance).routing(DsqlRouting.spread()).maxPoolSize(8).build();
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
    void checkTheWholeRunAndClose() {
        try {
            List<DsqlConformance.Tx> log = conformance.transactions();
            assertThat(conformance.violations()).as("statements DSQL would refuse").isEmpty();
            assertThat(conformance.isolations()).as("isolation of every connection").containsOnly("repeatable read");
            Map<String, Long> committedPerRegion = log.stream().filter(t -> t.committed)
                    .collect(Collectors.groupingBy(t -> t.region, Collectors.counting()));
            assertThat(committedPerRegion).as("transactions committed per Region").containsKeys(DsqlStandIn.EAST,
                    DsqlStandIn.WEST);
            assertThat(log).allSatisfy(t -> {
                assertThat(t.rows).as("rows of %s", t).isLessThanOrEqualTo(DsqlConformance.DSQL_ROW_LIMIT);
                assertThat(t.bytes).as("bytes of %s", t).isLessThanOrEqualTo(DsqlConformance.DSQL_BYTE_LIMIT);
                assertThat(t.ddl == 0 || t.statements.size() == 1).as("DDL alone in %s", t).isTrue();
            });
            System.out.printf("[dsql stand-in] contract: %d transactions (%s committed per Region), largest %d rows,"
                            + " no statement DSQL would refuse%n", log.size(), committedPerRegion,
                    log.stream().mapToLong(t -> t.rows).max().orElse(0));
        } finally {
            store.close();
        }
    }
}

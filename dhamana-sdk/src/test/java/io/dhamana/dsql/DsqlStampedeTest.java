package io.dhamana.dsql;

import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two-Region stampedes on PostgreSQL at REPEATABLE READ standing in for the cluster: 64 connections over the two
 * endpoints' pools, every statement held to DSQL's rules. Larger runs: {@code -Dstampede.units=3000
 * -Dstampede.buyers=12000}.
 */
class DsqlStampedeTest extends DsqlStampedeSuite {
    private static final String SCHEMA = "dsql_stampede";
    private final DsqlConformance conformance = new DsqlConformance();
    private DsqlStore store;

    @BeforeAll
    void openStore() {
        PostgresServer.freshSchema(SCHEMA);
        store = DsqlStandIn.builder(SCHEMA, conformance).maxPoolSize(32).build();
    }

    @AfterAll
    void closeStore() {
        try {
            assertThat(conformance.violations()).isEmpty();
            assertThat(conformance.isolations()).containsOnly("repeatable read");
        } finally {
            store.close();
        }
    }

    @Override
    protected DsqlStore store() {
        return store;
    }

    @Override
    protected void beforeRush() {
        conformance.clearLog();
    }

    @Override
    protected void afterRush() {
        Map<String, Long> writes = conformance.transactions().stream().filter(t -> t.committed && t.modified())
                .collect(Collectors.groupingBy(t -> t.region, TreeMap::new, Collectors.counting()));
        System.out.println("[dsql stampede] writing transactions committed per Region: " + writes);
        assertThat(writes).containsKeys(DsqlStandIn.EAST, DsqlStandIn.WEST);
    }
}

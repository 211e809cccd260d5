package io.dhamana.dsql;

import io.dhamana.SchemaMode;
import io.dhamana.StoreException;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.testkit.PostgresServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DSQL store's schema modes and pool metrics, on the two-Region stand-in (production pools, IAM tokens from
 * static test credentials, the DSQL dialect; PostgreSQL underneath).
 */
class DsqlSchemaModeAndPoolMetricsTest {

    @Test
    void aValidatingStoreNamesTheMissingSchemaAndHowToPrintIt() {
        String schema = "dsql_owned_missing";
        PostgresServer.freshSchema(schema);
        assertThatThrownBy(() -> DsqlStandIn.builder(schema, new DsqlConformance()).maxPoolSize(1)
                .schemaMode(SchemaMode.VALIDATE).build())
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("schema dsql_owned_missing is not installed")
                .hasMessageContaining("DsqlStore.schemaSql(\"dsql_owned_missing\")");
    }

    @Test
    void aSchemaInstalledOnceValidatesAndEveryEndpointPoolReportsToTheRegistry() {
        String schema = "dsql_owned";
        PostgresServer.freshSchema(schema);
        // Installed by someone else (here the PostgreSQL store, whose installer is quicker on the stand-in): the
        // DSQL store only checks the version row.
        try (PostgresStore installer = PostgresServer.store(schema, PostgresIsolation.REPEATABLE_READ).maxPoolSize(1)
                .build()) {
            assertThat(installer.description()).contains("schema " + schema);
        }
        MeterRegistry registry = new SimpleMeterRegistry();
        try (DsqlStore store = DsqlStandIn.builder(schema, new DsqlConformance()).maxPoolSize(3)
                .schemaMode(SchemaMode.VALIDATE).meterRegistry(registry).build()) {
            List<String> pools = registry.find("hikaricp.connections.max").gauges().stream()
                    .map(g -> g.getId().getTag("pool")).sorted().toList();
            assertThat(pools).hasSize(2).allMatch(p -> p.startsWith("dhamana-dsql-"));
            assertThat(pools.get(0)).endsWith("-" + DsqlStandIn.EAST);
            assertThat(pools.get(1)).endsWith("-" + DsqlStandIn.WEST);
            assertThat(registry.find("hikaricp.connections.max").gauges()).extracting(Gauge::value)
                    .containsOnly(3.0);
            assertThat(store.regions()).containsExactly(DsqlStandIn.EAST, DsqlStandIn.WEST);
        }
    }
}

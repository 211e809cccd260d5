package io.dhamana.examples.spring;

import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.TicketingClient;
import io.dhamana.micrometer.DhamanaMetrics;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.TicketStore;
import io.dhamana.engine.EngineStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Builds the one client the service uses from {@link TicketingProperties}, with its metrics in Boot's registry. */
@Configuration(proxyBeanMethods = false)
public class TicketingConfiguration {

    /**
     * The client, closed (with its store and pool) when the application context closes.
     *
     * @param properties the {@code dhamana.*} settings
     * @param registry   Boot's meter registry, which the Actuator serves
     * @return the client, with the configured events created
     */
    @Bean(destroyMethod = "close")
    public TicketingClient ticketingClient(TicketingProperties properties, MeterRegistry registry) {
        TicketingClient client = TicketingClient.builder()
                .ownedStore(store(properties, registry))
                .name(properties.name())
                .defaultHoldTtl(properties.defaultHoldTtl())
                .admissionPerBucket(properties.admissionPerBucket())
                .bucketSelection(properties.bucketSelection())
                .combining(properties.combining())
                .listener(DhamanaMetrics.of(registry))
                .build();
        try {
            for (TicketingProperties.EventDefinition e : properties.events()) {
                client.createEvent(EventSpec.builder(EventId.of(e.id())).perBuyerCap(e.perBuyerCap())
                        .generalAdmission(e.section(), e.capacity(), e.buckets(), e.faceValueMinor()).build());
            }
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    private static TicketStore store(TicketingProperties properties, MeterRegistry registry) {
        if (properties.store() == TicketingProperties.Store.ENGINE) {
            return EngineStore.create();
        }
        TicketingProperties.Postgres pg = properties.postgres();
        if (pg.jdbcUrl() == null) {
            throw new IllegalStateException("dhamana.store is postgresql: set dhamana.postgres.jdbc-url");
        }
        PostgresStore.Builder b = PostgresStore.builder().jdbcUrl(pg.jdbcUrl()).schema(pg.schema())
                .schemaMode(pg.schemaMode()).maxPoolSize(pg.maxPoolSize())
                .meterRegistry(registry); // the pool's hikaricp.* meters beside the client's dhamana.*
        if (pg.user() != null) {
            b.user(pg.user());
        }
        if (pg.password() != null) {
            b.password(pg.password());
        }
        return b.build();
    }
}

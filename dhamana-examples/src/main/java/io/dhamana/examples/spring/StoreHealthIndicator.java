package io.dhamana.examples.spring;

import io.dhamana.ClientActivity;
import io.dhamana.EventId;
import io.dhamana.TicketingClient;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health}'s {@code store} component: up when a read-only transaction on the store commits, with the
 * store's description and what the client is doing; down with the failure otherwise.
 */
@Component("store")
public class StoreHealthIndicator implements HealthIndicator {
    /** An id no event has: looking it up costs one read-only transaction and reads no row. */
    private static final EventId PROBE = EventId.of("health-probe");
    private final TicketingClient client;

    /**
     * A health check of the client's store.
     *
     * @param client the client
     */
    public StoreHealthIndicator(TicketingClient client) {
        this.client = client;
    }

    @Override
    public Health health() {
        String store = client.config().store().description();
        try {
            client.event(PROBE);
            ClientActivity now = client.activity();
            return Health.up().withDetail("store", store)
                    .withDetail("admissionWaiters", now.admissionWaiters())
                    .withDetail("holdsOutstanding", now.holdsOutstanding()).build();
        } catch (RuntimeException e) {
            return Health.down(e).withDetail("store", store).build();
        }
    }
}

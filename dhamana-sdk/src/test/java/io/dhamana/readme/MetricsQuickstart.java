package io.dhamana.readme;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.HoldRequest;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.micrometer.DhamanaMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.net.URI;

public class MetricsQuickstart {
    public static void main(String[] args) {
        MeterRegistry registry = new SimpleMeterRegistry();       // in an application: Spring's or your own
        try (TicketingClient client = TicketingClient.builder()
                .name("box-office")
                .listener(DhamanaMetrics.of(registry))             // PostgresStore: .meterRegistry(registry) too
                .build()) {
            EventId show = EventId.of("eras-london");
            SectionId floor = SectionId.of("floor");
            client.createEvent(EventSpec.builder(show).generalAdmission("floor", 2, 1, 15_000).build());
            BuyerId fan = BuyerId.of("fan-1");
            client.verifyFan(show, fan, URI.create("https://verify.example/fan-1"));
            client.hold(HoldRequest.units(show, floor, fan, 2));   // committed
            client.hold(HoldRequest.units(show, floor, fan, 1));   // refused: sold out

            registry.find(DhamanaMetrics.CALLS).tag("operation", "hold").timers().forEach(t -> System.out.println(
                    t.getId().getTag("outcome") + ": " + t.count() + " call(s) on " + t.getId().getTag("store")));
        }
    }
}

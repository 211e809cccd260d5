package io.dhamana;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void flashDropDoesNotOversell() throws Exception {
        try (TicketingClient client = TicketingClient.builder().build()) {
            EventId show = EventId.of("show");
            client.createEvent(EventSpec.builder(show).generalAdmission("floor", 500, 64, 15_000)
                    .reservedSeating("balcony", SeatMap.grid(8, 12), 25_000).build());
            int buyers = 5000;
            for (int i = 0; i < buyers; i++) {
                client.verifyFan(show, BuyerId.of("fan-" + i), URI.create("https://id.example/fan-" + i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(64);
            AtomicInteger ok = new AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < buyers; i++) {
                BuyerId b = BuyerId.of("fan-" + i);
                fs.add(pool.submit(() -> {
                    if (client.hold(HoldRequest.units(show, SectionId.of("floor"), b, 1)).isOk()) {
                        ok.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            AuditReport audit = client.audit();
            System.out.println(audit.summary());
            assertThat(ok.get()).isEqualTo(500);
            assertThat(audit.isClean()).isTrue();
            assertThat(client.unitsLeft(show, SectionId.of("floor"))).isZero();
        }
    }
}

package io.dhamana;

import io.dhamana.engine.EngineStore;
import io.dhamana.testkit.time.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Building, configuring, sharing and closing clients; the background expiry sweeper. */
class ClientLifecycleTest {

    @Test
    void theBuiltConfigIsACopyTheBuilderCannotChangeLater() {
        TicketingClient.Builder builder = TicketingClient.builder().name("first")
                .defaultHoldTtl(Duration.ofMinutes(3)).expirySweepInterval(Duration.ZERO);
        try (TicketingClient client = builder.build()) {
            builder.name("second").defaultHoldTtl(Duration.ofMinutes(9)).listener(new OperationStats());
            assertThat(client.config().name()).isEqualTo("first");
            assertThat(client.config().defaultHoldTtl()).isEqualTo(Duration.ofMinutes(3));
            assertThat(client.config().listeners()).isEmpty();
            assertThat(client.config().retryPolicy()).isEqualTo(RetryPolicy.defaults());
            assertThat(client.config().bucketSelection()).isEqualTo(BucketSelection.LEAST_BUSY);
            assertThat(client.config().ownsStore()).isTrue();
            assertThatThrownBy(() -> client.config().listeners().add(new OperationStats()))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void aClosedClientRefusesCallsAndClosesOnlyAStoreItMade() {
        EngineStore shared = EngineStore.create();
        TicketingClient a = TicketingClient.builder().store(shared).expirySweepInterval(Duration.ZERO).build();
        TicketingClient b = TicketingClient.builder().store(shared).expirySweepInterval(Duration.ZERO).build();
        a.createEvent(EventSpec.builder("show").generalAdmission("ga", 5, 1, 100).build());
        a.close();
        a.close(); // idempotent
        assertThatThrownBy(() -> a.unitsLeft(EventId.of("show"), SectionId.of("ga")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(b.unitsLeft(EventId.of("show"), SectionId.of("ga"))).isEqualTo(5); // shared store still open
        b.close();

        TicketingClient owner = TicketingClient.builder().ownedStore(shared).expirySweepInterval(Duration.ZERO).build();
        owner.close();
        assertThatThrownBy(() -> shared.inTransaction(io.dhamana.spi.TxMode.READ_ONLY, tx -> null))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theBackgroundSweeperReturnsTheStockOfLapsedHolds() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
        AtomicInteger sweeps = new AtomicInteger();
        OperationListener counter = new OperationListener() {
            @Override
            public void onSuccess(Operation operation, int attempts, long latencyNanos) {
                if (operation == Operation.EXPIRE_HOLDS) {
                    sweeps.incrementAndGet();
                }
            }
        };
        try (TicketingClient client = TicketingClient.builder().ownedStore(EngineStore.builder().clock(clock).build())
                .expirySweepInterval(Duration.ofMillis(20)).listener(counter).build()) {
            EventId show = EventId.of("show");
            SectionId ga = SectionId.of("ga");
            client.createEvent(EventSpec.builder(show).generalAdmission("ga", 10, 2, 100).build());
            BuyerId fan = BuyerId.of("fan");
            client.verifyFan(show, fan, URI.create("https://id.example/fan"));
            Hold hold = client.hold(HoldRequest.units(show, ga, fan, 4).withTtl(Duration.ofSeconds(30))).value();
            assertThat(client.unitsLeft(show, ga)).isEqualTo(6);

            clock.advance(Duration.ofSeconds(31));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (client.unitsLeft(show, ga) != 10 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(client.unitsLeft(show, ga)).isEqualTo(10);
            assertThat(client.findHold(hold.id())).get().extracting(Hold::status).isEqualTo(HoldStatus.EXPIRED);
            assertThat(sweeps.get()).isPositive();
            AuditReport audit = client.audit();
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.unitsReleased()).isEqualTo(4);
        }
    }

    @Test
    void operationStatsCountOutcomesPerOperation() {
        OperationStats stats = new OperationStats();
        try (TicketingClient client = TicketingClient.builder().listener(stats).expirySweepInterval(Duration.ZERO)
                .build()) {
            EventId show = EventId.of("show");
            client.createEvent(EventSpec.builder(show).generalAdmission("ga", 1, 1, 100).build());
            BuyerId fan = BuyerId.of("fan");
            client.verifyFan(show, fan, URI.create("https://id.example/fan"));
            client.hold(HoldRequest.units(show, SectionId.of("ga"), fan, 1)).value();
            client.hold(HoldRequest.units(show, SectionId.of("ga"), fan, 1)); // sold out
            assertThatThrownBy(() -> client.hold(HoldRequest.units(show, SectionId.of("x"), fan, 1)))
                    .isInstanceOf(NotFoundException.class);
            OperationStats.Snapshot holds = stats.snapshot(Operation.HOLD);
            assertThat(holds.successes()).isEqualTo(1);
            assertThat(holds.rejections()).isEqualTo(1);
            assertThat(holds.calls()).isEqualTo(2); // the unknown section failed before any transaction
            assertThat(holds.attempts()).isEqualTo(2);
            assertThat(holds.maxLatencyNanos()).isPositive();
            assertThat(stats.snapshot(Operation.VERIFY_FAN).successes()).isEqualTo(1);
        }
    }
}

package io.dhamana.micrometer;

import io.dhamana.testkit.ForwardingStore;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.NotFoundException;
import io.dhamana.Outcome;
import io.dhamana.RetriesExhaustedException;
import io.dhamana.RetryPolicy;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Micrometer binding, read back from a real registry after real calls on the in-process engine. */
class DhamanaMetricsTest {
    private static final EventId SHOW = EventId.of("metrics-show");
    private static final SectionId FLOOR = SectionId.of("floor");

    /**
     * The engine, with two switches a test flips: lose the next N writing transactions to a conflict before they
     * reach the engine, and stop the next writing transaction at its start until let go. It also claims combining
     * pays, so the client combines holds on it as it would on PostgreSQL.
     */
    private static final class Switchboard extends ForwardingStore {
        final AtomicInteger conflictsToThrow = new AtomicInteger();
        volatile CountDownLatch gate;
        final CountDownLatch atGate = new CountDownLatch(1);

        Switchboard() {
            super(EngineStore.create()); // combining pays through a decorator, as it would on PostgreSQL
        }

        @Override
        public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
            if (mode == TxMode.READ_WRITE) {
                if (conflictsToThrow.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new ConflictException("40001", "lost to a rival (test)", null);
                }
                CountDownLatch g = gate;
                if (g != null) {
                    gate = null;
                    atGate.countDown();
                    try {
                        g.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return super.inTransaction(mode, work);
        }
    }

    private static TicketingClient client(Switchboard store, MeterRegistry registry, boolean combining) {
        return TicketingClient.builder().ownedStore(store).name("box-office").expirySweepInterval(Duration.ZERO)
                .retryPolicy(RetryPolicy.builder().maxAttempts(3).backoff(Duration.ZERO, Duration.ZERO).build())
                .combining(combining)
                .listener(DhamanaMetrics.builder(registry).tags(Tags.of("app", "tickets"))
                        .unitsLeft(SHOW, FLOOR).build())
                .build();
    }

    private static void createShow(TicketingClient client, int capacity, int buckets) {
        client.createEvent(EventSpec.builder(SHOW).perBuyerCap(10).generalAdmission("floor", capacity, buckets, 5_000)
                .build());
    }

    private static BuyerId verified(TicketingClient client, String name) {
        BuyerId fan = BuyerId.of(name);
        client.verifyFan(SHOW, fan, URI.create("https://verify.example/" + name)).value();
        return fan;
    }

    private static long calls(MeterRegistry registry, String operation, String outcome) {
        var timer = registry.find(DhamanaMetrics.CALLS).tags("operation", operation, "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void timersCountersAndTagsFollowEachOutcome() {
        MeterRegistry registry = new SimpleMeterRegistry();
        Switchboard store = new Switchboard();
        try (TicketingClient client = client(store, registry, false)) {
            createShow(client, 3, 1);
            BuyerId fan = verified(client, "fan-1");

            // Committed after one lost conflict: one conflict, one retry.
            store.conflictsToThrow.set(1);
            Outcome<Hold> held = client.hold(HoldRequest.units(SHOW, FLOOR, fan, 2));
            assertThat(held.isOk()).isTrue();
            // Refused: only one unit left.
            assertThat(client.hold(HoldRequest.units(SHOW, FLOOR, fan, 2)).rejectionIfAny()).isPresent();
            // Retries exhausted on conflicts: three attempts, three conflicts, two retries.
            store.conflictsToThrow.set(3);
            assertThatThrownBy(() -> client.hold(HoldRequest.units(SHOW, FLOOR, fan, 1)))
                    .isInstanceOf(RetriesExhaustedException.class);
            // A failure that is no conflict: an unknown hold.
            assertThatThrownBy(() -> client.release(HoldId.of(UUID.randomUUID())))
                    .isInstanceOf(NotFoundException.class);

            assertThat(calls(registry, "hold", "committed")).isEqualTo(1);
            assertThat(calls(registry, "hold", "sold-out")).isEqualTo(1);
            assertThat(calls(registry, "hold", "conflict")).isEqualTo(1);
            assertThat(calls(registry, "release", "failure")).isEqualTo(1);
            assertThat(registry.get(DhamanaMetrics.CONFLICTS).tag("operation", "hold").counter().count())
                    .isEqualTo(4);
            assertThat(registry.get(DhamanaMetrics.RETRIES).tag("operation", "hold").counter().count())
                    .isEqualTo(3);

            var timer = registry.get(DhamanaMetrics.CALLS).tags("operation", "hold", "outcome", "committed").timer();
            assertThat(timer.getId().getTag("client")).isEqualTo("box-office");
            assertThat(timer.getId().getTag("store")).isEqualTo("engine");
            assertThat(timer.getId().getTag("app")).isEqualTo("tickets");
            assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive();

            // Opt-in gauge of units left, read from committed rows.
            assertThat(registry.get(DhamanaMetrics.UNITS_LEFT).tags("event", SHOW.value(), "section", "floor")
                    .gauge().value()).isEqualTo(client.unitsLeft(SHOW, FLOOR)).isEqualTo(1.0);
        }
        // Closing the client takes its meters out of the registry.
        assertThat(registry.find(DhamanaMetrics.CALLS).timers()).isEmpty();
        assertThat(registry.find(DhamanaMetrics.ADMISSION_WAITERS).gauges()).isEmpty();
    }

    @Test
    void gaugesShowWaitersOutstandingHoldsAndCombinedBatches() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Switchboard store = new Switchboard();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (TicketingClient client = client(store, registry, true)) {
            createShow(client, 100, 1);
            List<BuyerId> fans = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fans.add(verified(client, "fan-" + i));
            }
            var waiters = registry.get(DhamanaMetrics.ADMISSION_WAITERS).gauge();
            var outstanding = registry.get(DhamanaMetrics.HOLDS_OUTSTANDING).gauge();
            assertThat(outstanding.value()).isZero();

            // The first hold stops inside its transaction; three more queue behind it for the bucket's lane.
            CountDownLatch letGo = new CountDownLatch(1);
            store.gate = letGo;
            List<Future<Outcome<Hold>>> holds = new ArrayList<>();
            holds.add(pool.submit(() -> client.hold(HoldRequest.units(SHOW, FLOOR, fans.get(0), 1))));
            assertThat(store.atGate.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i < 4; i++) {
                BuyerId fan = fans.get(i);
                holds.add(pool.submit(() -> client.hold(HoldRequest.units(SHOW, FLOOR, fan, 1))));
            }
            awaitTrue(() -> outstanding.value() == 4);
            assertThat(waiters.value()).isZero(); // queued for a combined transaction, not for admission

            letGo.countDown();
            for (Future<Outcome<Hold>> h : holds) {
                assertThat(h.get(30, TimeUnit.SECONDS).isOk()).isTrue();
            }
            assertThat(outstanding.value()).isZero();
            // The three that queued were served together: by one combined transaction of three, unless one of them
            // was counted as outstanding a moment before it joined the queue.
            var batches = registry.get(DhamanaMetrics.COMBINED_BATCH_SIZE).summary();
            assertThat(batches.count()).isBetween(1L, 2L);
            assertThat(batches.max()).isGreaterThanOrEqualTo(2);
            assertThat(batches.totalAmount()).isLessThanOrEqualTo(3);
            assertThat(registry.get(DhamanaMetrics.COMBINED_BATCH_LAST).gauge().value()).isGreaterThanOrEqualTo(2);
            assertThat(calls(registry, "hold", "committed")).isEqualTo(4);
            assertThat(client.audit().isClean()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void admissionWaitersAreCallersBlockedOnAFullBucket() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Switchboard store = new Switchboard();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (TicketingClient client = client(store, registry, false)) {
            createShow(client, 100, 1);
            BuyerId a = verified(client, "fan-a");
            BuyerId b = verified(client, "fan-b");
            var waiters = registry.get(DhamanaMetrics.ADMISSION_WAITERS).gauge();

            CountDownLatch letGo = new CountDownLatch(1);
            store.gate = letGo;
            Future<Outcome<Hold>> first = pool.submit(() -> client.hold(HoldRequest.units(SHOW, FLOOR, a, 1)));
            assertThat(store.atGate.await(30, TimeUnit.SECONDS)).isTrue();
            // One bucket, one place on it: the second caller waits in the client.
            Future<Outcome<Hold>> second = pool.submit(() -> client.hold(HoldRequest.units(SHOW, FLOOR, b, 1)));
            awaitTrue(() -> waiters.value() == 1);
            assertThat(client.activity().holdsOutstanding()).isEqualTo(2);

            letGo.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS).isOk()).isTrue();
            assertThat(second.get(30, TimeUnit.SECONDS).isOk()).isTrue();
            assertThat(waiters.value()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneInstanceServesOneClient() {
        MeterRegistry registry = new SimpleMeterRegistry();
        DhamanaMetrics metrics = DhamanaMetrics.of(registry);
        try (TicketingClient first = TicketingClient.builder().listener(metrics).name("first").build();
             TicketingClient second = TicketingClient.builder().listener(metrics).name("second").build()) {
            // The second binding is refused (and logged); the meters stay the first client's.
            first.createEvent(EventSpec.builder(SHOW).generalAdmission("floor", 5, 1, 100).build());
            second.createEvent(EventSpec.builder(SHOW).generalAdmission("floor", 5, 1, 100).build());
            assertThat(registry.get(DhamanaMetrics.CALLS).tags("operation", "create-event").timers())
                    .allSatisfy(t -> assertThat(t.getId().getTag("client")).isEqualTo("first"));
        }
        try (TicketingClient third = TicketingClient.builder().build()) {
            assertThatThrownBy(() -> metrics.onClientStarted(third))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("make one per client");
        }
    }

    /** Polls state another thread changes, with a generous bound; asserts nothing about time. */
    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 30_000 && !condition.getAsBoolean(); i++) {
            Thread.sleep(1);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}

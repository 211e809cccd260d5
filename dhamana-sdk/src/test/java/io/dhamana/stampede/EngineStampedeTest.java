package io.dhamana.stampede;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Operation;
import io.dhamana.OperationStats;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.foil.NaiveCountThenInsert;
import io.dhamana.testkit.SlowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real threads, thousands of buyers, two clients ("regions") on one engine. Every figure that matters is read back
 * from committed rows by the audit; what the callers were told is only cross-checked against it.
 */
class EngineStampedeTest {
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId BALCONY = SectionId.of("balcony");

    private final EngineStore store = EngineStore.create();
    private final OperationStats stats = new OperationStats();
    private final TicketingClient east = client("east", false);
    private final TicketingClient west = client("west", false);

    private TicketingClient client(String name, boolean combining) {
        return TicketingClient.builder().store(store).name(name).listener(stats).combining(combining)
                .expirySweepInterval(Duration.ZERO).build();
    }

    @AfterEach
    void close() {
        east.close();
        west.close();
        store.close();
    }

    private EventId drop(int capacity, int buckets, int buyers) {
        EventId e = EventId.of("drop-" + buckets + "-" + capacity);
        east.createEvent(EventSpec.builder(e).perBuyerCap(2).generalAdmission("floor", capacity, buckets, 10_000)
                .reservedSeating("balcony", SeatMap.grid(1, 1), 20_000).build());
        for (int i = 0; i < buyers; i++) {
            east.verifyFan(e, BuyerId.of("fan-" + i), URI.create("https://id.example/" + i)).value();
        }
        stats.reset();
        return e;
    }

    @ParameterizedTest(name = "5,000 buyers on 500 units over {0} bucket(s)")
    @ValueSource(ints = {1, 64})
    void fiveThousandBuyersOnFiveHundredUnitsSellExactlyFiveHundred(int buckets) throws Exception {
        EventId e = drop(500, buckets, 5_000);
        AtomicInteger told = new AtomicInteger();
        List<Callable<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            TicketingClient region = i % 2 == 0 ? east : west;
            BuyerId fan = BuyerId.of("fan-" + i);
            calls.add(() -> {
                Outcome<Hold> o = region.hold(HoldRequest.units(e, FLOOR, fan, 1));
                if (o.isOk()) {
                    told.incrementAndGet();
                    region.confirm(o.value().id()).value();
                } else {
                    assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.SoldOut.class);
                }
                return null;
            });
        }
        runTogether(calls, 64);

        AuditReport audit = east.audit(e);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        AuditReport.SectionAudit floor = audit.sections().stream().filter(s -> s.section().equals(FLOOR))
                .findFirst().orElseThrow();
        assertThat(floor.soldUnits()).isEqualTo(500);
        assertThat(floor.oversoldUnits()).isZero();
        assertThat(floor.remaining()).isZero();
        assertThat(told.get()).isEqualTo(500);
        OperationStats.Snapshot holds = stats.snapshot(Operation.HOLD);
        assertThat(holds.successes()).isEqualTo(500);
        assertThat(holds.rejections()).isEqualTo(4_500);
        System.out.printf("engine, %d bucket(s): conflicts per hold %.3f, retries per hold %.3f%n", buckets,
                holds.conflictsPerCall(), holds.retriesPerCall());
    }

    @Test
    void sixtyBuyersOnOneSeatFromTwoRegionsLeaveOneHolder() throws Exception {
        EventId e = drop(10, 1, 60);
        SeatId seat = SeatId.of("A-1");
        AtomicInteger told = new AtomicInteger();
        List<Callable<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            TicketingClient region = i % 2 == 0 ? east : west;
            BuyerId fan = BuyerId.of("fan-" + i);
            calls.add(() -> {
                if (region.hold(HoldRequest.seat(e, BALCONY, seat, fan)).isOk()) {
                    told.incrementAndGet();
                }
                return null;
            });
        }
        runTogether(calls, 60);
        assertThat(east.holdersOf(e, BALCONY, seat)).hasSize(1);
        AuditReport audit = east.audit(e);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.doubleBookedSeats()).isZero();
        assertThat(told.get()).isEqualTo(1);
    }

    @Test
    void theNaiveCountThenInsertOversellsAndTheAuditCountsByHowMuch() throws Exception {
        EventId e = drop(50, 1, 0);
        NaiveCountThenInsert naive = new NaiveCountThenInsert(store, Duration.ofMillis(2));
        AtomicInteger told = new AtomicInteger();
        List<Callable<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            BuyerId fan = BuyerId.of("naive-" + i);
            calls.add(() -> {
                if (naive.holdUnits(e, FLOOR, fan, 1)) {
                    told.incrementAndGet();
                }
                return null;
            });
        }
        for (int i = 0; i < 30; i++) {
            BuyerId fan = BuyerId.of("seat-" + i);
            calls.add(() -> {
                naive.holdSeat(e, BALCONY, SeatId.of("A-1"), fan);
                return null;
            });
        }
        runTogether(calls, 64);

        AuditReport audit = east.audit(e);
        AuditReport.SectionAudit floor = audit.sections().stream().filter(s -> s.section().equals(FLOOR))
                .findFirst().orElseThrow();
        assertThat(audit.isClean()).isFalse();
        assertThat(floor.heldUnits()).isEqualTo(told.get()); // the audit counts every row the foil committed
        assertThat(floor.oversoldUnits()).isEqualTo(told.get() - 50L).isPositive();
        assertThat(audit.doubleBookedSeats()).isEqualTo(1);
        assertThat(east.holdersOf(e, BALCONY, SeatId.of("A-1")).size()).isGreaterThan(1);
        System.out.printf("naive foil on the engine: %d units sold of 50, %d holders of one seat%n", told.get(),
                east.holdersOf(e, BALCONY, SeatId.of("A-1")).size());
    }

    @Test
    void combiningServesAHotBucketWithFewerTransactionsAndTheSameOutcome() throws Exception {
        EventId e = drop(600, 1, 1_000);
        // Each transaction takes 2 ms, as on a remote database, so callers queue behind the one committing.
        try (TicketingClient combined = TicketingClient.builder()
                .store(new SlowStore(store, Duration.ofMillis(2))).name("combined").listener(stats).combining(true)
                .expirySweepInterval(Duration.ZERO).build()) {
            // A few unverified buyers in the crowd must be refused without failing their batch.
            long transactions = hotBucketStampede(combined, e, true);
            System.out.printf("combining: 600 holds on one bucket in %d committed transactions%n", transactions);
            assertThat(transactions).isLessThan(300); // holds really shared transactions
        }
    }

    @Test
    void onTheEngineItselfCombiningRunsEachHoldInItsOwnTransaction() throws Exception {
        EventId e = drop(600, 1, 1_000);
        // Straight on the engine a hold costs less than waking a waiting caller, so the client does not combine.
        try (TicketingClient combined = TicketingClient.builder().store(store).name("combined").listener(stats)
                .combining(true).expirySweepInterval(Duration.ZERO).build()) {
            assertThat(hotBucketStampede(combined, e, false)).isEqualTo(600); // one commit per hold
        }
    }

    /**
     * 1,000 buyers (every fiftieth an unverified bot, if {@code bots}) hold one unit each of the 600 on the drop's
     * one bucket, 64 at a time. Checks each outcome and the audit; returns the engine commits it took (refusals write
     * nothing).
     */
    private long hotBucketStampede(TicketingClient client, EventId e, boolean bots) throws Exception {
        long commitsBefore = store.commits();
        AtomicInteger told = new AtomicInteger();
        List<Callable<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            BuyerId who = bots && i % 50 == 0 ? BuyerId.of("bot-" + i) : BuyerId.of("fan-" + i);
            calls.add(() -> {
                Outcome<Hold> o = client.hold(HoldRequest.units(e, FLOOR, who, 1));
                if (o.isOk()) {
                    told.incrementAndGet();
                } else if (who.value().startsWith("bot")) {
                    assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.NotVerified.class);
                } else {
                    assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.SoldOut.class);
                }
                return null;
            });
        }
        runTogether(calls, 64);
        long transactions = store.commits() - commitsBefore;
        AuditReport audit = client.audit(e);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.heldUnits()).isEqualTo(600).isEqualTo(told.get());
        assertThat(audit.oversoldUnits()).isZero();
        return transactions;
    }

    static void runTogether(List<Callable<Void>> calls, int threads) throws Exception {
        io.dhamana.testkit.Together.run(calls, threads);
    }
}

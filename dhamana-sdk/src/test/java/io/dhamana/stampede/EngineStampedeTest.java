package io.dhamana.stampede;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.foil.NaiveCountThenInsert;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.SlowStore;
import io.dhamana.testkit.Together;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared stampedes on the in-process engine (two clients on one engine), with more buyers than on a server, and
 * what only the engine shows: the naive foil's oversell, and how many transactions combining saves.
 */
class EngineStampedeTest extends StampedeSuite {
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId BALCONY = SectionId.of("balcony");

    private final EngineStore store = EngineStore.create();
    private final TicketingClient client = TicketingClient.builder().store(store).name("engine")
            .expirySweepInterval(Duration.ZERO).build();

    @Override
    protected TicketStore eastStore() {
        return store;
    }

    @Override
    protected TicketStore westStore() {
        return store;
    }

    @Override
    protected int units() {
        return Integer.getInteger("stampede.units", 500);
    }

    @Override
    protected int buyers() {
        return Integer.getInteger("stampede.buyers", 5_000);
    }

    @AfterAll
    void close() {
        client.close();
        store.close();
    }

    /** A fresh event: a general-admission floor and a one-seat balcony, with {@code buyers} verified fans. */
    private EventId drop(int capacity, int buckets, int buyers) {
        EventId e = newEvent("drop-" + buckets + "-" + capacity);
        client.createEvent(EventSpec.builder(e).perBuyerCap(2).generalAdmission("floor", capacity, buckets, 10_000)
                .reservedSeating("balcony", SeatMap.grid(1, 1), 20_000).build());
        for (int i = 0; i < buyers; i++) {
            client.verifyFan(e, BuyerId.of("fan-" + i), URI.create("https://id.example/" + i)).value();
        }
        return e;
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
        Together.run(calls, THREADS);

        AuditReport audit = client.audit(e);
        AuditReport.SectionAudit floor = audit.sections().stream().filter(s -> s.section().equals(FLOOR))
                .findFirst().orElseThrow();
        assertThat(audit.isClean()).isFalse();
        assertThat(floor.heldUnits()).isEqualTo(told.get()); // the audit counts every row the foil committed
        assertThat(floor.oversoldUnits()).isEqualTo(told.get() - 50L).isPositive();
        assertThat(audit.doubleBookedSeats()).isEqualTo(1);
        assertThat(client.holdersOf(e, BALCONY, SeatId.of("A-1")).size()).isGreaterThan(1);
        System.out.printf("naive foil on the engine: %d units sold of 50, %d holders of one seat%n", told.get(),
                client.holdersOf(e, BALCONY, SeatId.of("A-1")).size());
    }

    @Test
    void combiningServesAHotBucketWithFewerTransactionsAndTheSameOutcome() throws Exception {
        EventId e = drop(600, 1, 1_000);
        // Each transaction takes 2 ms, as on a remote database, so callers queue behind the one committing.
        try (TicketingClient combined = TicketingClient.builder()
                .store(new SlowStore(store, Duration.ofMillis(2))).name("combined").combining(true)
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
        try (TicketingClient combined = TicketingClient.builder().store(store).name("combined")
                .combining(true).expirySweepInterval(Duration.ZERO).build()) {
            assertThat(hotBucketStampede(combined, e, false)).isEqualTo(600); // one commit per hold
        }
    }

    /**
     * 1,000 buyers (every fiftieth an unverified bot, if {@code bots}) hold one unit each of the 600 on the drop's
     * one bucket, 64 at a time. Checks each outcome and the audit; returns the engine commits it took (refusals write
     * nothing).
     */
    private long hotBucketStampede(TicketingClient combined, EventId e, boolean bots) throws Exception {
        long commitsBefore = store.commits();
        AtomicInteger told = new AtomicInteger();
        List<Callable<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            BuyerId who = bots && i % 50 == 0 ? BuyerId.of("bot-" + i) : BuyerId.of("fan-" + i);
            calls.add(() -> {
                Outcome<Hold> o = combined.hold(HoldRequest.units(e, FLOOR, who, 1));
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
        Together.run(calls, THREADS);
        long transactions = store.commits() - commitsBefore;
        AuditReport audit = combined.audit(e);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.heldUnits()).isEqualTo(600).isEqualTo(told.get());
        assertThat(audit.oversoldUnits()).isZero();
        return transactions;
    }
}

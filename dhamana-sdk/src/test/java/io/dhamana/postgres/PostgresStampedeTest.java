package io.dhamana.postgres;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
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
import io.dhamana.foil.NaiveCountThenInsert;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.PostgresServer;
import io.dhamana.testkit.Together;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared stampedes on a real PostgreSQL server at SERIALIZABLE, the default ({@link PostgresStampedes}), plus what
 * only a server shows: combined holds judged member by member, and the naive foil at each isolation level. Every
 * verdict comes from the audit of committed rows. The shared stampedes at another level:
 * {@code -Dstampede.isolation=REPEATABLE_READ} (or {@link PostgresRepeatableReadStampedeTest}).
 */
class PostgresStampedeTest extends PostgresStampedes {
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId BALCONY = SectionId.of("balcony");

    PostgresStampedeTest() {
        super("stampede", PostgresIsolation.valueOf(System.getProperty("stampede.isolation", "SERIALIZABLE")));
    }

    @Test
    void combinedHoldsOnOneHotBucketNeverOversellAndJudgeEachMemberOnItsOwn() throws Exception {
        OperationStats stats = new OperationStats();
        EventId drop = newEvent("combined");
        int fansCount = buyers() / 3;
        try (TicketingClient east = combining(eastStore(), "east", stats);
             TicketingClient west = combining(westStore(), "west", stats)) {
            east.createEvent(EventSpec.builder(drop).perBuyerCap(3)
                    .generalAdmission("floor", units(), 1, 15_000).build());
            List<BuyerId> fans = verifyAll(east, west, drop, "fan", fansCount);
            stats.reset();

            // Every fan asks twice for 2 units under a cap of 3, often in the same combined transaction: at most one
            // of the two may hold. Bots that were never verified ride in the same batches and must be refused alone.
            List<Callable<Void>> calls = new ArrayList<>();
            AtomicInteger heldUnits = new AtomicInteger();
            AtomicInteger botsRefused = new AtomicInteger();
            ConcurrentHashMap<BuyerId, AtomicInteger> heldBy = new ConcurrentHashMap<>();
            for (int i = 0; i < fansCount; i++) {
                BuyerId fan = fans.get(i);
                for (int ask = 0; ask < 2; ask++) {
                    TicketingClient region = (i + ask) % 2 == 0 ? east : west;
                    calls.add(() -> {
                        Outcome<Hold> o = region.hold(HoldRequest.units(drop, FLOOR, fan, 2));
                        if (o.isOk()) {
                            heldUnits.addAndGet(2);
                            heldBy.computeIfAbsent(fan, f -> new AtomicInteger()).addAndGet(2);
                        } else {
                            assertThat(o.rejectionIfAny()).get().isInstanceOfAny(Rejection.SoldOut.class,
                                    Rejection.CapReached.class);
                        }
                        return null;
                    });
                }
                if (i % 10 == 0) {
                    BuyerId bot = BuyerId.of("bot-" + i);
                    calls.add(() -> {
                        Outcome<Hold> o = east.hold(HoldRequest.units(drop, FLOOR, bot, 1));
                        assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.NotVerified.class);
                        botsRefused.incrementAndGet();
                        return null;
                    });
                }
            }
            java.util.Collections.shuffle(calls, new java.util.Random(7));
            Together.run(calls, THREADS);

            AuditReport audit = east.audit(drop);
            OperationStats.Snapshot holds = stats.snapshot(Operation.HOLD);
            System.out.printf(Locale.ROOT, "[stampede] combined, 1 bucket: %d hold calls, %d committed, %d"
                            + " transactions started; oversold %d, cap violations %d%n", holds.calls(),
                    holds.successes(), holds.attempts(), audit.oversoldUnits(), audit.capViolations());

            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.oversoldUnits()).isZero();
            assertThat(audit.capViolations()).isZero();
            assertThat(audit.allowanceDrift()).isZero();
            assertThat(audit.heldUnits()).isEqualTo(heldUnits.get()).isEqualTo(units());
            assertThat(heldBy.values()).allSatisfy(units -> assertThat(units.get()).isEqualTo(2));
            assertThat(botsRefused.get()).isEqualTo((fansCount + 9) / 10);
            assertThat(holds.failures()).isZero();
            // Holds really shared transactions: fewer were started than holds were decided.
            assertThat(holds.attempts()).isLessThan(holds.calls());
        }
    }

    private static TicketingClient combining(TicketStore store, String name, OperationStats stats) {
        return TicketingClient.builder().store(store).name(name).listener(stats).retryPolicy(PATIENT)
                .combining(true).expirySweepInterval(Duration.ZERO).build();
    }

    /**
     * The foil: count, then insert. Below SERIALIZABLE nothing stops two buyers who both counted room, and the
     * audit counts what was oversold from the rows it left.
     */
    @ParameterizedTest(name = "at {0}")
    @EnumSource(value = PostgresIsolation.class, names = {"READ_COMMITTED", "REPEATABLE_READ"})
    void theNaiveCountThenInsertOversellsBelowSerializable(PostgresIsolation isolation) throws Exception {
        FoilRun run = runFoil(isolation);
        assertThat(run.audit().oversoldUnits()).as(run.audit().summary()).isPositive();
        assertThat(run.audit().doubleBookedSeats()).as(run.audit().summary()).isPositive();
        assertThat(run.audit().unitsHeldEver()).isEqualTo(run.believedSold());
    }

    /** The same foil at SERIALIZABLE: PostgreSQL's SSI aborts the rivals, which is how the flaw hides in tests. */
    @Test
    void theNaiveCountThenInsertIsCaughtAtSerializable() throws Exception {
        FoilRun run = runFoil(PostgresIsolation.SERIALIZABLE);
        assertThat(run.audit().oversoldUnits()).as(run.audit().summary()).isZero();
        assertThat(run.audit().doubleBookedSeats()).as(run.audit().summary()).isZero();
        assertThat(run.audit().unitsHeldEver()).isEqualTo(run.believedSold());
    }

    private record FoilRun(AuditReport audit, int believedSold, int conflicts) {}

    private FoilRun runFoil(PostgresIsolation isolation) throws Exception {
        int buyers = 24; // with the two stampede pools, 88 connections: fits a default max_connections of 100
        int capacity = 10;
        EventId drop = newEvent("foil-" + isolation.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        SeatId seat = SeatId.of("A-1");
        try (PostgresStore store = PostgresServer.store(schema(), isolation).maxPoolSize(buyers).build();
             TicketingClient client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                     .build()) {
            client.createEvent(EventSpec.builder(drop).generalAdmission("floor", capacity, 1, 15_000)
                    .reservedSeating("balcony", SeatMap.grid(1, 2), 25_000).build());
            warmUp(store, buyers);
            // The gap stands for the application's own work between its count and its insert.
            NaiveCountThenInsert foil = new NaiveCountThenInsert(store, Duration.ofMillis(50));
            AtomicInteger believed = new AtomicInteger();
            AtomicInteger conflicts = new AtomicInteger();
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < buyers; i++) {
                BuyerId b = BuyerId.of("naive-" + i);
                boolean wantsSeat = i % 4 == 0;
                calls.add(() -> {
                    try {
                        boolean ok = wantsSeat ? foil.holdSeat(drop, BALCONY, seat, b)
                                : foil.holdUnits(drop, FLOOR, b, 1);
                        if (ok) {
                            believed.incrementAndGet();
                        }
                    } catch (ConflictException e) {
                        conflicts.incrementAndGet(); // the naive app has no retry: that buyer just failed
                    }
                    return null;
                });
            }
            Together.run(calls, buyers);
            AuditReport audit = client.audit(drop);
            System.out.printf(Locale.ROOT, "[foil] naive count-then-insert on %s: %d buyers on %d units + 1 seat;"
                            + " the app believed %d holds; serialization failures %d; audit: oversold %d,"
                            + " double-booked seats %d%n", store.description(), buyers, capacity, believed.get(),
                    conflicts.get(), audit.oversoldUnits(), audit.doubleBookedSeats());
            return new FoilRun(audit, believed.get(), conflicts.get());
        }
    }

    /** Opens all of a pool's connections, so a race is not staggered by connections being made. */
    private static void warmUp(PostgresStore store, int connections) throws Exception {
        CountDownLatch allIn = new CountDownLatch(connections);
        List<Callable<Void>> calls = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            calls.add(() -> store.inTransaction(TxMode.READ_ONLY, tx -> {
                allIn.countDown();
                try {
                    allIn.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
        }
        Together.run(calls, connections);
    }
}

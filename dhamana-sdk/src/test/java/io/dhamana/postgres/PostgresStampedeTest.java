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
import io.dhamana.RetryPolicy;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.foil.NaiveCountThenInsert;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stampedes on a real PostgreSQL server: 64 concurrent connections over two pools (two stores on one database,
 * standing for two regions, each with its own client). Every verdict comes from the audit of committed rows. The
 * figures printed (holds per second, conflicts and retries per hold) are for reading, never asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresStampedeTest {
    private static final String SCHEMA = "stampede";
    private static final int THREADS = 64;
    /**
     * Longer runs for steadier figures, or another level: {@code -Dstampede.units=3000 -Dstampede.buyers=12000
     * -Dstampede.isolation=REPEATABLE_READ}.
     */
    private static final int UNITS = Integer.getInteger("stampede.units", 300);
    private static final int BUYERS = Integer.getInteger("stampede.buyers", 3_000);
    private static final PostgresIsolation ISOLATION =
            PostgresIsolation.valueOf(System.getProperty("stampede.isolation", "SERIALIZABLE"));
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId BALCONY = SectionId.of("balcony");

    /** Generous, so that a hold on one hot bucket is never abandoned for lack of attempts. */
    private static final RetryPolicy PATIENT = RetryPolicy.builder().maxAttempts(10_000)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(50)).deadline(Duration.ofMinutes(2)).build();

    private PostgresStore eastStore;
    private PostgresStore westStore;

    @BeforeAll
    void openStores() {
        PostgresServer.freshSchema(SCHEMA);
        eastStore = PostgresServer.store(SCHEMA, ISOLATION).maxPoolSize(THREADS / 2).build();
        westStore = PostgresServer.store(SCHEMA, ISOLATION).maxPoolSize(THREADS / 2).build();
    }

    @AfterAll
    void closeStores() {
        eastStore.close();
        westStore.close();
    }

    private static TicketingClient client(PostgresStore store, String name, OperationStats stats) {
        return TicketingClient.builder().store(store).name(name).listener(stats).retryPolicy(PATIENT)
                .expirySweepInterval(Duration.ZERO).build();
    }

    private static EventId newEvent(String prefix) {
        return EventId.of(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @ParameterizedTest(name = "{0} bucket(s)")
    @ValueSource(ints = {1, 64})
    void thousandsOfHoldsOnAFewHundredUnitsNeverOversell(int buckets) throws Exception {
        OperationStats stats = new OperationStats();
        EventId drop = newEvent("ga-" + buckets);
        try (TicketingClient east = client(eastStore, "east", stats);
             TicketingClient west = client(westStore, "west", stats)) {
            east.createEvent(EventSpec.builder(drop).perBuyerCap(4)
                    .generalAdmission("floor", UNITS, buckets, 15_000).build());
            List<BuyerId> fans = verifyAll(east, west, drop, "fan", BUYERS);
            stats.reset();

            SplittableRandom random = new SplittableRandom(buckets);
            List<Callable<Void>> calls = new ArrayList<>();
            AtomicInteger heldUnits = new AtomicInteger();
            AtomicLong lastHold = new AtomicLong();
            for (int i = 0; i < BUYERS; i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId fan = fans.get(i);
                int units = random.nextInt(10) < 7 ? 1 : 2;
                calls.add(() -> {
                    Outcome<Hold> o = region.hold(HoldRequest.units(drop, FLOOR, fan, units));
                    if (o.isOk()) {
                        heldUnits.addAndGet(units);
                        lastHold.accumulateAndGet(System.nanoTime(), Math::max);
                    } else {
                        assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.SoldOut.class);
                    }
                    return null;
                });
            }
            long start = System.nanoTime();
            runTogether(calls, THREADS);
            double seconds = (System.nanoTime() - start) / 1e9;

            AuditReport audit = east.audit(drop);
            OperationStats.Snapshot holds = stats.snapshot(Operation.HOLD);
            double soldOut = (lastHold.get() - start) / 1e9;
            System.out.printf(Locale.ROOT, "[stampede] %s, %d bucket(s), %d buyers on %d units, %d threads over two"
                            + " pools: %d holds committed in %.2f s until sold out (%.0f holds/s); all %d calls decided"
                            + " in %.2f s; per hold call %.3f conflicts and %.3f retries (%.2f conflicts per committed"
                            + " hold); oversold %d, double-booked %d, %s%n",
                    eastStore.description(), buckets, BUYERS, UNITS, THREADS, holds.successes(), soldOut,
                    holds.successes() / soldOut, holds.calls(), seconds, holds.conflictsPerCall(),
                    holds.retriesPerCall(), holds.conflicts() / (double) Math.max(1, holds.successes()),
                    audit.oversoldUnits(), audit.doubleBookedSeats(),
                    audit.isClean() ? "audit clean" : "AUDIT: " + audit.summary());

            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.oversoldUnits()).isZero();
            assertThat(audit.heldUnits()).isEqualTo(heldUnits.get());
            // Demand is several times the stock: everything sells, and nothing is left over or lost.
            assertThat(audit.remaining()).isZero();
            assertThat(audit.heldUnits()).isEqualTo(UNITS);
            assertThat(audit.unitsHeldEver()).isEqualTo(UNITS);
            assertThat(holds.failures()).isZero();
            assertThat(holds.calls()).isEqualTo(BUYERS);
        }
    }

    @Test
    void combinedHoldsOnOneHotBucketNeverOversellAndJudgeEachMemberOnItsOwn() throws Exception {
        OperationStats stats = new OperationStats();
        EventId drop = newEvent("combined");
        int fansCount = BUYERS / 3;
        try (TicketingClient east = combining(eastStore, "east", stats);
             TicketingClient west = combining(westStore, "west", stats)) {
            east.createEvent(EventSpec.builder(drop).perBuyerCap(3)
                    .generalAdmission("floor", UNITS, 1, 15_000).build());
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
            runTogether(calls, THREADS);

            AuditReport audit = east.audit(drop);
            OperationStats.Snapshot holds = stats.snapshot(Operation.HOLD);
            System.out.printf(Locale.ROOT, "[stampede] combined, 1 bucket: %d hold calls, %d committed, %d"
                            + " transactions started; oversold %d, cap violations %d%n", holds.calls(),
                    holds.successes(), holds.attempts(), audit.oversoldUnits(), audit.capViolations());

            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.oversoldUnits()).isZero();
            assertThat(audit.capViolations()).isZero();
            assertThat(audit.allowanceDrift()).isZero();
            assertThat(audit.heldUnits()).isEqualTo(heldUnits.get()).isEqualTo(UNITS);
            assertThat(heldBy.values()).allSatisfy(units -> assertThat(units.get()).isEqualTo(2));
            assertThat(botsRefused.get()).isEqualTo((fansCount + 9) / 10);
            assertThat(holds.failures()).isZero();
            // Holds really shared transactions: fewer were started than holds were decided.
            assertThat(holds.attempts()).isLessThan(holds.calls());
        }
    }

    private static TicketingClient combining(PostgresStore store, String name, OperationStats stats) {
        return TicketingClient.builder().store(store).name(name).listener(stats).retryPolicy(PATIENT)
                .combining(true).expirySweepInterval(Duration.ZERO).build();
    }

    @Test
    void sixtyBuyersOnOneNamedSeatLeaveOneOwner() throws Exception {
        OperationStats stats = new OperationStats();
        EventId show = newEvent("seat");
        SeatId seat = SeatId.of("C-7");
        try (TicketingClient east = client(eastStore, "east", stats);
             TicketingClient west = client(westStore, "west", stats)) {
            east.createEvent(EventSpec.builder(show).reservedSeating("balcony", SeatMap.grid(4, 10), 25_000).build());
            List<BuyerId> fans = verifyAll(east, west, show, "rush", 60);
            Set<BuyerId> owners = ConcurrentHashMap.newKeySet();
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < fans.size(); i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId fan = fans.get(i);
                calls.add(() -> {
                    Outcome<Hold> o = region.hold(HoldRequest.seat(show, BALCONY, seat, fan));
                    if (o.isOk()) {
                        region.confirm(o.value().id()).value();
                        owners.add(fan);
                    } else {
                        assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.SeatTaken.class);
                    }
                    return null;
                });
            }
            runTogether(calls, fans.size());
            AuditReport audit = east.audit(show);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.contestedSeats()).isEmpty();
            assertThat(audit.doubleBookedSeats()).isZero();
            assertThat(audit.soldUnits()).isEqualTo(1);
            assertThat(owners).hasSize(1);
            assertThat(west.holdersOf(show, BALCONY, seat)).containsExactlyElementsOf(owners);
        }
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
        try (PostgresStore store = PostgresServer.store(SCHEMA, isolation).maxPoolSize(buyers).build();
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
            runTogether(calls, buyers);
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
        runTogether(calls, connections);
    }

    /** Verifies {@code n} buyers through both clients, concurrently. */
    private static List<BuyerId> verifyAll(TicketingClient east, TicketingClient west, EventId event, String prefix,
                                           int n) throws Exception {
        List<BuyerId> fans = new ArrayList<>(n);
        List<Callable<Void>> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BuyerId b = BuyerId.of(prefix + "-" + i);
            fans.add(b);
            TicketingClient c = i % 2 == 0 ? east : west;
            calls.add(() -> {
                c.verifyFan(event, b, URI.create("https://id.example/" + b.value())).value();
                return null;
            });
        }
        runTogether(calls, Math.min(n, THREADS));
        return fans;
    }

    /** Runs the calls on {@code threads} threads, released together, and rethrows the first failure. */
    static void runTogether(List<Callable<Void>> calls, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Void>> futures = new ArrayList<>();
            for (Callable<Void> c : calls) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return c.call();
                }));
            }
            start.countDown();
            for (Future<Void> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

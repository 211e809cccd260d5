package io.dhamana.dsql;

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
import io.dhamana.RetryPolicy;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.testkit.Together;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stampedes from two Regions at once: one DSQL store with two endpoints, a client pinned to each, half the buyers in
 * each Region, 64 threads. Every verdict comes from the audit of committed rows, read through each Region's
 * endpoint; both must read the same. The printed figures are for reading, never asserted. Runs on the PostgreSQL
 * stand-in ({@link DsqlStampedeTest}) and on a real cluster ({@link DsqlLiveStampedeTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DsqlStampedeSuite {
    private static final int THREADS = 64;
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId BALCONY = SectionId.of("balcony");
    /** Generous, so that a hold on one hot bucket is never abandoned for lack of attempts. */
    private static final RetryPolicy PATIENT = RetryPolicy.builder().maxAttempts(10_000)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(50)).deadline(Duration.ofMinutes(2)).build();

    /** The store, with one or two endpoints; opened before the tests and closed after them. */
    protected abstract DsqlStore store();

    /** Units and buyers of the general-admission rush. */
    protected abstract int units();

    protected abstract int buyers();

    /** Called just before the general-admission rush starts. */
    protected void beforeRush() {
    }

    /** Called after the rush was audited; the stand-in checks that both Regions committed writes. */
    protected void afterRush() {
    }

    /** The Region of each half of the buyers (the same one twice for a single-Region cluster). */
    private String east() {
        return store().regions().get(0);
    }

    private String west() {
        List<String> regions = store().regions();
        return regions.get(regions.size() - 1);
    }

    private TicketingClient client(String region, OperationStats stats) {
        return TicketingClient.builder().store(store().pinnedTo(region)).name(region).listener(stats)
                .retryPolicy(PATIENT).expirySweepInterval(Duration.ZERO).build();
    }

    private static EventId newEvent(String prefix) {
        return EventId.of(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @ParameterizedTest(name = "{0} bucket(s)")
    @ValueSource(ints = {1, 64})
    void thousandsOfHoldsFromTwoRegionsNeverOversell(int buckets) throws Exception {
        OperationStats stats = new OperationStats();
        EventId drop = newEvent("ga-" + buckets);
        int units = units();
        int buyers = buyers();
        try (TicketingClient east = client(east(), stats);
             TicketingClient west = client(west(), stats)) {
            east.createEvent(EventSpec.builder(drop).perBuyerCap(4)
                    .generalAdmission("floor", units, buckets, 15_000).build());
            List<BuyerId> fans = verifyAll(east, west, drop, "fan", buyers);
            stats.reset();
            beforeRush();

            SplittableRandom random = new SplittableRandom(buckets);
            AtomicInteger heldUnits = new AtomicInteger();
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < buyers; i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId fan = fans.get(i);
                int wanted = random.nextInt(10) < 7 ? 1 : 2;
                calls.add(() -> {
                    Outcome<Hold> o = region.hold(HoldRequest.units(drop, FLOOR, fan, wanted));
                    if (o.isOk()) {
                        heldUnits.addAndGet(wanted);
                    } else {
                        assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.SoldOut.class);
                    }
                    return null;
                });
            }
            long start = System.nanoTime();
            Together.run(calls, THREADS);
            double seconds = (System.nanoTime() - start) / 1e9;

            AuditReport fromEast = east.audit(drop);
            AuditReport fromWest = west.audit(drop);
            OperationStats.Snapshot holds = stats.snapshot(Operation.HOLD);
            System.out.printf(Locale.ROOT, "[dsql stampede] %s: %d bucket(s), %d buyers on %d units from %s and %s:"
                            + " %d holds committed, all calls decided in %.2f s; %.3f conflicts per hold call;"
                            + " oversold %d, %s%n", store().description(), buckets, buyers, units, east(), west(),
                    holds.successes(), seconds, holds.conflictsPerCall(), fromEast.oversoldUnits(),
                    fromEast.isClean() ? "audit clean" : "AUDIT: " + fromEast.summary());

            assertThat(fromWest).as("the audit read through each Region's endpoint").isEqualTo(fromEast);
            assertThat(fromEast.isClean()).as(fromEast.summary()).isTrue();
            assertThat(fromEast.oversoldUnits()).isZero();
            assertThat(fromEast.heldUnits()).isEqualTo(heldUnits.get()).isEqualTo(units);
            assertThat(fromEast.remaining()).isZero();
            assertThat(holds.failures()).isZero();
            assertThat(holds.calls()).isEqualTo(buyers);
            afterRush();
        }
    }

    /**
     * Combined holds under DSQL's rules: both Regions' clients combine the holds on one hot bucket, each fan asks
     * twice for 2 units under a cap of 3 (often in the same combined transaction: at most one may hold), and bots
     * that were never verified ride in the same batches and must be refused alone.
     */
    @Test
    void combinedHoldsFromTwoRegionsJudgeEachMemberAndNeverOversell() throws Exception {
        OperationStats stats = new OperationStats();
        EventId drop = newEvent("combined");
        int units = units();
        int fansCount = Math.max(units, buyers() / 6);
        try (TicketingClient east = combining(east(), stats);
             TicketingClient west = combining(west(), stats)) {
            east.createEvent(EventSpec.builder(drop).perBuyerCap(3).generalAdmission("floor", units, 1, 15_000)
                    .build());
            List<BuyerId> fans = verifyAll(east, west, drop, "fan", fansCount);
            stats.reset();
            beforeRush();

            List<Callable<Void>> calls = new ArrayList<>();
            AtomicInteger heldUnits = new AtomicInteger();
            AtomicInteger botsRefused = new AtomicInteger();
            ConcurrentHashMap<BuyerId, AtomicInteger> heldBy = new ConcurrentHashMap<>();
            int bots = 0;
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
                    TicketingClient region = i % 20 == 0 ? east : west;
                    bots++;
                    calls.add(() -> {
                        Outcome<Hold> o = region.hold(HoldRequest.units(drop, FLOOR, bot, 1));
                        assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.NotVerified.class);
                        botsRefused.incrementAndGet();
                        return null;
                    });
                }
            }
            java.util.Collections.shuffle(calls, new java.util.Random(7));
            long start = System.nanoTime();
            Together.run(calls, THREADS);
            double seconds = (System.nanoTime() - start) / 1e9;

            AuditReport fromEast = east.audit(drop);
            AuditReport fromWest = west.audit(drop);
            OperationStats.Snapshot holds = stats.snapshot(Operation.HOLD);
            System.out.printf(Locale.ROOT, "[dsql stampede] %s: combined holds on 1 bucket, %d calls decided in"
                            + " %.2f s by %d transactions started; oversold %d, %s%n", store().description(),
                    holds.calls(), seconds, holds.attempts(), fromEast.oversoldUnits(),
                    fromEast.isClean() ? "audit clean" : "AUDIT: " + fromEast.summary());

            assertThat(fromWest).as("the audit read through each Region's endpoint").isEqualTo(fromEast);
            assertThat(fromEast.isClean()).as(fromEast.summary()).isTrue();
            assertThat(fromEast.oversoldUnits()).isZero();
            assertThat(fromEast.capViolations()).isZero();
            assertThat(fromEast.heldUnits()).isEqualTo(heldUnits.get()).isEqualTo(units - units % 2);
            assertThat(heldBy.values()).allSatisfy(u -> assertThat(u.get()).isEqualTo(2));
            assertThat(botsRefused.get()).isEqualTo(bots);
            assertThat(holds.failures()).isZero();
            // Holds really shared transactions: fewer were started than holds were decided.
            assertThat(holds.attempts()).isLessThan(holds.calls());
            afterRush();
        }
    }

    private TicketingClient combining(String region, OperationStats stats) {
        return TicketingClient.builder().store(store().pinnedTo(region)).name(region).listener(stats)
                .retryPolicy(PATIENT).combining(true).expirySweepInterval(Duration.ZERO).build();
    }

    @Test
    void sixtyBuyersOnOneSeatFromTwoRegionsLeaveOneOwner() throws Exception {
        OperationStats stats = new OperationStats();
        EventId show = newEvent("seat");
        SeatId seat = SeatId.of("C-7");
        try (TicketingClient east = client(east(), stats);
             TicketingClient west = client(west(), stats)) {
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
            Together.run(calls, fans.size());
            AuditReport fromEast = east.audit(show);
            AuditReport fromWest = west.audit(show);
            assertThat(fromWest).isEqualTo(fromEast);
            assertThat(fromEast.isClean()).as(fromEast.summary()).isTrue();
            assertThat(fromEast.doubleBookedSeats()).isZero();
            assertThat(fromEast.soldUnits()).isEqualTo(1);
            assertThat(owners).hasSize(1);
            assertThat(east.holdersOf(show, BALCONY, seat)).containsExactlyElementsOf(owners);
            assertThat(west.holdersOf(show, BALCONY, seat)).containsExactlyElementsOf(owners);
        }
    }

    /** The audit of everything in the store, read through each Region's endpoint, reads the same. */
    @Test
    void theWholeStoresAuditReadsTheSameThroughEachRegion() {
        try (TicketingClient east = TicketingClient.builder().store(store().pinnedTo(east()))
                .expirySweepInterval(Duration.ZERO).build();
             TicketingClient west = TicketingClient.builder().store(store().pinnedTo(west()))
                     .expirySweepInterval(Duration.ZERO).build()) {
            AuditReport a = east.audit();
            assertThat(west.audit()).isEqualTo(a);
            assertThat(a.isClean()).as(a.summary()).isTrue();
        }
    }

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
        Together.run(calls, Math.min(n, THREADS));
        return fans;
    }
}

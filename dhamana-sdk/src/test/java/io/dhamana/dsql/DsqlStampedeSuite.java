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
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.spi.TicketStore;
import io.dhamana.stampede.StampedeSuite;
import io.dhamana.testkit.Together;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared stampedes from two Regions at once: one DSQL store with two endpoints, a client pinned to each (both to
 * the one endpoint of a single-Region cluster). Every audit is read through each Region's endpoint, and both must
 * read the same. Runs on the PostgreSQL stand-in ({@link DsqlStampedeTest}) and on a real cluster
 * ({@link DsqlLiveStampedeTest}).
 */
abstract class DsqlStampedeSuite extends StampedeSuite {
    private TicketStore east;
    private TicketStore west;

    /** The store, with one or two endpoints; opened before the tests and closed after them. */
    protected abstract DsqlStore store();

    @Override
    protected TicketStore eastStore() {
        if (east == null) {
            east = store().pinnedTo(store().regions().get(0));
        }
        return east;
    }

    @Override
    protected TicketStore westStore() {
        if (west == null) {
            List<String> regions = store().regions();
            west = store().pinnedTo(regions.get(regions.size() - 1));
        }
        return west;
    }

    /** The audit of everything in the store, read through each Region's endpoint, reads the same. */
    @Test
    void theWholeStoresAuditReadsTheSameThroughEachRegion() {
        try (TicketingClient eastClient = TicketingClient.builder().store(eastStore())
                .expirySweepInterval(Duration.ZERO).build();
             TicketingClient westClient = TicketingClient.builder().store(westStore())
                     .expirySweepInterval(Duration.ZERO).build()) {
            AuditReport a = eastClient.audit();
            assertThat(westClient.audit()).isEqualTo(a);
            assertThat(a.isClean()).as(a.summary()).isTrue();
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
        try (TicketingClient east = combining(eastStore(), "east", stats);
             TicketingClient west = combining(westStore(), "west", stats)) {
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
                        Outcome<Hold> o = region.hold(HoldRequest.units(drop, SectionId.of("floor"), fan, 2));
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
                        Outcome<Hold> o = region.hold(HoldRequest.units(drop, SectionId.of("floor"), bot, 1));
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

    private static TicketingClient combining(TicketStore store, String region, OperationStats stats) {
        return TicketingClient.builder().store(store).name(region).listener(stats).retryPolicy(PATIENT)
                .combining(true).expirySweepInterval(Duration.ZERO).build();
    }
}

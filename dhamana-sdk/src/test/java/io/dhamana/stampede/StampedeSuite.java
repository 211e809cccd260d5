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
import io.dhamana.RetryPolicy;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.spi.TicketStore;
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
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stampedes every store runs, shared the way {@link io.dhamana.contract.TicketStoreContract} is: thousands of
 * buyers on a few hundred general-admission units (over one bucket and over 64), and 60 buyers on one named seat.
 * Half the buyers come through each of two "regions": two clients, each on its own store (a pool, an endpoint) over
 * one database, or on the same store where there is only one. A store's test class extends this and supplies the
 * two stores, opened before the tests and closed after them.
 *
 * <p>Only the public client API is used, every crowd is released through {@link Together}, and every verdict comes
 * from committed rows: the audit read through each region (both must read the same), the seat's holders and the
 * tickets buyers own. What callers were told is only cross-checked against those rows. The printed figures are for
 * reading, never asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StampedeSuite {
    /** Callers released at once: as many as the two regions' pools have connections, in the SQL stores. */
    protected static final int THREADS = 64;
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId BALCONY = SectionId.of("balcony");
    /** Generous, so that a hold on one hot bucket is never abandoned for lack of attempts. */
    protected static final RetryPolicy PATIENT = RetryPolicy.builder().maxAttempts(10_000)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(50)).deadline(Duration.ofMinutes(2)).build();

    /** The store the east region's client calls through. */
    protected abstract TicketStore eastStore();

    /** The store the west region's client calls through: the east one again where a store has a single endpoint. */
    protected abstract TicketStore westStore();

    /**
     * Units of the general-admission rush. Larger runs: {@code -Dstampede.units=3000 -Dstampede.buyers=12000}.
     */
    protected int units() {
        return Integer.getInteger("stampede.units", 300);
    }

    /** Buyers in the general-admission rush, several times the units so that everything sells. */
    protected int buyers() {
        return Integer.getInteger("stampede.buyers", 3_000);
    }

    /** Called just before the general-admission rush is released. */
    protected void beforeRush() {
    }

    /** Called once the rush has been audited. */
    protected void afterRush() {
    }

    /** A client of one region, recording into {@code stats}, without a background sweeper. */
    protected static TicketingClient client(TicketStore store, String region, OperationStats stats) {
        return TicketingClient.builder().store(store).name(region).listener(stats).retryPolicy(PATIENT)
                .expirySweepInterval(Duration.ZERO).build();
    }

    /** An event id no earlier test (or earlier run on the same database) has used. */
    protected static EventId newEvent(String prefix) {
        return EventId.of(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @ParameterizedTest(name = "{0} bucket(s)")
    @ValueSource(ints = {1, 64})
    void thousandsOfBuyersFromTwoRegionsOnAFewHundredUnitsNeverOversell(int buckets) throws Exception {
        OperationStats stats = new OperationStats();
        EventId drop = newEvent("ga-" + buckets);
        int units = units();
        int buyers = buyers();
        try (TicketingClient east = client(eastStore(), "east", stats);
             TicketingClient west = client(westStore(), "west", stats)) {
            east.createEvent(EventSpec.builder(drop).perBuyerCap(4)
                    .generalAdmission("floor", units, buckets, 15_000).build());
            List<BuyerId> fans = verifyAll(east, west, drop, "fan", buyers);
            stats.reset();
            beforeRush();

            SplittableRandom random = new SplittableRandom(buckets);
            AtomicInteger toldUnits = new AtomicInteger();
            AtomicLong lastHold = new AtomicLong();
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < buyers; i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId fan = fans.get(i);
                int wanted = random.nextInt(10) < 7 ? 1 : 2;
                calls.add(() -> {
                    Outcome<Hold> o = region.hold(HoldRequest.units(drop, FLOOR, fan, wanted));
                    if (o.isOk()) {
                        toldUnits.addAndGet(wanted);
                        lastHold.accumulateAndGet(System.nanoTime(), Math::max);
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
            double soldOut = Math.max(1e-9, (lastHold.get() - start) / 1e9);
            System.out.printf(Locale.ROOT, "[stampede] %s, %d bucket(s), %d buyers on %d units from two regions,"
                            + " %d threads: %d holds committed in %.2f s until sold out (%.0f holds/s); all %d calls"
                            + " decided in %.2f s; per hold call %.3f conflicts and %.3f retries; oversold %d, %s%n",
                    eastStore().description(), buckets, buyers, units, THREADS, holds.successes(), soldOut,
                    holds.successes() / soldOut, holds.calls(), seconds, holds.conflictsPerCall(),
                    holds.retriesPerCall(), fromEast.oversoldUnits(),
                    fromEast.isClean() ? "audit clean" : "AUDIT: " + fromEast.summary());

            assertThat(fromWest).as("the audit read through each region").isEqualTo(fromEast);
            assertThat(fromEast.isClean()).as(fromEast.summary()).isTrue();
            assertThat(fromEast.oversoldUnits()).isZero();
            // Demand is several times the stock: everything sells, nothing is left over or lost, and the units the
            // rows show held are the units callers were told they hold.
            assertThat(fromEast.heldUnits()).isEqualTo(units).isEqualTo(toldUnits.get());
            assertThat(fromEast.unitsHeldEver()).isEqualTo(units);
            assertThat(fromEast.remaining()).isZero();
            assertThat(holds.failures()).isZero();
            assertThat(holds.calls()).isEqualTo(buyers);
            afterRush();
        }
    }

    @Test
    void sixtyBuyersFromTwoRegionsOnOneSeatLeaveOneOwner() throws Exception {
        OperationStats stats = new OperationStats();
        EventId show = newEvent("seat");
        SeatId seat = SeatId.of("C-7");
        try (TicketingClient east = client(eastStore(), "east", stats);
             TicketingClient west = client(westStore(), "west", stats)) {
            east.createEvent(EventSpec.builder(show).reservedSeating("balcony", SeatMap.grid(4, 10), 25_000).build());
            List<BuyerId> fans = verifyAll(east, west, show, "rush", 60);
            Set<BuyerId> told = ConcurrentHashMap.newKeySet();
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < fans.size(); i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId fan = fans.get(i);
                calls.add(() -> {
                    Outcome<Hold> o = region.hold(HoldRequest.seat(show, BALCONY, seat, fan));
                    if (o.isOk()) {
                        region.confirm(o.value().id()).value();
                        told.add(fan);
                    } else {
                        assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.SeatTaken.class);
                    }
                    return null;
                });
            }
            Together.run(calls, fans.size());

            AuditReport fromEast = east.audit(show);
            AuditReport fromWest = west.audit(show);
            assertThat(fromWest).as("the audit read through each region").isEqualTo(fromEast);
            assertThat(fromEast.isClean()).as(fromEast.summary()).isTrue();
            assertThat(fromEast.contestedSeats()).isEmpty();
            assertThat(fromEast.doubleBookedSeats()).isZero();
            assertThat(fromEast.soldUnits()).isEqualTo(1);
            List<BuyerId> owners = fans.stream().filter(f -> !west.ticketsOf(show, f).isEmpty()).toList();
            assertThat(owners).as("buyers owning a ticket in the committed rows").hasSize(1)
                    .containsExactlyInAnyOrderElementsOf(told);
            assertThat(east.holdersOf(show, BALCONY, seat)).containsExactlyElementsOf(owners);
            assertThat(west.holdersOf(show, BALCONY, seat)).containsExactlyElementsOf(owners);
        }
    }

    /** Verifies {@code n} buyers, half through each region, concurrently. */
    protected static List<BuyerId> verifyAll(TicketingClient east, TicketingClient west, EventId event, String prefix,
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

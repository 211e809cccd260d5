package io.dhamana.reliability;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingRequest;
import io.dhamana.Outcome;
import io.dhamana.RetryPolicy;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.testkit.MutableClock;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random concurrent histories of every operation (hold, release, confirm, refund, verify, revoke, list, withdraw,
 * buy, settle, cancel, expire) from several threads and two clients on one engine, with a small inventory so
 * buyers collide. Whatever the interleaving, the audit of committed rows must find no violation, and every
 * acknowledged call must be visible in the store.
 */
class ConcurrentHistoryProperties {
    private static final SectionId GA = SectionId.of("ga");
    private static final SectionId SEATS = SectionId.of("seats");

    @Property(tries = 30)
    void everyInvariantHoldsAfterAnyConcurrentHistory(@ForAll long seed,
                                                      @ForAll @IntRange(min = 2, max = 8) int threads,
                                                      @ForAll @IntRange(min = 1, max = 16) int buckets,
                                                      @ForAll @IntRange(min = 16, max = 60) int capacity)
            throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T20:00:00Z"));
        try (EngineStore store = EngineStore.builder().clock(clock).build();
             TicketingClient east = client(store, "east");
             TicketingClient west = client(store, "west")) {
            EventId e = EventId.of("prop");
            east.createEvent(EventSpec.builder(e).perBuyerCap(3).resaleCapPercent(120)
                    .generalAdmission("ga", capacity, Math.min(buckets, capacity), 1_000)
                    .reservedSeating("seats", SeatMap.grid(2, 3), 2_500).build());
            List<BuyerId> buyers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                BuyerId b = BuyerId.of("b" + i);
                buyers.add(b);
                if (i < 10) { // two never verified
                    east.verifyFan(e, b, URI.create("https://id.example/" + i)).value();
                }
            }
            World world = new World(e, buyers, clock);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                TicketingClient c = t % 2 == 0 ? east : west;
                SplittableRandom random = new SplittableRandom(seed * 31 + t);
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int step = 0; step < 60; step++) {
                        world.step(c, random);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdownNow();

            AuditReport audit = east.audit(e);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.oversoldUnits()).isZero();
            assertThat(audit.capacity()).isEqualTo(capacity + 6L);
            for (HoldId id : world.acknowledgedHolds) {
                assertThat(east.findHold(id)).as("acknowledged hold %s", id).isPresent();
            }
            for (Ticket t : world.acknowledgedTickets) {
                assertThat(east.findTicket(t.id())).as("acknowledged ticket %s", t.id()).isPresent();
            }
            for (BuyerId b : buyers.subList(10, 12)) {
                assertThat(east.ticketsOf(e, b)).as("unverified buyer %s owns nothing", b).isEmpty();
            }
        }
    }

    private static TicketingClient client(EngineStore store, String name) {
        return TicketingClient.builder().store(store).name(name).expirySweepInterval(Duration.ZERO)
                .retryPolicy(RetryPolicy.builder().maxAttempts(1_000).deadline(Duration.ofMinutes(1)).build())
                .build();
    }

    /** Shared, thread-safe memory of what callers were told, so later steps can act on it. */
    private static final class World {
        final EventId event;
        final List<BuyerId> buyers;
        final MutableClock clock;
        final List<HoldId> acknowledgedHolds = new CopyOnWriteArrayList<>();
        final List<Ticket> acknowledgedTickets = new CopyOnWriteArrayList<>();
        final Map<ListingId, Listing> listings = new ConcurrentHashMap<>();

        World(EventId event, List<BuyerId> buyers, MutableClock clock) {
            this.event = event;
            this.buyers = buyers;
            this.clock = clock;
        }

        <T> T pick(List<T> from, SplittableRandom r) {
            return from.get(r.nextInt(from.size()));
        }

        void step(TicketingClient c, SplittableRandom r) {
            BuyerId who = pick(buyers, r);
            int dice = r.nextInt(100);
            if (dice < 30) {
                HoldRequest req = r.nextBoolean()
                        ? HoldRequest.units(event, GA, who, 1 + r.nextInt(3))
                        : HoldRequest.seat(event, SEATS, SeatId.of(SeatMap.rowName(r.nextInt(2)) + "-" + (1 + r.nextInt(3))), who);
                if (r.nextInt(10) == 0) {
                    req = req.withTtl(Duration.ofSeconds(1));
                }
                c.hold(req).toOptional().ifPresent(h -> acknowledgedHolds.add(h.id()));
            } else if (dice < 45 && !acknowledgedHolds.isEmpty()) {
                HoldId h = pick(acknowledgedHolds, r);
                c.confirm(h).toOptional().ifPresent(acknowledgedTickets::addAll);
            } else if (dice < 52 && !acknowledgedHolds.isEmpty()) {
                c.release(pick(acknowledgedHolds, r));
            } else if (dice < 57 && !acknowledgedTickets.isEmpty()) {
                c.refund(pick(acknowledgedTickets, r).id());
            } else if (dice < 67 && !acknowledgedTickets.isEmpty()) {
                Ticket t = pick(acknowledgedTickets, r);
                long ask = 1 + r.nextLong(t.faceValueMinor() * 13 / 10); // some above the 120% cap
                BuyerId seller = r.nextInt(4) == 0 ? who : t.owner();
                c.listForResale(ListingRequest.of(t.id(), seller, ask)).toOptional()
                        .ifPresent(l -> listings.put(l.id(), l));
            } else if (dice < 77 && !listings.isEmpty()) {
                c.buyListing(pick(List.copyOf(listings.keySet()), r), who);
            } else if (dice < 82 && !listings.isEmpty()) {
                c.settle(pick(List.copyOf(listings.keySet()), r));
            } else if (dice < 85 && !listings.isEmpty()) {
                c.cancelSale(pick(List.copyOf(listings.keySet()), r));
            } else if (dice < 88 && !listings.isEmpty()) {
                Listing l = listings.get(pick(List.copyOf(listings.keySet()), r));
                c.withdrawListing(l.id(), r.nextBoolean() ? l.seller() : who);
            } else if (dice < 91) {
                c.revokeFan(event, who);
            } else if (dice < 95) {
                if (buyers.indexOf(who) < 10) {
                    c.verifyFan(event, who, URI.create("https://id.example/re/" + who.value()));
                }
            } else if (dice < 98) {
                clock.advance(Duration.ofMillis(600));
            } else {
                c.expireHolds();
            }
        }
    }
}

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
import io.dhamana.TicketId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.reliability.History.Kind;
import io.dhamana.reliability.History.Op;
import io.dhamana.testkit.time.MutableClock;
import io.dhamana.testkit.Together;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static io.dhamana.testkit.Theories.qt;
import static io.dhamana.testkit.Theories.shrinkingAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Random concurrent histories of every operation (hold, release, confirm, refund, verify, revoke, list, withdraw,
 * buy, settle, cancel, expire) from several threads and two clients on one engine, with a small inventory so
 * buyers collide. Whatever the interleaving, the audit of committed rows must find no violation, and every
 * acknowledged call must be visible in the store: each call is recorded as a {@link History} and the
 * {@link HistoryChecker} explains it by the rows committed at the end (an acknowledged call took effect exactly once
 * and left its subject in the state it reported; a refused one left nothing).
 */
class ConcurrentHistoryProperties {
    private static final SectionId GA = SectionId.of("ga");
    private static final SectionId SEATS = SectionId.of("seats");
    private static final int TRIES = 30;
    /** Steps per thread are drawn up to this, 60 on average, so that shrinking can shorten a failing history. */
    private static final int MOST_STEPS = 119;
    /** Each shrink candidate replays a whole history: bound the time spent making a failure smaller. */
    private static final Duration SHRINKING = Duration.ofMinutes(2);

    /**
     * One history: the seed of every thread's moves, how many threads (alternating between the two clients), the
     * GA section's buckets and capacity, and the steps each thread takes.
     */
    record Drop(long seed, int threads, int buckets, int capacity, int steps) {}

    @Test
    void everyInvariantHoldsAfterAnyConcurrentHistory() {
        qt(TRIES).forAll(drops()).checkAssert(shrinkingAtMost(SHRINKING, ConcurrentHistoryProperties::run));
    }

    private static Gen<Drop> drops() {
        Gen<Integer> threads = integers().between(2, 8);
        Gen<Integer> buckets = integers().between(1, 16);
        Gen<Integer> capacity = integers().between(16, 60);
        Gen<Integer> steps = integers().between(1, MOST_STEPS);
        return longs().all().zip(threads, buckets, capacity, steps, Drop::new);
    }

    private static void run(Drop drop) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T20:00:00Z"));
        try (EngineStore store = EngineStore.builder().clock(clock).build();
             TicketingClient east = client(store, "east");
             TicketingClient west = client(store, "west")) {
            EventId e = EventId.of("prop");
            east.createEvent(EventSpec.builder(e).perBuyerCap(3).resaleCapPercent(120)
                    .generalAdmission("ga", drop.capacity(), Math.min(drop.buckets(), drop.capacity()), 1_000)
                    .reservedSeating("seats", SeatMap.grid(2, 3), 2_500).build());
            History history = new History();
            History.Recorder setUp = history.recorder(-1);
            List<BuyerId> buyers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                BuyerId b = BuyerId.of("b" + i);
                buyers.add(b);
                if (i < 10) { // two never verified
                    URI evidence = URI.create("https://id.example/" + i);
                    assertThat(call(setUp, "east", Kind.VERIFY, op -> op.buyer = b,
                            () -> east.verifyFan(e, b, evidence))).as("verification of %s", b).isNotNull();
                }
            }
            World world = new World(e, buyers, clock);
            SplittableRandom seeds = new SplittableRandom(drop.seed());
            List<Callable<Void>> threads = new ArrayList<>();
            for (int t = 0; t < drop.threads(); t++) {
                TicketingClient c = t % 2 == 0 ? east : west;
                String name = t % 2 == 0 ? "east" : "west";
                History.Recorder recorder = history.recorder(t);
                SplittableRandom random = seeds.split();
                threads.add(() -> {
                    for (int step = 0; step < drop.steps(); step++) {
                        world.step(c, name, recorder, random);
                    }
                    return null;
                });
            }
            Together.run(threads, drop.threads(), Duration.ofMinutes(2));

            AuditReport audit = east.audit(e);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.oversoldUnits()).isZero();
            assertThat(audit.capacity()).isEqualTo(drop.capacity() + 6L);
            HistoryChecker.Verdict verdict = HistoryChecker.check(history.operations(),
                    HistoryChecker.Rows.read(store, e));
            assertThat(verdict.violations()).as("%s%n%s", verdict.tally(), String.join("\n", verdict.examples()))
                    .isZero();
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

    /**
     * Makes a call and records it with what it was told: the committed value (returned), or a rejection (null is
     * returned). Nothing here injects faults, so an exception is a failure of the run and is not caught.
     */
    private static Object call(History.Recorder recorder, String client, Kind kind, Consumer<Op> args,
                               Supplier<?> call) {
        Op op = recorder.invoke(client, kind);
        args.accept(op);
        return recorder.returned(op, call.get());
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

        void step(TicketingClient c, String name, History.Recorder rec, SplittableRandom r) {
            BuyerId who = pick(buyers, r);
            int dice = r.nextInt(100);
            if (dice < 30) {
                HoldRequest req = r.nextBoolean()
                        ? HoldRequest.units(event, GA, who, 1 + r.nextInt(3))
                        : HoldRequest.seat(event, SEATS, SeatId.of(SeatMap.rowName(r.nextInt(2)) + "-" + (1 + r.nextInt(3))), who);
                if (r.nextInt(10) == 0) {
                    req = req.withTtl(Duration.ofSeconds(1));
                }
                hold(c, name, rec, r, req);
            } else if (dice < 45 && !acknowledgedHolds.isEmpty()) {
                HoldId h = pick(acknowledgedHolds, r);
                if (call(rec, name, Kind.CONFIRM, op -> op.hold = h, () -> c.confirm(h)) instanceof List<?> told) {
                    told.forEach(t -> acknowledgedTickets.add((Ticket) t));
                }
            } else if (dice < 52 && !acknowledgedHolds.isEmpty()) {
                HoldId h = pick(acknowledgedHolds, r);
                call(rec, name, Kind.RELEASE, op -> op.hold = h, () -> c.release(h));
            } else if (dice < 57 && !acknowledgedTickets.isEmpty()) {
                TicketId t = pick(acknowledgedTickets, r).id();
                call(rec, name, Kind.REFUND, op -> op.ticket = t, () -> c.refund(t));
            } else if (dice < 67 && !acknowledgedTickets.isEmpty()) {
                Ticket t = pick(acknowledgedTickets, r);
                long ask = 1 + r.nextLong(t.faceValueMinor() * 13 / 10); // some above the 120% cap
                BuyerId seller = r.nextInt(4) == 0 ? who : t.owner();
                ListingRequest req = ListingRequest.of(t.id(), seller, ask)
                        .withListingId(ListingId.of(new UUID(r.nextLong(), r.nextLong())));
                if (call(rec, name, Kind.LIST, op -> {
                    op.listing = req.listingId().orElseThrow();
                    op.ticket = t.id();
                    op.buyer = seller;
                    op.ask = ask;
                }, () -> c.listForResale(req)) instanceof Listing l) {
                    listings.put(l.id(), l);
                }
            } else if (dice < 77 && !listings.isEmpty()) {
                ListingId l = pick(List.copyOf(listings.keySet()), r);
                call(rec, name, Kind.BUY, op -> {
                    op.listing = l;
                    op.buyer = who;
                }, () -> c.buyListing(l, who));
            } else if (dice < 82 && !listings.isEmpty()) {
                ListingId l = pick(List.copyOf(listings.keySet()), r);
                call(rec, name, Kind.SETTLE, op -> op.listing = l, () -> c.settle(l));
            } else if (dice < 85 && !listings.isEmpty()) {
                ListingId l = pick(List.copyOf(listings.keySet()), r);
                call(rec, name, Kind.CANCEL, op -> op.listing = l, () -> c.cancelSale(l));
            } else if (dice < 88 && !listings.isEmpty()) {
                Listing l = listings.get(pick(List.copyOf(listings.keySet()), r));
                BuyerId seller = r.nextBoolean() ? l.seller() : who;
                call(rec, name, Kind.WITHDRAW, op -> {
                    op.listing = l.id();
                    op.buyer = seller;
                }, () -> c.withdrawListing(l.id(), seller));
            } else if (dice < 91) {
                call(rec, name, Kind.REVOKE, op -> op.buyer = who, () -> c.revokeFan(event, who));
            } else if (dice < 95) {
                if (buyers.indexOf(who) < 10) {
                    URI evidence = URI.create("https://id.example/re/" + who.value());
                    call(rec, name, Kind.VERIFY, op -> op.buyer = who, () -> c.verifyFan(event, who, evidence));
                }
            } else if (dice < 98) {
                clock.advance(Duration.ofMillis(600));
            } else {
                call(rec, name, Kind.EXPIRE, op -> { }, c::expireHolds);
            }
        }

        /**
         * Half the holds name their id, half leave it to the client. A refusal of the latter has no id to look
         * for rows under, so only its acknowledgements are recorded (the per-row checks still cover its rows).
         */
        private void hold(TicketingClient c, String name, History.Recorder rec, SplittableRandom r,
                          HoldRequest request) {
            if (r.nextBoolean()) {
                HoldRequest req = request.withHoldId(HoldId.of(new UUID(r.nextLong(), r.nextLong())));
                if (call(rec, name, Kind.HOLD, op -> describe(op, req, req.holdId().orElseThrow()),
                        () -> c.hold(req)) instanceof Hold h) {
                    acknowledgedHolds.add(h.id());
                }
                return;
            }
            Outcome<Hold> held = c.hold(request);
            if (held.isOk()) {
                Hold h = held.value();
                Op op = rec.invoke(name, Kind.HOLD);
                describe(op, request, h.id());
                rec.ok(op, h);
                acknowledgedHolds.add(h.id());
            }
        }

        private static void describe(Op op, HoldRequest req, HoldId id) {
            op.hold = id;
            op.buyer = req.buyer();
            op.section = req.section();
            op.seat = req.seat().orElse(null);
            op.units = req.units();
        }
    }
}

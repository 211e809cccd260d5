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
import io.dhamana.OperationFailedException;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketingClient;
import io.dhamana.reliability.History.Kind;
import io.dhamana.reliability.History.Op;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A seeded random workload of every operation on one event: holds of general-admission units (a wide floor and a
 * one-bucket pit, the hottest row) and of named seats, confirms, releases, refunds, verifications and revocations,
 * listings, purchases, settlements, cancelled sales, withdrawals, expiry sweeps (with the store's clock moving, where
 * it can be moved) and reads. Each worker draws its choices from its own generator, seeded from the run's seed, and
 * records every call in a {@link History}. A call whose outcome is unknown is repeated with the same key, as a caller
 * should, up to a few times. Targets are drawn from what callers recently heard of, so most calls act on live
 * objects and many collide.
 */
final class Workload {
    static final SectionId FLOOR = SectionId.of("floor");
    static final SectionId PIT = SectionId.of("pit");
    static final SectionId SEATS = SectionId.of("seats");
    static final int SEAT_ROWS = 4;
    static final int SEATS_PER_ROW = 10;
    private static final int MAX_REPEATS = 4;
    private static final int VERIFIED = 400;
    private static final int STRANGERS = 8;

    final EventId event;
    final List<BuyerId> fans = new ArrayList<>();
    final List<BuyerId> strangers = new ArrayList<>();
    private final Consumer<Duration> passStoreTime;
    private final int auditEvery;
    private final Recent<HoldId> holds = new Recent<>(512);
    private final Recent<TicketId> tickets = new Recent<>(256);
    private final Recent<ListingId> listings = new Recent<>(256);
    private final Map<TicketId, BuyerId> owners = new ConcurrentHashMap<>();
    private final Map<ListingId, BuyerId> sellers = new ConcurrentHashMap<>();
    private final AtomicLong issued = new AtomicLong();
    /** Things no history check can see afterwards: unclear errors, failed mid-run audits, lost reads. */
    final Queue<String> problems = new ConcurrentLinkedQueue<>();
    final AtomicLong audits = new AtomicLong();

    /**
     * @param passStoreTime moves the store's clock (an engine with a test clock), or does nothing (a real server)
     * @param auditEvery    an audit of the whole event is run after every this many operations, and must be clean
     */
    Workload(EventId event, Consumer<Duration> passStoreTime, int auditEvery) {
        this.event = event;
        this.passStoreTime = passStoreTime;
        this.auditEvery = auditEvery;
        for (int i = 0; i < VERIFIED; i++) {
            fans.add(BuyerId.of("fan-" + i));
        }
        for (int i = 0; i < STRANGERS; i++) {
            strangers.add(BuyerId.of("stranger-" + i));
        }
    }

    /** Creates the event and verifies the fans (strangers are never verified), recording the verifications. */
    void setUp(TicketingClient client, History.Recorder recorder) {
        client.createEvent(EventSpec.builder(event).name("Soak").perBuyerCap(4).resaleCapPercent(120)
                .generalAdmission("floor", 1_000, 32, 5_000)
                .generalAdmission("pit", 24, 1, 9_000)
                .reservedSeating("seats", SeatMap.grid(SEAT_ROWS, SEATS_PER_ROW), 12_000)
                .build());
        Worker w = new Worker(client, "setup", new SplittableRandom(0), recorder);
        for (BuyerId b : fans) {
            Object done = act(w, Kind.VERIFY, op -> op.buyer = b,
                    () -> client.verifyFan(event, b, URI.create("https://id.example/" + b.value())));
            if (done == null || done == UNKNOWN) {
                throw new IllegalStateException("could not verify " + b);
            }
        }
    }

    /** One worker: a caller (client, recorder) and its own generator. */
    final class Worker {
        final TicketingClient client;
        final SplittableRandom random;
        final Caller caller;

        Worker(TicketingClient client, String name, SplittableRandom random, History.Recorder recorder) {
            this.client = client;
            this.random = random;
            this.caller = new Caller(client, name, recorder, MAX_REPEATS, 0, problems);
        }
    }

    /** One random operation (with its repeats, if its outcome was unknown). */
    void step(Worker w) {
        SplittableRandom r = w.random;
        long n = issued.incrementAndGet();
        if (auditEvery > 0 && n % auditEvery == 0) {
            audit(w);
        }
        int dice = r.nextInt(1_000);
        if (dice < 160) {
            hold(w, HoldRequest.units(event, FLOOR, buyer(r), 1 + r.nextInt(3)));
        } else if (dice < 210) {
            hold(w, HoldRequest.units(event, PIT, buyer(r), 1 + r.nextInt(2)));
        } else if (dice < 290) {
            SeatId seat = SeatId.of(SeatMap.rowName(r.nextInt(SEAT_ROWS)) + "-" + (1 + r.nextInt(SEATS_PER_ROW)));
            hold(w, HoldRequest.seat(event, SEATS, seat, buyer(r)));
        } else if (dice < 410) {
            HoldId h = holds.pick(r);
            if (h != null) {
                confirm(w, h);
            }
        } else if (dice < 500) {
            HoldId h = holds.pick(r);
            if (h != null && act(w, Kind.RELEASE, op -> op.hold = h, () -> w.client.release(h)) instanceof Hold) {
                holds.finish(h);
            }
        } else if (dice < 600) {
            TicketId t = tickets.pick(r);
            if (t != null && act(w, Kind.REFUND, op -> op.ticket = t, () -> w.client.refund(t)) instanceof Ticket) {
                tickets.finish(t);
            }
        } else if (dice < 670) {
            TicketId t = tickets.pick(r);
            if (t != null) {
                list(w, t, r);
            }
        } else if (dice < 740) {
            ListingId l = listings.pick(r);
            if (l != null) {
                buy(w, l, r.nextInt(20) == 0 ? sellers.getOrDefault(l, buyer(r)) : buyer(r));
            }
        } else if (dice < 790) {
            ListingId l = listings.pick(r);
            if (l != null && act(w, Kind.SETTLE, op -> op.listing = l, () -> w.client.settle(l)) instanceof Listing) {
                listings.finish(l);
            }
        } else if (dice < 810) {
            ListingId l = listings.pick(r);
            if (l != null) {
                Object done = act(w, Kind.CANCEL, op -> op.listing = l, () -> w.client.cancelSale(l));
                if (done instanceof Listing listing) {
                    owners.put(listing.ticket(), listing.seller());
                    listings.finish(l);
                }
            }
        } else if (dice < 840) {
            ListingId l = listings.pick(r);
            if (l != null) {
                BuyerId seller = r.nextInt(5) == 0 ? buyer(r) : sellers.getOrDefault(l, buyer(r));
                if (act(w, Kind.WITHDRAW, op -> {
                    op.listing = l;
                    op.buyer = seller;
                }, () -> w.client.withdrawListing(l, seller)) instanceof Listing) {
                    listings.finish(l);
                }
            }
        } else if (dice < 870) {
            BuyerId b = fans.get(r.nextInt(fans.size()));
            act(w, Kind.VERIFY, op -> op.buyer = b,
                    () -> w.client.verifyFan(event, b, URI.create("https://id.example/again/" + b.value())));
        } else if (dice < 875) {
            BuyerId b = fans.get(r.nextInt(fans.size()));
            act(w, Kind.REVOKE, op -> op.buyer = b, () -> w.client.revokeFan(event, b));
        } else if (dice < 915) {
            passStoreTime.accept(Duration.ofMillis(200 + r.nextInt(1_300)));
            act(w, Kind.EXPIRE, op -> { }, w.client::expireHolds);
        } else {
            read(w, r);
        }
    }

    private BuyerId buyer(SplittableRandom r) {
        return r.nextInt(50) == 0 ? strangers.get(r.nextInt(strangers.size())) : fans.get(r.nextInt(fans.size()));
    }

    private void hold(Worker w, HoldRequest request) {
        SplittableRandom r = w.random;
        HoldRequest req = request.withHoldId(HoldId.of(new UUID(r.nextLong(), r.nextLong())));
        if (r.nextInt(7) == 0) {
            req = req.withTtl(Duration.ofMillis(1_000 + r.nextInt(2_000))); // some lapse during the run
        }
        HoldRequest finalReq = req;
        Object done = act(w, Kind.HOLD, op -> {
            op.hold = finalReq.holdId().orElseThrow();
            op.buyer = finalReq.buyer();
            op.section = finalReq.section();
            op.seat = finalReq.seat().orElse(null);
            op.units = finalReq.units();
        }, () -> w.client.hold(finalReq));
        if (done instanceof Hold) {
            holds.add(finalReq.holdId().orElseThrow());
        } else if (done == UNKNOWN) {
            holds.add(finalReq.holdId().orElseThrow(), false); // maybe it exists: later calls on it must cope
        }
    }

    private void confirm(Worker w, HoldId h) {
        Object done = act(w, Kind.CONFIRM, op -> op.hold = h, () -> w.client.confirm(h));
        if (done instanceof List<?>) {
            holds.finish(h);
        }
        if (done instanceof List<?> list) {
            for (Object o : list) {
                Ticket t = (Ticket) o;
                owners.put(t.id(), t.owner());
                tickets.add(t.id());
            }
        }
    }

    private void list(Worker w, TicketId t, SplittableRandom r) {
        BuyerId owner = owners.get(t);
        BuyerId seller = owner == null || r.nextInt(6) == 0 ? buyer(r) : owner;
        long face = 12_000;
        long ask = 1 + r.nextLong(face * 130 / 100); // some above the 120% cap of the cheaper sections
        ListingRequest req = ListingRequest.of(t, seller, ask).withListingId(
                ListingId.of(new UUID(r.nextLong(), r.nextLong())));
        Object done = act(w, Kind.LIST, op -> {
            op.listing = req.listingId().orElseThrow();
            op.ticket = t;
            op.buyer = seller;
            op.ask = ask;
        }, () -> w.client.listForResale(req));
        if (done instanceof Listing || done == UNKNOWN) {
            sellers.put(req.listingId().orElseThrow(), seller);
            listings.add(req.listingId().orElseThrow(), done != UNKNOWN);
        }
    }

    private void buy(Worker w, ListingId l, BuyerId buyer) {
        Object done = act(w, Kind.BUY, op -> {
            op.listing = l;
            op.buyer = buyer;
        }, () -> w.client.buyListing(l, buyer));
        if (done instanceof Listing listing) {
            owners.put(listing.ticket(), buyer);
        }
    }

    private void read(Worker w, SplittableRandom r) {
        int what = r.nextInt(3);
        if (what == 0) {
            HoldId h = holds.pickAcknowledged(r);
            if (h != null) {
                Object found = act(w, Kind.READ, op -> op.hold = h, () -> w.client.findHold(h).isPresent());
                if (Boolean.FALSE.equals(found)) {
                    problems.add("hold " + h + " was acknowledged but a later read did not find it");
                }
            }
        } else if (what == 1) {
            TicketId t = tickets.pickAcknowledged(r);
            if (t != null) {
                Object found = act(w, Kind.READ, op -> op.ticket = t, () -> w.client.findTicket(t).isPresent());
                if (Boolean.FALSE.equals(found)) {
                    problems.add("ticket " + t + " was returned by a confirm but a later read did not find it");
                }
            }
        } else {
            SectionId s = r.nextBoolean() ? FLOOR : PIT;
            act(w, Kind.READ, op -> op.section = s, () -> w.client.unitsLeft(event, s));
        }
    }

    private void audit(Worker w) {
        try {
            AuditReport audit = w.client.audit(event);
            audits.incrementAndGet();
            if (!audit.isClean()) {
                problems.add("a mid-run audit was not clean: " + audit.summary());
            }
        } catch (OperationFailedException e) {
            // an audit whose connection was killed says nothing; the next one will
        }
    }

    /** What {@link #act} returns for a call whose outcome stayed unknown. */
    static final Object UNKNOWN = Caller.UNKNOWN;

    private Object act(Worker w, Kind kind, Consumer<Op> args, Supplier<?> call) {
        return w.caller.call(kind, args, call);
    }

    /**
     * The most recent ids callers heard of, in a ring: adding never blocks and never grows, picking is random.
     * Acknowledged and maybe-existing ids are kept apart so reads can require the acknowledged ones. Ids whose life
     * is over (a confirmed hold, a refunded ticket, a settled listing) are mostly passed over, so most calls act on
     * live objects; now and then one is picked anyway, and repeating finished work must be harmless.
     */
    static final class Recent<T> {
        private final AtomicReferenceArray<Object[]> slots;
        private final AtomicLong count = new AtomicLong();
        private final Set<T> finished = ConcurrentHashMap.newKeySet();

        void finish(T id) {
            finished.add(id);
        }

        Recent(int size) {
            slots = new AtomicReferenceArray<>(size);
        }

        void add(T id) {
            add(id, true);
        }

        void add(T id, boolean acknowledged) {
            slots.set((int) (count.getAndIncrement() % slots.length()), new Object[] {id, acknowledged});
        }

        @SuppressWarnings("unchecked")
        T pick(SplittableRandom r) {
            long n = Math.min(count.get(), slots.length());
            if (n == 0) {
                return null;
            }
            T picked = null;
            for (int tries = 0; tries < 4; tries++) {
                Object[] slot = slots.get(r.nextInt((int) n));
                picked = slot == null ? null : (T) slot[0];
                if (picked != null && !finished.contains(picked)) {
                    return picked;
                }
            }
            return picked;
        }

        @SuppressWarnings("unchecked")
        T pickAcknowledged(SplittableRandom r) {
            long n = Math.min(count.get(), slots.length());
            if (n == 0) {
                return null;
            }
            Object[] slot = slots.get(r.nextInt((int) n));
            return slot == null || !(Boolean) slot[1] ? null : (T) slot[0];
        }
    }
}

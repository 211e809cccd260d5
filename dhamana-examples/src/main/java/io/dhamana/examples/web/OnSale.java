package io.dhamana.examples.web;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Listing;
import io.dhamana.ListingRequest;
import io.dhamana.Outcome;
import io.dhamana.Seat;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.Verification;
import io.dhamana.VerificationStatus;
import io.dhamana.engine.EngineStore;
import io.dhamana.examples.breakit.BreakIt;
import io.dhamana.spi.TicketStore;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the command center does, over the SDK's public API and nothing else: the main floor (an 8 x 12 seat
 * map that "me", a fixed verified demo buyer, buys from), my tickets and their resale, Break it stampedes on
 * scratch copies of the floor, general-admission drops, and the audits that prove it all from committed rows.
 * Answers are plain maps ready for {@link Json}; failures are {@link ApiError}s.
 *
 * <p>Thread-safe: the client is thread-safe, the few pieces of state here are concurrent or volatile, one Break it
 * run and one drop run at a time (a second is refused as busy rather than queued).
 */
final class OnSale implements AutoCloseable {
    static final SectionId STALLS = SectionId.of("stalls");
    static final int ROWS = 8;
    static final int SEATS_PER_ROW = 12;
    static final long FACE_VALUE_MINOR = 15_000;
    static final int RESALE_CAP_PERCENT = 110;
    static final int PER_BUYER_CAP = 4;
    static final BuyerId ME = BuyerId.of("me");
    static final int MAX_STAMPEDE = 60;
    static final int MAX_BUCKETS = 64;
    static final int MAX_DROP_SECONDS = 30;
    /** The naive app's time between its count and its insert: one network round trip to the database. */
    static final Duration NAIVE_GAP = Duration.ofMillis(20);
    private static final int KEPT_DROPS = 4;
    private static final URI MY_EVIDENCE = URI.create("https://verify.example/fans/me");
    /** Seats other fans bought before the page opened, so the floor shows every state at a glance. */
    private static final List<String> CROWD_SOLD = List.of("A-3", "A-4", "A-5", "A-6", "A-7", "A-8", "A-9", "A-10",
            "B-5", "B-6", "B-7", "B-8", "C-6", "C-7", "D-1", "E-12", "G-6", "H-2");
    /** Seats other fans hold in checkout; unpaid, they expire back to sale after {@link #CROWD_HOLD_TTL}. */
    private static final List<String> CROWD_HELD = List.of("B-9", "B-10", "C-8", "D-4", "F-6", "F-7");
    private static final Duration CROWD_HOLD_TTL = Duration.ofMinutes(30);

    private final TicketStore store;
    private final TicketingClient client;
    private final EventId floor;
    private final String suffix;
    private final Set<SeatId> seatSet = Set.copyOf(SeatMap.grid(ROWS, SEATS_PER_ROW));
    private final Map<TicketId, Listing> listings = new ConcurrentHashMap<>();
    private final AtomicInteger runs = new AtomicInteger();
    private final ReentrantLock breakItLock = new ReentrantLock();
    private volatile Map<String, Object> lastGuarded;
    private volatile Map<String, Object> lastNaive;
    private volatile EventId lastScratch;
    private final Deque<GaDrop> drops = new ArrayDeque<>(); // guarded by itself
    private final ExecutorService dropRunner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ga-drop-runner");
        t.setDaemon(true);
        return t;
    });

    /** Creates a fresh floor event on {@code store} (which this does not close) and verifies "me" for it. */
    OnSale(TicketStore store) {
        this.store = store;
        this.client = TicketingClient.builder().store(store).name("command-center").build();
        // A fresh id per start: on PostgreSQL an earlier run's floor and tickets stay where they were.
        this.suffix = Long.toString(System.currentTimeMillis(), 36);
        this.floor = EventId.of("on-sale-" + suffix);
        try {
            client.createEvent(floorSpec(floor, "On-sale floor"));
            client.verifyFan(floor, ME, MY_EVIDENCE).value();
            seatTheCrowd();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Other fans buy and hold a few seats through the same API "me" uses. */
    private void seatTheCrowd() {
        int n = 0;
        for (String seat : CROWD_SOLD) {
            Hold h = crowdHold(seat, n++, Duration.ofMinutes(10));
            client.confirm(h.id()).value();
        }
        for (String seat : CROWD_HELD) {
            crowdHold(seat, n++, CROWD_HOLD_TTL);
        }
    }

    private Hold crowdHold(String seat, int n, Duration ttl) {
        BuyerId fan = BuyerId.of("fan-" + n);
        client.verifyFan(floor, fan, URI.create("https://verify.example/fans/" + fan.value())).value();
        return client.hold(HoldRequest.seat(floor, STALLS, SeatId.of(seat), fan).withTtl(ttl)).value();
    }

    private static EventSpec floorSpec(EventId id, String name) {
        return EventSpec.builder(id).name(name).perBuyerCap(PER_BUYER_CAP).resaleCapPercent(RESALE_CAP_PERCENT)
                .reservedSeating(STALLS.value(), SeatMap.grid(ROWS, SEATS_PER_ROW), FACE_VALUE_MINOR).build();
    }

    // ------------------------------------------------------------------ the floor

    /** The seat map with each seat's state, and which seats are mine. */
    Map<String, Object> floorJson() {
        Set<String> mine = new HashSet<>();
        for (Ticket t : client.ticketsOf(floor, ME)) {
            if (t.state() != TicketState.REFUNDED) {
                t.seat().ifPresent(s -> mine.add(s.value()));
            }
        }
        int used = client.verification(floor, ME).map(Verification::used).orElse(0);
        return Json.obj("event", floor.value(), "section", STALLS.value(), "rows", ROWS,
                "seatsPerRow", SEATS_PER_ROW, "faceValueMinor", FACE_VALUE_MINOR,
                "resaleCapPercent", RESALE_CAP_PERCENT, "resaleCapMinor", FACE_VALUE_MINOR * RESALE_CAP_PERCENT / 100,
                "perBuyerCap", PER_BUYER_CAP, "me", ME.value(), "used", used,
                "seats", seatsJson(client.seats(floor, STALLS), mine));
    }

    private static List<Object> seatsJson(List<Seat> seats, Set<String> mine) {
        List<Object> out = new ArrayList<>(seats.size());
        for (Seat s : seats) {
            out.add(Json.obj("id", s.id().value(), "state", s.state(), "mine", mine.contains(s.id().value())));
        }
        return out;
    }

    /** The seat named by {@code text}, which must be one of the floor's 96. */
    SeatId seat(String text) {
        if (text.length() <= 4 && text.matches("[A-Z]-[0-9]{1,2}")) {
            SeatId id = SeatId.of(text);
            if (seatSet.contains(id)) {
                return id;
            }
        }
        throw ApiError.badRequest("seat must name a seat of the map, A-1 to "
                + SeatMap.rowName(ROWS - 1) + "-" + SEATS_PER_ROW + ", was '" + Params.shorten(text) + "'");
    }

    /**
     * Buys a seat for "me": verification (refreshed if it was ever revoked), a hold on the seat's row, then payment.
     *
     * @throws ApiError refused with the store's rejection (seat taken, cap reached...)
     */
    Map<String, Object> buy(SeatId seat) {
        List<Object> steps = new ArrayList<>();
        Optional<Verification> v = client.verification(floor, ME);
        if (v.isEmpty() || v.get().status() != VerificationStatus.VERIFIED) {
            client.verifyFan(floor, ME, MY_EVIDENCE).value();
        }
        steps.add("verified: " + ME.value() + " (evidence " + MY_EVIDENCE + ")");
        Hold hold = require(client.hold(HoldRequest.seat(floor, STALLS, seat, ME)));
        steps.add("held " + seat.value() + " (hold " + hold.id() + ")");
        Outcome<List<Ticket>> paid = client.confirm(hold.id());
        if (!paid.isOk()) {
            client.release(hold.id()); // give the seat back rather than leave it held until it expires
        }
        Ticket ticket = require(paid).get(0);
        steps.add("confirmed: paid $" + dollars(hold.totalPriceMinor()) + ", code " + ticket.code());
        return Json.obj("seat", seat.value(), "hold", hold.id().toString(), "ticket", ticketJson(ticket),
                "steps", steps);
    }

    /** My tickets at the floor (refunded ones too), with any listing I made. */
    Map<String, Object> ticketsJson() {
        List<Object> out = new ArrayList<>();
        for (Ticket t : client.ticketsOf(floor, ME)) {
            out.add(ticketJson(t));
        }
        return Json.obj("me", ME.value(), "tickets", out);
    }

    private Map<String, Object> ticketJson(Ticket t) {
        Listing l = listings.get(t.id());
        return Json.obj("id", t.id().toString(), "seat", t.seat().map(SeatId::value).orElse(""),
                "state", t.state(), "code", t.code(), "faceValueMinor", t.faceValueMinor(),
                "listing", l == null || t.state() != TicketState.LISTED ? null : listingJson(l));
    }

    private static Map<String, Object> listingJson(Listing l) {
        return Json.obj("id", l.id().toString(), "askMinor", l.askMinor(), "capMinor", l.capMinor(),
                "state", l.state());
    }

    /** One of my tickets at the floor; a ticket that exists but is not mine is reported as absent. */
    TicketId myTicket(UUID id) {
        TicketId ticket = TicketId.of(id);
        for (Ticket t : client.ticketsOf(floor, ME)) {
            if (t.id().equals(ticket)) {
                return ticket;
            }
        }
        throw ApiError.notFound("you have no ticket " + id);
    }

    /** Refunds one of my tickets: the seat goes back on sale and the money back to me. */
    Map<String, Object> refund(TicketId ticket) {
        return Json.obj("ticket", ticketJson(require(client.refund(ticket))));
    }

    /**
     * Lists one of my tickets at {@code askMinor}. The ask is not checked against the cap here: the store's
     * constraint refuses it at commit, and that refusal is what the page shows.
     */
    Map<String, Object> listForResale(TicketId ticket, long askMinor) {
        Listing l = require(client.listForResale(ListingRequest.of(ticket, ME, askMinor)));
        listings.put(ticket, l);
        return Json.obj("listing", listingJson(l));
    }

    /** Takes my listing of {@code ticket} off sale. */
    Map<String, Object> withdraw(TicketId ticket) {
        Listing l = listings.get(ticket);
        if (l == null) {
            throw ApiError.notFound("ticket " + ticket + " has no listing");
        }
        Listing w = require(client.withdrawListing(l.id(), ME));
        listings.remove(ticket);
        return Json.obj("listing", listingJson(w));
    }

    // ------------------------------------------------------------------ Break it

    /**
     * Fires {@code buyers} verified buyers from two regions at one seat of a fresh copy of the floor (a new event
     * per run, so the real floor and its audit stay clean), then reports the holders counted from committed rows.
     *
     * @throws ApiError busy if another Break it run is going
     */
    Map<String, Object> breakIt(SeatId seat, int buyers, BreakIt.Mode mode) throws InterruptedException {
        if (!breakItLock.tryLock()) {
            throw ApiError.busy("a Break it run is already going; try again when it finishes");
        }
        try {
            int run = runs.incrementAndGet();
            EventId scratch = EventId.of("break-it-" + run + "-" + suffix);
            client.createEvent(floorSpec(scratch, "Break it run " + run + " (scratch copy of the floor)"));
            String runId = "bk" + run;
            BreakIt.Result r;
            try {
                r = BreakIt.run(store, scratch, STALLS, seat, buyers, mode, runId, FACE_VALUE_MINOR, NAIVE_GAP);
            } catch (IllegalStateException e) {
                // For example a database that aborts the naive buyers' transactions instead of letting them commit.
                lastScratch = scratch;
                Throwable cause = e;
                while (cause.getCause() != null
                        && (cause instanceof IllegalStateException || cause instanceof ExecutionException)) {
                    cause = cause.getCause();
                }
                throw ApiError.runFailed("the " + mode.name().toLowerCase(Locale.ROOT) + " stampede on " + scratch
                        + " stopped: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
            }
            List<Object> holders = new ArrayList<>();
            for (BuyerId b : r.holders()) {
                holders.add(Json.obj("buyer", b.value(), "region", region(b, runId)));
            }
            Map<String, Object> json = Json.obj("run", run, "mode", mode, "event", scratch.value(),
                    "seat", seat.value(), "buyers", r.buyers(), "appWinners", r.appWinners(),
                    "holders", holders, "holderCount", r.holders().size(), "extraHolders", r.extraHolders(),
                    "damageMinor", r.damageMinor(), "faceValueMinor", FACE_VALUE_MINOR,
                    "elapsedMs", r.elapsed().toNanos() / 1e6,
                    "seats", seatsJson(client.seats(scratch, STALLS), Set.of()),
                    "audit", auditJson(r.audit()));
            lastScratch = scratch;
            if (mode == BreakIt.Mode.GUARDED) {
                lastGuarded = json;
            } else {
                lastNaive = json;
            }
            return json;
        } finally {
            breakItLock.unlock();
        }
    }

    /** BreakIt sends buyer i from the east when i is even, from the west when odd. */
    private static String region(BuyerId buyer, String runId) {
        String v = buyer.value();
        if (v.startsWith(runId + "-")) {
            try {
                return Integer.parseInt(v.substring(runId.length() + 1)) % 2 == 0 ? "east" : "west";
            } catch (NumberFormatException e) {
                return "?";
            }
        }
        return "?";
    }

    /** The last guarded and naive runs (either may be null). */
    Map<String, Object> lastBreakIts() {
        return Json.obj("guarded", lastGuarded, "naive", lastNaive);
    }

    // ------------------------------------------------------------------ GA drop

    /**
     * Starts a GA drop over {@code buckets} stock rows for {@code seconds} seconds in the background.
     *
     * @throws ApiError busy if a drop is running
     */
    Map<String, Object> startDrop(int buckets, int seconds) {
        GaDrop drop;
        synchronized (drops) {
            if (!drops.isEmpty() && drops.peekLast().running()) {
                throw ApiError.busy("a drop is already running; wait for it to finish");
            }
            drop = new GaDrop(runs.incrementAndGet(), buckets, seconds, suffix);
            drops.addLast(drop);
            while (drops.size() > KEPT_DROPS) {
                drops.removeFirst();
            }
        }
        // On the engine a drop gets its own store, freed when it ends; on a database it shares the main one.
        boolean ownStore = store instanceof EngineStore;
        dropRunner.execute(() -> drop.run(ownStore ? EngineStore.create() : store, ownStore));
        return drop.toJson();
    }

    /** The last few drops, oldest first, the newest possibly still running. */
    Map<String, Object> dropsJson() {
        List<GaDrop> copy;
        synchronized (drops) {
            copy = List.copyOf(drops);
        }
        List<Object> out = new ArrayList<>();
        boolean running = false;
        for (GaDrop d : copy) {
            out.add(d.toJson());
            running |= d.running();
        }
        return Json.obj("running", running, "runs", out);
    }

    // ------------------------------------------------------------------ proof

    /**
     * The audit of the floor or of the last Break it scratch event, read from committed rows now, or the audit the
     * newest drop took from committed rows when it ended.
     *
     * @throws ApiError not found if there is no such run yet, busy while the drop runs
     */
    Map<String, Object> audit(String scope) {
        AuditReport report;
        EventId event;
        if (scope.equals("drop")) {
            GaDrop drop;
            synchronized (drops) {
                drop = drops.peekLast();
            }
            if (drop == null) {
                throw ApiError.notFound("no drop run yet");
            }
            if (drop.running()) {
                throw ApiError.busy("drop " + drop.id() + " is still running; it is audited when it ends");
            }
            if (drop.audit() == null) {
                throw ApiError.notFound("drop " + drop.id() + " stopped early: " + drop.failure());
            }
            report = drop.audit();
            event = drop.event();
        } else {
            event = scope.equals("breakit") ? lastScratch : floor;
            if (event == null) {
                throw ApiError.notFound("no Break it run yet");
            }
            report = client.audit(event);
        }
        Map<String, Object> json = auditJson(report);
        json.put("scope", scope);
        json.put("event", event.value());
        return json;
    }

    /** An audit's figures, its reconciliation and its contested seats. */
    static Map<String, Object> auditJson(AuditReport a) {
        List<Object> contested = new ArrayList<>();
        for (AuditReport.SeatClaims c : a.contestedSeats()) {
            contested.add(Json.obj("seat", c.seat().value(), "claimants",
                    c.claimants().stream().map(BuyerId::value).toList()));
        }
        boolean reconciles = a.unitsHeldEver() == a.outstandingUnits() + a.unitsReleased() + a.unitsRefunded();
        return Json.obj("capacity", a.capacity(), "sold", a.soldUnits(), "held", a.heldUnits(),
                "remaining", a.remaining(), "oversold", a.oversoldUnits(), "doubleBookedSeats", a.doubleBookedSeats(),
                "doubleSoldTickets", a.doubleSoldTickets(), "negativeBuckets", a.negativeBuckets(),
                "stockDrift", a.stockDrift(), "seatStateMismatches", a.seatStateMismatches(),
                "ledgerDrift", a.ledgerDrift(), "allowanceDrift", a.allowanceDrift(),
                "capViolations", a.capViolations(), "moneyImbalanceMinor", a.moneyImbalanceMinor(),
                "unbalancedOperations", a.unbalancedOperations(), "escrowDrift", a.escrowDrift(),
                "unitsHeldEver", a.unitsHeldEver(), "outstanding", a.outstandingUnits(),
                "unitsReleased", a.unitsReleased(), "unitsRefunded", a.unitsRefunded(),
                "reconciles", reconciles, "clean", a.isClean(), "contestedSeats", contested);
    }

    // ------------------------------------------------------------------ helpers

    private static <T> T require(Outcome<T> outcome) {
        if (outcome instanceof Outcome.Rejected<T> r) {
            throw ApiError.refused(r.rejection());
        }
        return outcome.value();
    }

    static String dollars(long minor) {
        return String.format(Locale.ROOT, "%d.%02d", minor / 100, minor % 100);
    }

    /** Stops a running drop and closes the client (not the store). */
    @Override
    public void close() {
        dropRunner.shutdownNow();
        try {
            dropRunner.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}

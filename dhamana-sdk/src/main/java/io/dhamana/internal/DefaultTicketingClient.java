package io.dhamana.internal;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.ClientActivity;
import io.dhamana.ClientConfig;
import io.dhamana.Event;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.InvalidRequestException;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingRequest;
import io.dhamana.NotFoundException;
import io.dhamana.Operation;
import io.dhamana.OperationFailedException;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.RetriesExhaustedException;
import io.dhamana.Seat;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;
import io.dhamana.SectionSpec;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketingClient;
import io.dhamana.Verification;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.Writes;
import io.dhamana.spi.TxMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/** The client: validates, picks buckets, and runs each operation's recipe inside the retry loop. */
public final class DefaultTicketingClient implements TicketingClient {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultTicketingClient.class);

    /** Rows per transaction when creating events: far below DSQL's 3,000-row limit. */
    static final int CREATE_BATCH_ROWS = 1_000;
    /** Holds expired, released or tickets refunded per transaction: a few hundred rows, far below DSQL's 3,000. */
    static final int BULK_BATCH = io.dhamana.Limits.BULK_BATCH;

    private final ClientConfig config;
    private final RetryLoop loop;
    private final Catalog catalog;
    private final Keys keys;
    private final HoldCombiner combiner;
    private final ScheduledExecutorService sweeper;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder holdsOutstanding = new LongAdder();

    public DefaultTicketingClient(ClientConfig config) {
        this.config = config;
        this.loop = new RetryLoop(config.store(), config.retryPolicy(), Listeners.of(config.listeners()),
                config.ticker(), config.sleeper(), config.random());
        this.catalog = new Catalog(loop);
        this.keys = new Keys(config.store().keyStrategy());
        boolean combines = config.combining() && config.store().combiningPays();
        if (config.combining() && !combines) {
            LOG.info("Dhamana client '{}': combining is on, but {} serves a hold faster than a waiting caller can be"
                    + " woken; holds run one transaction each", config.name(), config.store().description());
        }
        this.combiner = combines ? new HoldCombiner(loop, config) : null;
        loop.listener().onClientStarted(this); // before the sweeper's first call, so listeners see every call
        if (config.expirySweepInterval().isZero()) {
            this.sweeper = null;
        } else {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, config.name() + "-expiry-sweeper");
                t.setDaemon(true);
                return t;
            });
            long every = config.expirySweepInterval().toMillis();
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
        }
        LOG.info("Dhamana client '{}' started on {}", config.name(), config.store().description());
    }

    @Override
    public ClientConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ events

    @Override
    public Event createEvent(EventSpec spec) {
        Checks.notNull("spec", spec);
        ensureOpen();
        EventId id = spec.id();
        Optional<Catalog.EventInfo> existing = catalog.find(id);
        if (existing.isPresent()) {
            return sameOrThrow(spec, existing.get().event());
        }
        OperationKey key = Keys.derived("create-event", id.value());
        List<SectionRow> sections = new ArrayList<>();
        for (int i = 0; i < spec.sections().size(); i++) {
            SectionSpec s = spec.sections().get(i);
            if (s instanceof SectionSpec.GeneralAdmission ga) {
                sections.add(new SectionRow(id, ga.id(), SectionKind.GENERAL_ADMISSION, ga.capacity(), ga.buckets(),
                        ga.faceValueMinor(), i));
            } else if (s instanceof SectionSpec.ReservedSeating rs) {
                sections.add(new SectionRow(id, rs.id(), SectionKind.RESERVED_SEATING, rs.seats().size(), 1,
                        rs.faceValueMinor(), i));
            }
        }
        // Sections, buckets and seats first, in idempotent batches; the event row last, so the event is visible
        // (and cached) only when complete.
        loop.run(Operation.CREATE_EVENT, key, TxMode.READ_WRITE, (tx, a) -> {
            // A create of this id that did not finish, or a rival creating it now, may have left other sections or
            // seats: refuse before writing anything, so that the refused call writes nothing.
            Reads r = tx.reads();
            Read<List<SectionRow>> written = r.sections(id);
            List<Read<List<SeatRow>>> seats = new ArrayList<>();
            for (SectionSpec s : spec.sections()) {
                seats.add(s instanceof SectionSpec.ReservedSeating rs ? r.seats(id, rs.id()) : null);
            }
            r.fetch();
            boolean same = written.get().isEmpty() || written.get().equals(sections);
            for (int i = 0; same && i < spec.sections().size(); i++) {
                if (spec.sections().get(i) instanceof SectionSpec.ReservedSeating rs) {
                    // Seats are written in batches, so an unfinished create may have left some: they must be ours.
                    Set<SeatId> ours = new HashSet<>(rs.seats());
                    same = seats.get(i).get().stream().allMatch(seat -> ours.contains(seat.seat()));
                }
            }
            if (!same) {
                throw new InvalidRequestException("spec", "event " + id + " already has sections or seats with other"
                        + " settings (from a create of it that did not finish, or a concurrent one); repeat that"
                        + " create exactly, or use another id");
            }
            if (written.get().isEmpty()) {
                Writes w = tx.writes();
                sections.forEach(w::insertSection);
            }
            return null;
        });
        for (SectionSpec s : spec.sections()) {
            if (s instanceof SectionSpec.GeneralAdmission ga) {
                List<BucketRow> buckets = new ArrayList<>(ga.buckets());
                int base = ga.capacity() / ga.buckets();
                int extra = ga.capacity() % ga.buckets();
                for (int b = 0; b < ga.buckets(); b++) {
                    buckets.add(new BucketRow(id, ga.id(), b, base + (b < extra ? 1 : 0)));
                }
                inBatches(key, buckets, (tx, batch) -> tx.writes().insertBuckets(batch));
            } else if (s instanceof SectionSpec.ReservedSeating rs) {
                List<SeatRow> seats = rs.seats().stream()
                        .map(seat -> new SeatRow(id, rs.id(), seat, SeatState.AVAILABLE, Optional.empty()))
                        .toList();
                inBatches(key, seats, (tx, batch) -> tx.writes().insertSeats(batch));
            }
        }
        loop.run(Operation.CREATE_EVENT, key, TxMode.READ_WRITE, (tx, a) -> {
            Reads r = tx.reads();
            Read<Optional<EventRow>> event = r.event(id);
            r.fetch();
            if (event.get().isEmpty()) {
                Writes w = tx.writes();
                w.insertEvent(new EventRow(id, spec.name(), spec.perBuyerCap(), spec.resaleCapBps()));
                w.insertOperation(new OperationRow(key, Operation.CREATE_EVENT, id, id.value(), Recipes.SYSTEM, 0, 0));
            }
            return null;
        });
        Event created = sameOrThrow(spec, catalog.require(id).event());
        LOG.info("created event {} with {} section(s), capacity {}", id, created.sections().size(),
                created.capacity());
        return created;
    }

    private interface BatchWrite<R> {
        void write(StoreTransaction tx, List<R> batch);
    }

    private <R> void inBatches(OperationKey key, List<R> rows, BatchWrite<R> write) {
        for (int from = 0; from < rows.size(); from += CREATE_BATCH_ROWS) {
            List<R> batch = rows.subList(from, Math.min(rows.size(), from + CREATE_BATCH_ROWS));
            loop.run(Operation.CREATE_EVENT, key, TxMode.READ_WRITE, (tx, a) -> {
                write.write(tx, batch);
                return null;
            });
        }
    }

    private Event sameOrThrow(EventSpec spec, Event existing) {
        boolean same = existing.name().equals(spec.name()) && existing.perBuyerCap() == spec.perBuyerCap()
                && existing.resaleCapBps() == spec.resaleCapBps()
                && existing.sections().size() == spec.sections().size();
        for (int i = 0; same && i < spec.sections().size(); i++) {
            SectionSpec s = spec.sections().get(i);
            var e = existing.sections().get(i);
            same = e.id().equals(s.id()) && e.faceValueMinor() == s.faceValueMinor()
                    && (s instanceof SectionSpec.GeneralAdmission ga
                    ? e.kind() == SectionKind.GENERAL_ADMISSION && e.capacity() == ga.capacity()
                    && e.buckets() == ga.buckets()
                    : e.kind() == SectionKind.RESERVED_SEATING
                    && e.capacity() == ((SectionSpec.ReservedSeating) s).seats().size()
                    && seatIds(spec.id(), s.id()).equals(((SectionSpec.ReservedSeating) s).seats()));
        }
        if (!same) {
            throw new InvalidRequestException("spec", "event " + spec.id() + " already exists with other settings");
        }
        return existing;
    }

    private List<SeatId> seatIds(EventId event, SectionId section) {
        return read(r -> r.seats(event, section)).stream().map(SeatRow::seat).toList();
    }

    @Override
    public Optional<Event> event(EventId event) {
        Checks.notNull("event", event);
        ensureOpen();
        return catalog.find(event).map(Catalog.EventInfo::event);
    }

    // ------------------------------------------------------------------ verification

    @Override
    public Outcome<Verification> verifyFan(EventId event, BuyerId buyer, URI evidence) {
        Checks.notNull("event", event);
        Checks.notNull("buyer", buyer);
        String proof = Checks.evidence("evidence", evidence).toString();
        ensureOpen();
        OperationKey key = OperationKey.of(keys.next());
        int cap = beforeCall(Operation.VERIFY_FAN, key, () -> catalog.require(event)).row().perBuyerCap();
        return loop.run(Operation.VERIFY_FAN, key, TxMode.READ_WRITE,
                (tx, a) -> VerificationRecipes.verify(tx, key, event, buyer, proof, cap, a > 1));
    }

    @Override
    public Outcome<Verification> revokeFan(EventId event, BuyerId buyer) {
        Checks.notNull("event", event);
        Checks.notNull("buyer", buyer);
        ensureOpen();
        OperationKey key = OperationKey.of(keys.next());
        beforeCall(Operation.REVOKE_FAN, key, () -> catalog.require(event));
        return loop.run(Operation.REVOKE_FAN, key, TxMode.READ_WRITE,
                (tx, a) -> VerificationRecipes.revoke(tx, key, event, buyer, a > 1));
    }

    @Override
    public Optional<Verification> verification(EventId event, BuyerId buyer) {
        Checks.notNull("event", event);
        Checks.notNull("buyer", buyer);
        ensureOpen();
        return read(r -> r.allowance(event, buyer)).map(Rows::verification);
    }

    // ------------------------------------------------------------------ primary sale

    @Override
    public ClientActivity activity() {
        return new ClientActivity(catalog.admissionWaiters(), Math.max(0, holdsOutstanding.intValue()));
    }

    @Override
    public Outcome<Hold> hold(HoldRequest request) {
        holdsOutstanding.increment();
        try {
            return holdNow(request);
        } finally {
            holdsOutstanding.decrement();
        }
    }

    private Outcome<Hold> holdNow(HoldRequest request) {
        Checks.notNull("request", request);
        ensureOpen();
        HoldId id = request.holdId().orElseGet(() -> HoldId.of(keys.next()));
        SectionState section = beforeCall(Operation.HOLD, OperationKey.of(id.value()),
                () -> catalog.section(request.event(), request.section()));
        if (section.isGeneralAdmission()) {
            if (request.seat().isPresent()) {
                throw new InvalidRequestException("seat", "must be empty: section " + request.section()
                        + " is general admission");
            }
            if (request.units() > section.row().capacity()) {
                throw new InvalidRequestException("units", "must not exceed the capacity of section "
                        + request.section() + " (" + section.row().capacity() + "), was " + request.units());
            }
        } else if (request.seat().isEmpty()) {
            throw new InvalidRequestException("seat", "must name a seat: section " + request.section()
                    + " is reserved seating");
        }
        Duration ttl = request.ttl().orElse(config.defaultHoldTtl());
        if (combiner != null && section.isGeneralAdmission()) {
            return combiner.hold(section, id, request.buyer(), request.units(), ttl, request.holdId().isPresent());
        }
        return HoldCall.run(loop, config.bucketSelection(), config.admissionPerBucket(), section, id, request.seat(),
                request.buyer(), request.units(), ttl, request.holdId().isPresent());
    }

    @Override
    public Outcome<Hold> release(HoldId hold) {
        Checks.notNull("hold", hold);
        ensureOpen();
        return loop.run(Operation.RELEASE, Keys.derived("release", hold), TxMode.READ_WRITE,
                (tx, a) -> LifecycleRecipes.release(tx, hold));
    }

    @Override
    public Outcome<List<Ticket>> confirm(HoldId hold) {
        Checks.notNull("hold", hold);
        ensureOpen();
        return loop.run(Operation.CONFIRM, Keys.derived("confirm", hold), TxMode.READ_WRITE,
                (tx, a) -> LifecycleRecipes.confirm(tx, hold));
    }

    @Override
    public Outcome<Ticket> refund(TicketId ticket) {
        Checks.notNull("ticket", ticket);
        ensureOpen();
        return loop.run(Operation.REFUND, Keys.derived("refund", ticket), TxMode.READ_WRITE,
                (tx, a) -> LifecycleRecipes.refund(tx, ticket));
    }

    @Override
    public int expireHolds() {
        ensureOpen();
        int total = 0;
        int expired;
        do {
            expired = loop.run(Operation.EXPIRE_HOLDS, null, TxMode.READ_WRITE,
                    (tx, a) -> LifecycleRecipes.expireBatch(tx, BULK_BATCH));
            total += expired;
        } while (expired == BULK_BATCH && !closed.get());
        return total;
    }

    @Override
    public int releaseHolds(EventId event) {
        Checks.notNull("event", event);
        ensureOpen();
        catalog.require(event);
        return inBatches(Operation.RELEASE, tx -> LifecycleRecipes.releaseBatch(tx, event, BULK_BATCH));
    }

    @Override
    public int refundAll(EventId event) {
        Checks.notNull("event", event);
        ensureOpen();
        catalog.require(event);
        return inBatches(Operation.REFUND, tx -> LifecycleRecipes.refundBatch(tx, event, BULK_BATCH));
    }

    /** Runs a bulk operation batch after batch until a batch comes back short. */
    private int inBatches(Operation op, Function<StoreTransaction, Integer> batch) {
        int total = 0;
        int done;
        do {
            done = loop.run(op, null, TxMode.READ_WRITE, (tx, a) -> batch.apply(tx));
            total += done;
        } while (done == BULK_BATCH && !closed.get());
        return total;
    }

    private void sweepQuietly() {
        try {
            int n = expireHolds();
            if (n > 0) {
                LOG.debug("expiry sweep returned the stock of {} hold(s)", n);
            }
        } catch (RuntimeException e) {
            if (!closed.get()) {
                LOG.warn("expiry sweep failed; will try again in {}", config.expirySweepInterval(), e);
            }
        }
    }

    // ------------------------------------------------------------------ resale

    @Override
    public Outcome<Listing> listForResale(ListingRequest request) {
        Checks.notNull("request", request);
        ensureOpen();
        ListingId id = request.listingId().orElseGet(() -> ListingId.of(keys.next()));
        OperationKey key = OperationKey.of(id.value());
        // The cap is read from the catalog (cached) to refuse a high ask before writing; the store derives the same
        // cap from its own rows, and its constraint is the last line.
        return loop.run(Operation.LIST_FOR_RESALE, key, TxMode.READ_WRITE,
                (tx, a) -> ResaleRecipes.list(tx, id, request.ticket(), request.seller(), request.askMinor(),
                        event -> catalog.cached(event).map(e -> OptionalInt.of(e.row().resaleCapBps()))
                                .orElse(OptionalInt.empty()),
                        a > 1 || request.listingId().isPresent()));
    }

    @Override
    public Outcome<Listing> withdrawListing(ListingId listing, BuyerId seller) {
        Checks.notNull("listing", listing);
        Checks.notNull("seller", seller);
        ensureOpen();
        return loop.run(Operation.WITHDRAW_LISTING, Keys.derived("withdraw", listing), TxMode.READ_WRITE,
                (tx, a) -> ResaleRecipes.withdraw(tx, listing, seller));
    }

    @Override
    public Outcome<Listing> buyListing(ListingId listing, BuyerId buyer) {
        Checks.notNull("listing", listing);
        Checks.notNull("buyer", buyer);
        ensureOpen();
        return loop.run(Operation.BUY_LISTING, Keys.derived("buy", listing, buyer.value()), TxMode.READ_WRITE,
                (tx, a) -> ResaleRecipes.buy(tx, listing, buyer));
    }

    @Override
    public Outcome<Listing> settle(ListingId listing) {
        Checks.notNull("listing", listing);
        ensureOpen();
        return loop.run(Operation.SETTLE, Keys.derived("settle", listing), TxMode.READ_WRITE,
                (tx, a) -> ResaleRecipes.settle(tx, listing));
    }

    @Override
    public Outcome<Listing> cancelSale(ListingId listing) {
        Checks.notNull("listing", listing);
        ensureOpen();
        return loop.run(Operation.CANCEL_SALE, Keys.derived("cancel-sale", listing), TxMode.READ_WRITE,
                (tx, a) -> ResaleRecipes.cancelSale(tx, listing));
    }

    // ------------------------------------------------------------------ queries

    @Override
    public long unitsLeft(EventId event, SectionId section) {
        Checks.notNull("event", event);
        Checks.notNull("section", section);
        ensureOpen();
        SectionState s = catalog.section(event, section);
        if (s.isGeneralAdmission()) {
            return read(r -> r.buckets(event, section)).stream().mapToLong(BucketRow::remaining).sum();
        }
        return read(r -> r.seats(event, section)).stream().filter(r -> r.state() == SeatState.AVAILABLE).count();
    }

    @Override
    public List<Seat> seats(EventId event, SectionId section) {
        Checks.notNull("event", event);
        Checks.notNull("section", section);
        ensureOpen();
        SectionState s = catalog.section(event, section);
        if (s.isGeneralAdmission()) {
            throw new InvalidRequestException("section", section + " is general admission and has no seats");
        }
        return read(r -> r.seats(event, section)).stream().map(r -> new Seat(r.seat(), r.state())).toList();
    }

    @Override
    public List<BuyerId> holdersOf(EventId event, SectionId section, SeatId seat) {
        Checks.notNull("event", event);
        Checks.notNull("section", section);
        Checks.notNull("seat", seat);
        ensureOpen();
        SectionState s = catalog.section(event, section);
        if (s.isGeneralAdmission()) {
            throw new InvalidRequestException("section", section + " is general admission and has no seats");
        }
        return loop.run(Operation.QUERY, null, TxMode.READ_ONLY, (tx, a) -> {
            Reads r = tx.reads();
            Read<Optional<SeatRow>> row = r.seat(event, section, seat);
            Read<List<BuyerId>> claims = r.seatClaims(event, section, seat);
            r.fetch();
            if (row.get().isEmpty()) {
                throw new NotFoundException("seat", event.value() + "/" + section.value() + "/" + seat.value());
            }
            return List.copyOf(claims.get());
        });
    }

    @Override
    public Optional<Hold> findHold(HoldId hold) {
        Checks.notNull("hold", hold);
        ensureOpen();
        return read(r -> r.hold(hold)).map(Rows::hold);
    }

    @Override
    public Optional<Ticket> findTicket(TicketId ticket) {
        Checks.notNull("ticket", ticket);
        ensureOpen();
        return read(r -> r.ticket(ticket)).map(Rows::ticket);
    }

    @Override
    public List<Ticket> ticketsOf(EventId event, BuyerId buyer) {
        Checks.notNull("event", event);
        Checks.notNull("buyer", buyer);
        ensureOpen();
        catalog.require(event);
        return read(r -> r.ticketsOfOwner(event, buyer)).stream().map(Rows::ticket).toList();
    }

    @Override
    public Optional<Listing> findListing(ListingId listing) {
        Checks.notNull("listing", listing);
        ensureOpen();
        return read(r -> r.listing(listing)).map(Rows::listing);
    }

    @Override
    public AuditReport audit() {
        ensureOpen();
        return loop.run(Operation.AUDIT, null, TxMode.READ_ONLY, (tx, a) -> Auditor.audit(tx, Optional.empty()));
    }

    @Override
    public AuditReport audit(EventId event) {
        Checks.notNull("event", event);
        ensureOpen();
        catalog.require(event);
        return loop.run(Operation.AUDIT, null, TxMode.READ_ONLY, (tx, a) -> Auditor.audit(tx, Optional.of(event)));
    }

    /**
     * Runs a read that a mutating call needs before its own transaction (its event's catalog, a ticket's event).
     * If the read fails, the caller hears about the call it made, with that call's key to repeat it by, not about
     * an internal query: nothing was written yet, so the failure carries the read's attempts and cause as they are.
     */
    private static <T> T beforeCall(Operation op, OperationKey key, Supplier<T> read) {
        try {
            return read.get();
        } catch (RetriesExhaustedException e) {
            RetriesExhaustedException failure = new RetriesExhaustedException(op, key, e.attempts(),
                    "a read it needed first did not succeed: " + e.getMessage(), e.getCause());
            for (Throwable earlier : e.getSuppressed()) {
                failure.addSuppressed(earlier);
            }
            throw failure;
        } catch (OperationFailedException e) {
            throw new OperationFailedException(op, key, e.attempts(), op.label() + " failed before it started, in a"
                    + " read it needed: " + e.getMessage(), e.getCause());
        }
    }

    /** One snapshot read in a read-only transaction. */
    private <T> T read(Function<Reads, Read<T>> query) {
        return loop.run(Operation.QUERY, null, TxMode.READ_ONLY, (tx, a) -> {
            Reads r = tx.reads();
            Read<T> value = query.apply(r);
            r.fetch();
            return value.get();
        });
    }

    // ------------------------------------------------------------------ lifecycle

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("client '" + config.name() + "' is closed");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (combiner != null) {
            combiner.close();
        }
        if (config.ownsStore()) {
            config.store().close();
        }
        loop.listener().onClientClosed(this);
        LOG.info("Dhamana client '{}' closed", config.name());
    }

    @Override
    public String toString() {
        return "TicketingClient[" + config.name() + " on " + config.store().description() + "]";
    }
}

package io.dhamana.engine.internal;

import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.VerificationStatus;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.Constraint;
import io.dhamana.spi.ConstraintViolationException;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.Expiry;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.ListingRow;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.Writes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The store contract mapped onto the engine's tables, over one {@link EngineTx}. In-process there is no round trip
 * to save, so reads are answered at once and writes are applied to the write set as they come; a guarded write whose
 * predicate is false fails the transaction with a conflict, as the contract asks.
 */
public final class EngineTransaction implements StoreTransaction, Reads, Writes, AutoCloseable {
    private final EngineTx tx;
    private final Engine engine;

    EngineTransaction(EngineTx tx) {
        this.tx = tx;
        this.engine = tx.engine();
    }

    /** Starts a transaction on {@code engine}; the caller must close it. */
    public static EngineTransaction begin(Engine engine, io.dhamana.spi.TxMode mode) {
        return new EngineTransaction(engine.begin(mode));
    }

    /** Validates and installs the write set, or throws a conflict and installs nothing. */
    public void commit() {
        tx.commit();
    }

    /** Discards the write set. */
    public void rollback() {
        tx.rollback();
    }

    public boolean isRollbackOnly() {
        return tx.isRollbackOnly();
    }

    /** The concurrency core under this transaction (for the engine's own tests). */
    EngineTx core() {
        return tx;
    }

    @Override
    public void close() {
        tx.close();
    }

    // ------------------------------------------------------------------ control

    @Override
    public void markRollbackOnly() {
        tx.markRollbackOnly();
    }

    @Override
    public Instant now() {
        return tx.now();
    }

    @Override
    public Reads reads() {
        readable();
        return this;
    }

    @Override
    public Writes writes() {
        return this;
    }

    @Override
    public void fetch() {
        readable();
    }

    /** Reads come before writes, as on a store that sends its writes with the commit. */
    private void readable() {
        if (tx.writeCount() > 0) {
            throw new IllegalStateException("a read after this transaction's writes: plan every read first");
        }
    }

    /** A strict insert found its key taken: the work was logged by a rival or an earlier attempt. */
    private ConflictException keyTaken(String what) {
        engine.conflicts.increment();
        return new ConflictException("40001", what + " is already taken, by a rival or an earlier attempt of the same"
                + " call; the next attempt reads what was done (engine)", null, false);
    }

    private ConflictException guardFailed(String what) {
        engine.conflicts.increment();
        return new ConflictException("40001", "guard on " + what + ": it no longer held when applied (engine)", null,
                false);
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Read<Optional<EventRow>> event(EventId event) {
        readable();
        return Read.of(Optional.ofNullable(tx.read(engine.events, event)));
    }

    @Override
    public Read<List<SectionRow>> sections(EventId event) {
        readable();
        List<SectionRow> out = new ArrayList<>();
        engine.sections.scan(tx.snapshotTs(), s -> {
            if (s.event().equals(event)) {
                out.add(s);
            }
        });
        out.sort(Comparator.comparingInt(SectionRow::ordinal));
        return Read.of(out);
    }

    @Override
    public Read<List<BucketRow>> buckets(EventId event, SectionId section) {
        readable();
        return Read.of(allBuckets(event, section));
    }

    private List<BucketRow> allBuckets(EventId event, SectionId section) {
        SectionRow s = tx.read(engine.sections, new Engine.SectionKey(event, section));
        if (s == null) {
            return List.of();
        }
        List<BucketRow> out = new ArrayList<>(s.buckets());
        for (int b = 0; b < s.buckets(); b++) {
            BucketRow row = tx.read(engine.buckets, new Engine.BucketKey(event, section, b));
            if (row != null) {
                out.add(row);
            }
        }
        return out;
    }

    @Override
    public Read<Optional<BucketRow>> bucket(EventId event, SectionId section, int bucket) {
        readable();
        return Read.of(Optional.ofNullable(tx.read(engine.buckets, new Engine.BucketKey(event, section, bucket))));
    }

    @Override
    public Read<List<BucketRow>> bucketsIfShort(EventId event, SectionId section, int first, int units) {
        readable();
        BucketRow b = tx.read(engine.buckets, new Engine.BucketKey(event, section, first));
        if (b != null && b.remaining() >= units) {
            return Read.of(List.of());
        }
        return Read.of(allBuckets(event, section));
    }

    @Override
    public Read<Optional<SeatRow>> seat(EventId event, SectionId section, SeatId seat) {
        readable();
        return Read.of(Optional.ofNullable(tx.read(engine.seats, new Engine.SeatKey(event, section, seat))));
    }

    @Override
    public Read<List<SeatRow>> seats(EventId event, SectionId section) {
        readable();
        Queue<SeatId> order = engine.seatOrder.get(new Engine.SectionKey(event, section));
        if (order == null) {
            return Read.of(List.of());
        }
        List<SeatRow> out = new ArrayList<>();
        for (SeatId id : order) {
            SeatRow row = tx.read(engine.seats, new Engine.SeatKey(event, section, id));
            if (row != null) {
                out.add(row);
            }
        }
        return Read.of(out);
    }

    @Override
    public Read<Optional<AllowanceRow>> allowance(EventId event, BuyerId buyer) {
        readable();
        return Read.of(Optional.ofNullable(tx.read(engine.allowances, new Engine.AllowanceKey(event, buyer))));
    }

    @Override
    public Read<Map<BuyerId, AllowanceRow>> allowances(EventId event, Collection<BuyerId> buyers) {
        readable();
        Map<BuyerId, AllowanceRow> out = new HashMap<>();
        for (BuyerId b : buyers) {
            AllowanceRow row = tx.read(engine.allowances, new Engine.AllowanceKey(event, b));
            if (row != null) {
                out.put(b, row);
            }
        }
        return Read.of(out);
    }

    @Override
    public Read<Optional<HoldRow>> hold(HoldId hold) {
        readable();
        return Read.of(Optional.ofNullable(tx.read(engine.holds, hold)));
    }

    @Override
    public Read<Optional<TicketRow>> ticket(TicketId ticket) {
        readable();
        return Read.of(Optional.ofNullable(tx.read(engine.tickets, ticket)));
    }

    @Override
    public Read<List<TicketRow>> ticketsOfHold(HoldId hold) {
        readable();
        List<TicketId> ids = engine.ticketsOfHold.get(hold);
        List<TicketRow> out = new ArrayList<>();
        if (ids != null) {
            for (TicketId id : ids) {
                TicketRow t = tx.read(engine.tickets, id);
                if (t != null) {
                    out.add(t);
                }
            }
        }
        return Read.of(out);
    }

    @Override
    public Read<List<TicketRow>> ticketsOfOwner(EventId event, BuyerId owner) {
        readable();
        LinkedHashSet<TicketId> candidates = new LinkedHashSet<>();
        Queue<TicketId> indexed = engine.ticketsByOwner.get(new Engine.AllowanceKey(event, owner));
        if (indexed != null) {
            candidates.addAll(indexed);
        }
        List<TicketRow> out = new ArrayList<>();
        for (TicketId id : candidates) {
            TicketRow t = tx.read(engine.tickets, id);
            if (t != null && t.owner().equals(owner) && t.event().equals(event)) {
                out.add(t);
            }
        }
        return Read.of(out);
    }

    @Override
    public Read<Optional<ListingRow>> listing(ListingId listing) {
        readable();
        return Read.of(Optional.ofNullable(tx.read(engine.listings, listing)));
    }

    @Override
    public Read<Optional<TicketRow>> ticketOfListing(ListingId listing) {
        readable();
        ListingRow l = tx.read(engine.listings, listing);
        return Read.of(l == null ? Optional.empty() : Optional.ofNullable(tx.read(engine.tickets, l.ticket())));
    }

    @Override
    public Read<Optional<OperationRow>> operation(OperationKey key) {
        readable();
        return Read.of(Optional.ofNullable(tx.read(engine.operations, key)));
    }

    @Override
    public Read<List<HoldRow>> expiredHolds(int limit) {
        readable();
        Instant at = now();
        List<HoldRow> out = new ArrayList<>();
        long staleBefore = at.getEpochSecond() - 60;
        for (Map.Entry<Long, Engine.ExpiryStripes> e : engine.expiries.headMap(at.getEpochSecond(), true)
                .entrySet()) {
            for (Queue<HoldId> queue : e.getValue().queues) {
                for (Iterator<HoldId> it = queue.iterator(); it.hasNext() && out.size() < limit; ) {
                    HoldId id = it.next();
                    HoldRow h = tx.read(engine.holds, id);
                    if (h != null && h.status() == HoldStatus.HELD) {
                        if (!h.expiresAt().isAfter(at) && !out.contains(h)) { // a hold can be indexed twice
                            out.add(h);
                        }
                    } else {
                        Slot<HoldRow> slot = engine.holds.slot(id);
                        HoldRow latest = slot == null ? null : slot.visible(Long.MAX_VALUE - 1);
                        if (latest != null && latest.status() != HoldStatus.HELD) {
                            it.remove(); // never held again: forget it
                        }
                    }
                }
            }
            if (e.getKey() < staleBefore) {
                engine.retireExpiry(e.getKey(), e.getValue());
            }
            if (out.size() >= limit) {
                break;
            }
        }
        return Read.of(out);
    }

    @Override
    public Read<List<HoldRow>> heldHolds(EventId event, int limit) {
        readable();
        List<HoldRow> out = new ArrayList<>();
        engine.holds.scan(tx.snapshotTs(), h -> {
            if (out.size() < limit && h.event().equals(event) && h.status() == HoldStatus.HELD) {
                out.add(h);
            }
        });
        return Read.of(out);
    }

    @Override
    public Read<List<TicketRow>> validTickets(EventId event, int limit) {
        readable();
        List<TicketRow> out = new ArrayList<>();
        engine.tickets.scan(tx.snapshotTs(), t -> {
            if (out.size() < limit && t.event().equals(event) && t.state() == TicketState.VALID) {
                out.add(t);
            }
        });
        return Read.of(out);
    }

    @Override
    public Read<List<BuyerId>> seatClaims(EventId event, SectionId section, SeatId seat) {
        readable();
        List<BuyerId> claims = new ArrayList<>();
        Optional<SeatId> s = Optional.of(seat);
        scan(io.dhamana.spi.Table.HOLDS, Optional.of(event), h -> {
            if (h.section().equals(section) && s.equals(h.seat()) && h.status() == HoldStatus.HELD) {
                claims.add(h.buyer());
            }
        });
        scan(io.dhamana.spi.Table.TICKETS, Optional.of(event), t -> {
            if (t.section().equals(section) && s.equals(t.seat()) && t.state() != TicketState.REFUNDED) {
                claims.add(t.owner());
            }
        });
        return Read.of(claims);
    }

    @Override
    public Read<Long> activeUnits(EventId event, SectionId section) {
        readable();
        long[] units = new long[1];
        scan(io.dhamana.spi.Table.HOLDS, Optional.of(event), h -> {
            if (h.section().equals(section) && h.status() == HoldStatus.HELD) {
                units[0] += h.units();
            }
        });
        scan(io.dhamana.spi.Table.TICKETS, Optional.of(event), t -> {
            if (t.section().equals(section) && t.state() != TicketState.REFUNDED) {
                units[0]++;
            }
        });
        return Read.of(units[0]);
    }

    // ------------------------------------------------------------------ scans (the snapshot only)

    @Override
    @SuppressWarnings("unchecked")
    public <R> void scan(io.dhamana.spi.Table<R> table, Optional<EventId> event, Consumer<? super R> sink) {
        if (table == io.dhamana.spi.Table.MONEY && event.isPresent()) {
            engine.money.scan(tx.snapshotTs(), m -> {
                OperationRow op = tx.read(engine.operations, m.operation());
                if (op != null && op.event().equals(event.get())) {
                    ((Consumer<MoneyEntry>) sink).accept(m);
                }
            });
            return;
        }
        io.dhamana.engine.internal.Table<?, ?> rows = tableOf(table);
        ((io.dhamana.engine.internal.Table<Object, Object>) rows).scan(tx.snapshotTs(), row -> {
            if (event.isEmpty() || event.get().equals(eventOf(row))) {
                ((Consumer<Object>) sink).accept(row);
            }
        });
    }

    private io.dhamana.engine.internal.Table<?, ?> tableOf(io.dhamana.spi.Table<?> table) {
        if (table == io.dhamana.spi.Table.EVENTS) {
            return engine.events;
        } else if (table == io.dhamana.spi.Table.SECTIONS) {
            return engine.sections;
        } else if (table == io.dhamana.spi.Table.BUCKETS) {
            return engine.buckets;
        } else if (table == io.dhamana.spi.Table.SEATS) {
            return engine.seats;
        } else if (table == io.dhamana.spi.Table.ALLOWANCES) {
            return engine.allowances;
        } else if (table == io.dhamana.spi.Table.HOLDS) {
            return engine.holds;
        } else if (table == io.dhamana.spi.Table.TICKETS) {
            return engine.tickets;
        } else if (table == io.dhamana.spi.Table.LISTINGS) {
            return engine.listings;
        } else if (table == io.dhamana.spi.Table.OPERATIONS) {
            return engine.operations;
        } else if (table == io.dhamana.spi.Table.MONEY) {
            return engine.money;
        }
        throw new IllegalArgumentException("no engine table for " + table);
    }

    private static EventId eventOf(Object row) {
        if (row instanceof EventRow r) {
            return r.id();
        } else if (row instanceof SectionRow r) {
            return r.event();
        } else if (row instanceof BucketRow r) {
            return r.event();
        } else if (row instanceof SeatRow r) {
            return r.event();
        } else if (row instanceof AllowanceRow r) {
            return r.event();
        } else if (row instanceof HoldRow r) {
            return r.event();
        } else if (row instanceof TicketRow r) {
            return r.event();
        } else if (row instanceof ListingRow r) {
            return r.event();
        } else if (row instanceof OperationRow r) {
            return r.event();
        }
        return null;
    }

    // ------------------------------------------------------------------ event provisioning

    @Override
    public void insertEvent(EventRow event) {
        tx.insertIfAbsent(engine.events, event.id(), event);
    }

    @Override
    public void insertSection(SectionRow section) {
        tx.insertIfAbsent(engine.sections, new Engine.SectionKey(section.event(), section.section()), section);
    }

    @Override
    public void insertBuckets(List<BucketRow> buckets) {
        for (BucketRow b : buckets) {
            checkStock(b);
            tx.insertIfAbsent(engine.buckets, new Engine.BucketKey(b.event(), b.section(), b.bucket()), b);
        }
    }

    @Override
    public void insertSeats(List<SeatRow> seats) {
        List<SeatRow> added = new ArrayList<>();
        for (SeatRow s : seats) {
            if (tx.insertIfAbsent(engine.seats, new Engine.SeatKey(s.event(), s.section(), s.seat()), s)) {
                added.add(s);
            }
        }
        if (!added.isEmpty()) {
            tx.onCommit(() -> {
                for (SeatRow s : added) {
                    engine.seatOrder.computeIfAbsent(new Engine.SectionKey(s.event(), s.section()),
                            k -> new ConcurrentLinkedQueue<>()).add(s.seat());
                }
            });
        }
    }

    // ------------------------------------------------------------------ the log and money

    @Override
    public void insertOperation(OperationRow operation) {
        if (!tx.insertIfAbsent(engine.operations, operation.key(), operation)) {
            throw keyTaken("operation " + operation.key() + " (already logged)");
        }
    }

    @Override
    public void insertMoney(List<MoneyEntry> entries) {
        for (MoneyEntry m : entries) {
            tx.write(engine.money, new Engine.MoneyKey(m.operation(), m.leg()), m);
        }
    }

    // ------------------------------------------------------------------ stock and seats

    @Override
    public void takeUnits(EventId event, SectionId section, int bucket, int units) {
        Engine.BucketKey key = new Engine.BucketKey(event, section, bucket);
        BucketRow b = tx.read(engine.buckets, key);
        if (b == null || b.remaining() < units) {
            throw guardFailed("bucket " + bucket + " of " + event + "/" + section + " holding " + units);
        }
        BucketRow next = new BucketRow(event, section, bucket, b.remaining() - units);
        checkStock(next);
        tx.write(engine.buckets, key, next);
    }

    @Override
    public void returnUnits(EventId event, SectionId section, int bucket, int units) {
        Engine.BucketKey key = new Engine.BucketKey(event, section, bucket);
        BucketRow b = tx.read(engine.buckets, key);
        if (b == null) {
            throw new IllegalStateException("no bucket " + bucket + " in " + event + "/" + section);
        }
        BucketRow next = new BucketRow(event, section, bucket, b.remaining() + units);
        checkStock(next);
        tx.write(engine.buckets, key, next);
    }

    private static void checkStock(BucketRow b) {
        if (b.remaining() < 0) {
            throw new ConstraintViolationException(Constraint.STOCK_NOT_NEGATIVE,
                    "stock_bucket " + b.bucket() + " of " + b.event() + "/" + b.section() + " would go below zero",
                    null);
        }
    }

    @Override
    public void claimSeat(EventId event, SectionId section, SeatId seat, HoldId hold) {
        Engine.SeatKey key = new Engine.SeatKey(event, section, seat);
        SeatRow s = tx.read(engine.seats, key);
        if (s == null || s.state() != SeatState.AVAILABLE) {
            throw guardFailed("seat " + seat + " being available");
        }
        tx.write(engine.seats, key, new SeatRow(event, section, seat, SeatState.HELD, Optional.of(hold)));
    }

    @Override
    public void moveSeat(EventId event, SectionId section, SeatId seat, HoldId holder, SeatState from,
                         SeatState to) {
        Engine.SeatKey key = new Engine.SeatKey(event, section, seat);
        SeatRow s = tx.read(engine.seats, key);
        if (s == null || s.state() != from || !s.holder().equals(Optional.of(holder))) {
            throw guardFailed("seat " + seat + " being " + from + " by hold " + holder);
        }
        tx.write(engine.seats, key, new SeatRow(event, section, seat, to,
                to == SeatState.AVAILABLE ? Optional.empty() : Optional.of(holder)));
    }

    // ------------------------------------------------------------------ allowances

    @Override
    public void verify(EventId event, BuyerId buyer, String evidence, int cap) {
        Engine.AllowanceKey key = new Engine.AllowanceKey(event, buyer);
        AllowanceRow a = tx.read(engine.allowances, key);
        tx.write(engine.allowances, key, a == null
                ? new AllowanceRow(event, buyer, VerificationStatus.VERIFIED, evidence, 0, cap)
                : new AllowanceRow(event, buyer, VerificationStatus.VERIFIED, evidence, a.used(), a.cap()));
    }

    @Override
    public void revoke(EventId event, BuyerId buyer) {
        Engine.AllowanceKey key = new Engine.AllowanceKey(event, buyer);
        AllowanceRow a = tx.read(engine.allowances, key);
        if (a == null || a.status() != VerificationStatus.VERIFIED) {
            throw guardFailed("allowance of " + buyer + " being verified");
        }
        tx.write(engine.allowances, key,
                new AllowanceRow(event, buyer, VerificationStatus.REVOKED, a.evidence(), a.used(), a.cap()));
    }

    @Override
    public void chargeAllowance(EventId event, BuyerId buyer, int units) {
        Engine.AllowanceKey key = new Engine.AllowanceKey(event, buyer);
        AllowanceRow a = tx.read(engine.allowances, key);
        if (a == null || a.status() != VerificationStatus.VERIFIED || a.used() + units > a.cap()) {
            throw guardFailed("allowance of " + buyer + " having room for " + units);
        }
        tx.write(engine.allowances, key,
                checkAllowance(new AllowanceRow(event, buyer, a.status(), a.evidence(), a.used() + units, a.cap())));
    }

    @Override
    public void creditAllowance(EventId event, BuyerId buyer, int units) {
        Engine.AllowanceKey key = new Engine.AllowanceKey(event, buyer);
        AllowanceRow a = tx.read(engine.allowances, key);
        if (a == null || a.used() < units) {
            throw guardFailed("allowance of " + buyer + " covering " + units);
        }
        tx.write(engine.allowances, key,
                checkAllowance(new AllowanceRow(event, buyer, a.status(), a.evidence(), a.used() - units, a.cap())));
    }

    /** The allowance row's CHECK: {@code 0 <= used <= cap}. */
    private static AllowanceRow checkAllowance(AllowanceRow a) {
        if (a.used() < 0 || a.used() > a.cap()) {
            throw new ConstraintViolationException(Constraint.ALLOWANCE_WITHIN_CAP,
                    "allowance of " + a.buyer() + " at " + a.event() + " would be " + a.used() + " of " + a.cap(),
                    null);
        }
        return a;
    }

    // ------------------------------------------------------------------ holds and tickets

    @Override
    public void insertHold(HoldRow hold) {
        if (!tx.insertIfAbsent(engine.holds, hold.id(), hold)) {
            throw keyTaken("hold " + hold.id());
        }
        tx.onCommit(() -> engine.indexExpiry(hold));
    }

    @Override
    public void moveHold(HoldId id, HoldStatus from, HoldStatus to, Expiry expiry) {
        HoldRow h = tx.read(engine.holds, id);
        boolean expired = h != null && !h.expiresAt().isAfter(now());
        if (h == null || h.status() != from || (expiry == Expiry.UNEXPIRED && expired)
                || (expiry == Expiry.EXPIRED && !expired)) {
            throw guardFailed("hold " + id + " being " + from + (expiry == Expiry.ANY ? "" : " and "
                    + expiry.name().toLowerCase(java.util.Locale.ROOT)));
        }
        tx.write(engine.holds, id, h.withStatus(to));
    }

    @Override
    public void insertTickets(List<TicketRow> tickets) {
        List<TicketId> added = new ArrayList<>(tickets.size());
        HoldId hold = null;
        for (TicketRow t : tickets) {
            if (!tx.insertIfAbsent(engine.tickets, t.id(), t)) {
                throw keyTaken("ticket " + t.id());
            }
            added.add(t.id());
            hold = t.hold();
            tx.onCommit(() -> engine.indexOwner(t.event(), t.owner(), t.id()));
        }
        if (!added.isEmpty()) {
            HoldId h = hold;
            tx.onCommit(() -> engine.ticketsOfHold.merge(h, List.copyOf(added), (a, b) -> {
                List<TicketId> all = new ArrayList<>(a);
                all.addAll(b);
                return List.copyOf(all);
            }));
        }
    }

    @Override
    public void moveTicket(TicketId id, BuyerId owner, TicketState from, TicketState to, BuyerId newOwner,
                           Optional<String> newCode) {
        TicketRow t = tx.read(engine.tickets, id);
        if (t == null || t.state() != from || !t.owner().equals(owner)) {
            throw guardFailed("ticket " + id + " being " + from + " and owned by " + owner);
        }
        tx.write(engine.tickets, id, new TicketRow(t.id(), t.hold(), t.event(), t.section(), t.seat(), t.bucket(),
                newOwner, to, newCode.orElse(t.code()), t.faceValueMinor()));
        if (!newOwner.equals(owner)) {
            tx.onCommit(() -> engine.indexOwner(t.event(), newOwner, id));
        }
    }

    // ------------------------------------------------------------------ resale

    @Override
    public void insertListing(ListingId id, TicketId ticket, BuyerId seller, long askMinor) {
        TicketRow t = tx.read(engine.tickets, ticket);
        EventRow e = t == null ? null : tx.read(engine.events, t.event());
        if (t == null || e == null) {
            throw new IllegalStateException("listing " + id + " names ticket " + ticket + " that does not exist");
        }
        long cap = Math.multiplyExact(t.faceValueMinor(), (long) e.resaleCapBps()) / 10_000;
        if (askMinor > cap) {
            throw new ConstraintViolationException(Constraint.ASK_WITHIN_CAP,
                    "listing ask " + askMinor + " is above the cap " + cap, null);
        }
        ListingRow row = new ListingRow(id, ticket, t.event(), seller, askMinor, cap, ListingState.ACTIVE,
                Optional.empty());
        if (!tx.insertIfAbsent(engine.listings, id, row)) {
            throw keyTaken("listing " + id);
        }
    }

    @Override
    public void moveListing(ListingId id, ListingState from, ListingState to, Optional<BuyerId> buyer) {
        ListingRow l = tx.read(engine.listings, id);
        if (l == null || l.state() != from) {
            throw guardFailed("listing " + id + " being " + from);
        }
        tx.write(engine.listings, id, new ListingRow(l.id(), l.ticket(), l.event(), l.seller(), l.askMinor(),
                l.capMinor(), to, buyer.isPresent() ? buyer : l.buyer()));
    }
}

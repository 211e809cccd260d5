package io.dhamana.engine.internal;

import java.util.LinkedHashSet;
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
import io.dhamana.spi.NewHold;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.TxMode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * An optimistic transaction with snapshot isolation, like Aurora DSQL: reads see the snapshot taken at start plus
 * this transaction's own writes; writes are buffered; at commit every written row is checked, and if any was
 * committed by someone else after this snapshot was taken, this transaction loses (first committer wins). Reads are
 * never validated, so write skew is possible: only writes to a shared guard row protect an invariant.
 */
public final class EngineTx implements StoreTransaction, AutoCloseable {
    /** A latch held by a committer is released within microseconds; past this many tries we call it a conflict. */
    private static final int LATCH_TRIES = 2_000;

    private final Engine engine;
    private final TxMode mode;
    private final int registration;
    private final long snapshotTs;
    private Instant now;
    private boolean rollbackOnly;
    private boolean finished;

    // The write set: parallel arrays, searched linearly while small.
    private Slot<Object>[] slots;
    private Object[] values;
    private Table<?, ?>[] tables;
    private Object[] keys;
    private int size;
    private Map<Slot<?>, Integer> index;
    // The row most recently read (slots are never replaced once a key has one, so reusing it is safe).
    private Table<?, ?> lastTable;
    private Object lastKey;
    private Slot<?> lastSlot;
    private List<Runnable> indexUpdates;

    @SuppressWarnings({"unchecked", "rawtypes"})
    EngineTx(Engine engine, TxMode mode) {
        this.engine = engine;
        this.mode = mode;
        this.registration = engine.snapshots.register();
        this.snapshotTs = engine.snapshots.now();
        engine.snapshots.pin(registration, snapshotTs);
        this.slots = new Slot[8];
        this.values = new Object[8];
        this.tables = new Table<?, ?>[8];
        this.keys = new Object[8];
    }

    // ------------------------------------------------------------------ core read / write

    @SuppressWarnings("unchecked")
    private <K, V> V read(Table<K, V> table, K key) {
        Slot<V> slot = table.slot(key);
        // A guarded write reads its row and then writes it: remember the slot so the write needs no second lookup.
        lastTable = table;
        lastKey = key;
        lastSlot = slot;
        if (slot == null) {
            return null;
        }
        int i = find(slot);
        if (i >= 0) {
            return (V) values[i];
        }
        return slot.visible(snapshotTs);
    }

    @SuppressWarnings("unchecked")
    private <K, V> void write(Table<K, V> table, K key, V value) {
        Slot<V> slot = table == lastTable && key == lastKey && lastSlot != null
                ? (Slot<V>) lastSlot
                : table.slotForWrite(key);
        writeTo(table, key, slot, value);
    }

    @SuppressWarnings("unchecked")
    private <K, V> void writeTo(Table<K, V> table, K key, Slot<V> slot, V value) {
        if (mode == TxMode.READ_ONLY) {
            throw new IllegalStateException("write to " + table.name + " in a read-only transaction");
        }
        int i = find(slot);
        if (i >= 0) {
            values[i] = value;
            return;
        }
        // Someone already committed this row after our snapshot: we would lose at commit, so lose now.
        if (slot.newestTs() > snapshotTs) {
            throw conflict(table, key);
        }
        if (size == slots.length) {
            int n = size * 2;
            slots = Arrays.copyOf(slots, n);
            values = Arrays.copyOf(values, n);
            tables = Arrays.copyOf(tables, n);
            keys = Arrays.copyOf(keys, n);
        }
        slots[size] = (Slot<Object>) slot;
        values[size] = value;
        tables[size] = table;
        keys[size] = key;
        size++;
        if (index != null) {
            index.put(slot, size - 1);
        } else if (size > 16) {
            index = new IdentityHashMap<>(64);
            for (int j = 0; j < size; j++) {
                index.put(slots[j], j);
            }
        }
    }

    /**
     * Inserts a row unless one is visible (or written by this transaction) under its key, with one map lookup: a
     * concurrent insert of the same key is caught at commit like any other write conflict.
     */
    @SuppressWarnings("unchecked")
    private <K, V> boolean insertIfAbsent(Table<K, V> table, K key, V value) {
        Slot<V> slot = table.slotForInsert(key);
        int i = find(slot);
        V existing = i >= 0 ? (V) values[i] : slot.visible(snapshotTs);
        if (existing != null) {
            return false;
        }
        writeTo(table, key, slot, value);
        return true;
    }

    private int find(Slot<?> slot) {
        if (index != null) {
            Integer i = index.get(slot);
            return i == null ? -1 : i;
        }
        for (int i = 0; i < size; i++) {
            if (slots[i] == slot) {
                return i;
            }
        }
        return -1;
    }

    private ConflictException conflict(Table<?, ?> table, Object key) {
        engine.conflicts.increment();
        return new ConflictException("40001",
                "change conflicts with another transaction on " + table.name + " " + key + " (engine)", null, false);
    }

    /**
     * Runs {@code action} when this transaction commits, once its write set is validated and before its rows become
     * visible (to maintain the append-only indexes that lead readers to them).
     */
    private void onCommit(Runnable action) {
        if (indexUpdates == null) {
            indexUpdates = new ArrayList<>(2);
        }
        indexUpdates.add(action);
    }

    // ------------------------------------------------------------------ commit / rollback

    /** Validates and installs the write set, or throws a conflict and installs nothing. */
    public void commit() {
        if (finished) {
            throw new IllegalStateException("transaction already finished");
        }
        finished = true;
        if (size == 0) {
            runIndexUpdates();
            return;
        }
        int[] order = null;
        if (size > 1) {
            // A fixed latch order keeps two committers from each holding what the other waits for.
            order = latchOrder();
        }
        int latched = 0;
        boolean installed = false;
        try {
            while (latched < size) {
                int i = order == null ? latched : order[latched];
                if (!latch(slots[i])) {
                    throw conflict(tables[i], keys[i]);
                }
                latched++;
                if (slots[i].newestTs() > snapshotTs) {
                    throw conflict(tables[i], keys[i]);
                }
            }
            // The indexes first: a transaction whose snapshot includes this commit must find its rows through
            // them. Entries for rows it cannot see yet are skipped by its visibility checks.
            runIndexUpdates();
            long ts = engine.snapshots.nextCommitTs();
            for (int i = 0; i < size; i++) {
                slots[i].publishTimestamp(ts);
            }
            long oldest = engine.snapshots.oldest();
            for (int i = 0; i < size; i++) {
                slots[i].install(values[i], ts, oldest);
            }
            installed = true;
        } finally {
            for (int k = 0; k < latched; k++) {
                slots[order == null ? k : order[k]].unlatch();
            }
            if (!installed) {
                retireEmptySlots(); // lost a conflict: as a rollback
            }
        }
        engine.commits.increment();
    }

    /** Write-set positions sorted by the slots' latch ranks (insertion sort: write sets are small). */
    private int[] latchOrder() {
        int[] order = new int[size];
        long[] rank = new long[size];
        for (int i = 0; i < size; i++) {
            long h = slots[i].latchRank;
            int j = i - 1;
            while (j >= 0 && rank[j] > h) {
                rank[j + 1] = rank[j];
                order[j + 1] = order[j];
                j--;
            }
            rank[j + 1] = h;
            order[j + 1] = i;
        }
        return order;
    }

    private static boolean latch(Slot<?> slot) {
        for (int tries = 0; tries < LATCH_TRIES; tries++) {
            if (slot.tryLatch()) {
                return true;
            }
            if (slot.isRetired()) {
                return false; // taken out by a transaction that created it and rolled back: retry on the new one
            }
            if (tries < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return false;
    }

    private void runIndexUpdates() {
        if (indexUpdates != null) {
            indexUpdates.forEach(Runnable::run);
        }
    }

    /** Discards the write set. */
    public void rollback() {
        finished = true;
        retireEmptySlots();
    }

    /**
     * Takes out of their tables the rows this transaction created but never committed (a refused hold's log entry
     * and hold, say), which would otherwise stay as empty entries for good: memory, and slots every scan walks.
     */
    @SuppressWarnings("unchecked")
    private void retireEmptySlots() {
        for (int i = 0; i < size; i++) {
            if (slots[i].retireIfEmpty()) {
                ((Table<Object, Object>) tables[i]).remove(keys[i], slots[i]);
            }
        }
    }

    public boolean isRollbackOnly() {
        return rollbackOnly;
    }

    /** Unregisters the snapshot. */
    @Override
    public void close() {
        engine.snapshots.release(registration);
    }

    // ------------------------------------------------------------------ control

    @Override
    public void markRollbackOnly() {
        rollbackOnly = true;
    }

    @Override
    public Instant now() {
        if (now == null) {
            now = engine.clock.instant();
        }
        return now;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<EventRow> event(EventId event) {
        return Optional.ofNullable(read(engine.events, event));
    }

    @Override
    public List<SectionRow> sections(EventId event) {
        List<SectionRow> out = new ArrayList<>();
        engine.sections.scan(snapshotTs, s -> {
            if (s.event().equals(event)) {
                out.add(s);
            }
        });
        // Own uncommitted sections too (event creation reads back what it wrote).
        for (int i = 0; i < size; i++) {
            if (values[i] instanceof SectionRow s && s.event().equals(event) && !out.contains(s)) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparingInt(SectionRow::ordinal));
        return out;
    }

    @Override
    public List<BucketRow> buckets(EventId event, SectionId section) {
        SectionRow s = read(engine.sections, new Engine.SectionKey(event, section));
        if (s == null) {
            return List.of();
        }
        List<BucketRow> out = new ArrayList<>(s.buckets());
        for (int b = 0; b < s.buckets(); b++) {
            BucketRow row = read(engine.buckets, new Engine.BucketKey(event, section, b));
            if (row != null) {
                out.add(row);
            }
        }
        return out;
    }

    @Override
    public Optional<SeatRow> seat(EventId event, SectionId section, SeatId seat) {
        return Optional.ofNullable(read(engine.seats, new Engine.SeatKey(event, section, seat)));
    }

    @Override
    public List<SeatRow> seats(EventId event, SectionId section) {
        Queue<SeatId> order = engine.seatOrder.get(new Engine.SectionKey(event, section));
        if (order == null) {
            return List.of();
        }
        List<SeatRow> out = new ArrayList<>();
        for (SeatId id : order) {
            SeatRow row = read(engine.seats, new Engine.SeatKey(event, section, id));
            if (row != null) {
                out.add(row);
            }
        }
        return out;
    }

    @Override
    public Optional<AllowanceRow> allowance(EventId event, BuyerId buyer) {
        return Optional.ofNullable(read(engine.allowances, new Engine.AllowanceKey(event, buyer)));
    }

    @Override
    public Optional<HoldRow> hold(HoldId hold) {
        return Optional.ofNullable(read(engine.holds, hold));
    }

    @Override
    public Optional<TicketRow> ticket(TicketId ticket) {
        return Optional.ofNullable(read(engine.tickets, ticket));
    }

    @Override
    public List<TicketRow> ticketsOfHold(HoldId hold) {
        List<TicketId> ids = engine.ticketsOfHold.get(hold);
        List<TicketRow> out = new ArrayList<>();
        if (ids != null) {
            for (TicketId id : ids) {
                TicketRow t = read(engine.tickets, id);
                if (t != null) {
                    out.add(t);
                }
            }
        }
        for (int i = 0; i < size; i++) {
            if (values[i] instanceof TicketRow t && t.hold().equals(hold) && (ids == null || !ids.contains(t.id()))) {
                out.add(t);
            }
        }
        return out;
    }

    @Override
    public List<TicketRow> ticketsOfOwner(EventId event, BuyerId owner) {
        LinkedHashSet<TicketId> candidates = new LinkedHashSet<>();
        Queue<TicketId> indexed = engine.ticketsByOwner.get(new Engine.AllowanceKey(event, owner));
        if (indexed != null) {
            candidates.addAll(indexed);
        }
        for (int i = 0; i < size; i++) {
            if (values[i] instanceof TicketRow t && t.owner().equals(owner) && t.event().equals(event)) {
                candidates.add(t.id());
            }
        }
        List<TicketRow> out = new ArrayList<>();
        for (TicketId id : candidates) {
            TicketRow t = read(engine.tickets, id);
            if (t != null && t.owner().equals(owner) && t.event().equals(event)) {
                out.add(t);
            }
        }
        return out;
    }

    @Override
    public Optional<ListingRow> listing(ListingId listing) {
        return Optional.ofNullable(read(engine.listings, listing));
    }

    @Override
    public Optional<OperationRow> operation(OperationKey key) {
        return Optional.ofNullable(read(engine.operations, key));
    }

    @Override
    public List<HoldRow> expiredHolds(int limit) {
        Instant at = now();
        List<HoldRow> out = new ArrayList<>();
        long staleBefore = at.getEpochSecond() - 60;
        for (Map.Entry<Long, Engine.ExpiryStripes> e : engine.expiries.headMap(at.getEpochSecond(), true)
                .entrySet()) {
            for (Queue<HoldId> queue : e.getValue().queues) {
                for (Iterator<HoldId> it = queue.iterator(); it.hasNext() && out.size() < limit; ) {
                    HoldId id = it.next();
                    HoldRow h = read(engine.holds, id);
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
        return out;
    }

    @Override
    public List<HoldRow> heldHolds(EventId event, int limit) {
        List<HoldRow> out = new ArrayList<>();
        engine.holds.scan(snapshotTs, h -> {
            if (out.size() < limit && h.event().equals(event) && h.status() == HoldStatus.HELD) {
                out.add(h);
            }
        });
        return out;
    }

    @Override
    public List<TicketRow> validTickets(EventId event, int limit) {
        List<TicketRow> out = new ArrayList<>();
        engine.tickets.scan(snapshotTs, t -> {
            if (out.size() < limit && t.event().equals(event) && t.state() == TicketState.VALID) {
                out.add(t);
            }
        });
        return out;
    }

    @Override
    public long activeUnits(EventId event, SectionId section) {
        long[] units = new long[1];
        scanHolds(Optional.of(event), h -> {
            if (h.section().equals(section) && h.status() == HoldStatus.HELD) {
                units[0] += h.units();
            }
        });
        scanTickets(Optional.of(event), t -> {
            if (t.section().equals(section) && t.state() != TicketState.REFUNDED) {
                units[0]++;
            }
        });
        return units[0];
    }

    @Override
    public List<BuyerId> seatClaims(EventId event, SectionId section, SeatId seat) {
        List<BuyerId> claims = new ArrayList<>();
        Optional<SeatId> s = Optional.of(seat);
        scanHolds(Optional.of(event), h -> {
            if (h.section().equals(section) && s.equals(h.seat()) && h.status() == HoldStatus.HELD) {
                claims.add(h.buyer());
            }
        });
        scanTickets(Optional.of(event), t -> {
            if (t.section().equals(section) && s.equals(t.seat()) && t.state() != TicketState.REFUNDED) {
                claims.add(t.owner());
            }
        });
        return claims;
    }

    // ------------------------------------------------------------------ scans (the snapshot only)

    @Override
    public void scanEvents(Consumer<EventRow> sink) {
        engine.events.scan(snapshotTs, sink);
    }

    @Override
    public void scanSections(Optional<EventId> event, Consumer<SectionRow> sink) {
        engine.sections.scan(snapshotTs, s -> {
            if (event.isEmpty() || event.get().equals(s.event())) {
                sink.accept(s);
            }
        });
    }

    @Override
    public void scanBuckets(Optional<EventId> event, Consumer<BucketRow> sink) {
        engine.buckets.scan(snapshotTs, b -> {
            if (event.isEmpty() || event.get().equals(b.event())) {
                sink.accept(b);
            }
        });
    }

    @Override
    public void scanSeats(Optional<EventId> event, Consumer<SeatRow> sink) {
        engine.seats.scan(snapshotTs, s -> {
            if (event.isEmpty() || event.get().equals(s.event())) {
                sink.accept(s);
            }
        });
    }

    @Override
    public void scanAllowances(Optional<EventId> event, Consumer<AllowanceRow> sink) {
        engine.allowances.scan(snapshotTs, a -> {
            if (event.isEmpty() || event.get().equals(a.event())) {
                sink.accept(a);
            }
        });
    }

    @Override
    public void scanHolds(Optional<EventId> event, Consumer<HoldRow> sink) {
        engine.holds.scan(snapshotTs, h -> {
            if (event.isEmpty() || event.get().equals(h.event())) {
                sink.accept(h);
            }
        });
    }

    @Override
    public void scanTickets(Optional<EventId> event, Consumer<TicketRow> sink) {
        engine.tickets.scan(snapshotTs, t -> {
            if (event.isEmpty() || event.get().equals(t.event())) {
                sink.accept(t);
            }
        });
    }

    @Override
    public void scanListings(Optional<EventId> event, Consumer<ListingRow> sink) {
        engine.listings.scan(snapshotTs, l -> {
            if (event.isEmpty() || event.get().equals(l.event())) {
                sink.accept(l);
            }
        });
    }

    @Override
    public void scanOperations(Optional<EventId> event, Consumer<OperationRow> sink) {
        engine.operations.scan(snapshotTs, o -> {
            if (event.isEmpty() || event.get().equals(o.event())) {
                sink.accept(o);
            }
        });
    }

    @Override
    public void scanMoney(Optional<EventId> event, Consumer<MoneyEntry> sink) {
        if (event.isEmpty()) {
            engine.money.scan(snapshotTs, sink);
            return;
        }
        engine.money.scan(snapshotTs, m -> {
            OperationRow op = read(engine.operations, m.operation());
            if (op != null && op.event().equals(event.get())) {
                sink.accept(m);
            }
        });
    }

    // ------------------------------------------------------------------ event creation

    @Override
    public boolean insertEvent(EventRow event) {
        return insertIfAbsent(engine.events, event.id(), event);
    }

    @Override
    public boolean insertSection(SectionRow section) {
        return insertIfAbsent(engine.sections, new Engine.SectionKey(section.event(), section.section()), section);
    }

    @Override
    public int insertBuckets(List<BucketRow> buckets) {
        int inserted = 0;
        for (BucketRow b : buckets) {
            checkStock(b);
            if (insertIfAbsent(engine.buckets, new Engine.BucketKey(b.event(), b.section(), b.bucket()), b)) {
                inserted++;
            }
        }
        return inserted;
    }

    @Override
    public int insertSeats(List<SeatRow> seats) {
        List<SeatRow> added = new ArrayList<>();
        for (SeatRow s : seats) {
            if (insertIfAbsent(engine.seats, new Engine.SeatKey(s.event(), s.section(), s.seat()), s)) {
                added.add(s);
            }
        }
        if (!added.isEmpty()) {
            onCommit(() -> {
                for (SeatRow s : added) {
                    engine.seatOrder.computeIfAbsent(new Engine.SectionKey(s.event(), s.section()),
                            k -> new ConcurrentLinkedQueue<>()).add(s.seat());
                }
            });
        }
        return added.size();
    }

    // ------------------------------------------------------------------ guarded writes

    @Override
    public boolean takeUnits(EventId event, SectionId section, int bucket, int units) {
        Engine.BucketKey key = new Engine.BucketKey(event, section, bucket);
        BucketRow b = read(engine.buckets, key);
        if (b == null || b.remaining() < units) {
            return false;
        }
        BucketRow next = new BucketRow(event, section, bucket, b.remaining() - units);
        checkStock(next);
        write(engine.buckets, key, next);
        return true;
    }

    @Override
    public void returnUnits(EventId event, SectionId section, int bucket, int units) {
        Engine.BucketKey key = new Engine.BucketKey(event, section, bucket);
        BucketRow b = read(engine.buckets, key);
        if (b == null) {
            throw new IllegalStateException("no bucket " + bucket + " in " + event + "/" + section);
        }
        BucketRow next = new BucketRow(event, section, bucket, b.remaining() + units);
        checkStock(next);
        write(engine.buckets, key, next);
    }

    private static void checkStock(BucketRow b) {
        if (b.remaining() < 0) {
            throw new ConstraintViolationException(Constraint.STOCK_NOT_NEGATIVE,
                    "stock_bucket " + b.bucket() + " of " + b.event() + "/" + b.section() + " would go below zero",
                    null);
        }
    }

    @Override
    public boolean claimSeat(EventId event, SectionId section, SeatId seat, HoldId hold) {
        Engine.SeatKey key = new Engine.SeatKey(event, section, seat);
        SeatRow s = read(engine.seats, key);
        if (s == null || s.state() != SeatState.AVAILABLE) {
            return false;
        }
        write(engine.seats, key, new SeatRow(event, section, seat, SeatState.HELD, Optional.of(hold)));
        return true;
    }

    @Override
    public boolean moveSeat(EventId event, SectionId section, SeatId seat, HoldId holder, SeatState from,
                            SeatState to) {
        Engine.SeatKey key = new Engine.SeatKey(event, section, seat);
        SeatRow s = read(engine.seats, key);
        if (s == null || s.state() != from || !s.holder().equals(Optional.of(holder))) {
            return false;
        }
        write(engine.seats, key, new SeatRow(event, section, seat, to,
                to == SeatState.AVAILABLE ? Optional.empty() : Optional.of(holder)));
        return true;
    }

    @Override
    public AllowanceRow verify(EventId event, BuyerId buyer, String evidence, int cap) {
        Engine.AllowanceKey key = new Engine.AllowanceKey(event, buyer);
        AllowanceRow a = read(engine.allowances, key);
        AllowanceRow next = a == null
                ? new AllowanceRow(event, buyer, VerificationStatus.VERIFIED, evidence, 0, cap)
                : new AllowanceRow(event, buyer, VerificationStatus.VERIFIED, evidence, a.used(), a.cap());
        write(engine.allowances, key, next);
        return next;
    }

    @Override
    public boolean revoke(EventId event, BuyerId buyer) {
        Engine.AllowanceKey key = new Engine.AllowanceKey(event, buyer);
        AllowanceRow a = read(engine.allowances, key);
        if (a == null || a.status() != VerificationStatus.VERIFIED) {
            return false;
        }
        write(engine.allowances, key,
                new AllowanceRow(event, buyer, VerificationStatus.REVOKED, a.evidence(), a.used(), a.cap()));
        return true;
    }

    @Override
    public boolean chargeAllowance(EventId event, BuyerId buyer, int units) {
        Engine.AllowanceKey key = new Engine.AllowanceKey(event, buyer);
        AllowanceRow a = read(engine.allowances, key);
        if (a == null || a.status() != VerificationStatus.VERIFIED || a.used() + units > a.cap()) {
            return false;
        }
        write(engine.allowances, key,
                checkAllowance(new AllowanceRow(event, buyer, a.status(), a.evidence(), a.used() + units, a.cap())));
        return true;
    }

    @Override
    public boolean creditAllowance(EventId event, BuyerId buyer, int units) {
        Engine.AllowanceKey key = new Engine.AllowanceKey(event, buyer);
        AllowanceRow a = read(engine.allowances, key);
        if (a == null || a.used() < units) {
            return false;
        }
        write(engine.allowances, key,
                checkAllowance(new AllowanceRow(event, buyer, a.status(), a.evidence(), a.used() - units, a.cap())));
        return true;
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

    @Override
    public Optional<HoldRow> insertHold(NewHold h) {
        Instant created = now();
        HoldRow row = new HoldRow(h.id(), h.event(), h.section(), h.seat(), h.buyer(), h.units(), h.bucket(),
                HoldStatus.HELD, created, created.plus(h.ttl()), h.unitPriceMinor());
        if (!insertIfAbsent(engine.holds, h.id(), row)) {
            return Optional.empty();
        }
        onCommit(() -> engine.indexExpiry(row));
        return Optional.of(row);
    }

    @Override
    public boolean moveHold(HoldId id, HoldStatus from, HoldStatus to, Expiry expiry) {
        HoldRow h = read(engine.holds, id);
        if (h == null || h.status() != from) {
            return false;
        }
        boolean expired = !h.expiresAt().isAfter(now());
        if ((expiry == Expiry.UNEXPIRED && expired) || (expiry == Expiry.EXPIRED && !expired)) {
            return false;
        }
        write(engine.holds, id, h.withStatus(to));
        return true;
    }

    @Override
    public int insertTickets(List<TicketRow> tickets) {
        List<TicketId> added = new ArrayList<>(tickets.size());
        HoldId hold = null;
        for (TicketRow t : tickets) {
            if (insertIfAbsent(engine.tickets, t.id(), t)) {
                added.add(t.id());
                hold = t.hold();
                onCommit(() -> engine.indexOwner(t.event(), t.owner(), t.id()));
            }
        }
        if (!added.isEmpty()) {
            HoldId h = hold;
            onCommit(() -> engine.ticketsOfHold.merge(h, List.copyOf(added), (a, b) -> {
                List<TicketId> all = new ArrayList<>(a);
                all.addAll(b);
                return List.copyOf(all);
            }));
        }
        return added.size();
    }

    @Override
    public boolean moveTicket(TicketId id, BuyerId owner, TicketState from, TicketState to, BuyerId newOwner,
                              Optional<String> newCode) {
        TicketRow t = read(engine.tickets, id);
        if (t == null || t.state() != from || !t.owner().equals(owner)) {
            return false;
        }
        write(engine.tickets, id, new TicketRow(t.id(), t.hold(), t.event(), t.section(), t.seat(), t.bucket(),
                newOwner, to, newCode.orElse(t.code()), t.faceValueMinor()));
        if (!newOwner.equals(owner)) {
            onCommit(() -> engine.indexOwner(t.event(), newOwner, id));
        }
        return true;
    }

    @Override
    public Optional<ListingRow> insertListing(ListingId id, TicketId ticket, BuyerId seller, long askMinor) {
        if (read(engine.listings, id) != null) {
            return Optional.empty();
        }
        TicketRow t = read(engine.tickets, ticket);
        EventRow e = t == null ? null : read(engine.events, t.event());
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
        write(engine.listings, id, row);
        return Optional.of(row);
    }

    @Override
    public boolean moveListing(ListingId id, ListingState from, ListingState to, Optional<BuyerId> buyer) {
        ListingRow l = read(engine.listings, id);
        if (l == null || l.state() != from) {
            return false;
        }
        write(engine.listings, id, new ListingRow(l.id(), l.ticket(), l.event(), l.seller(), l.askMinor(),
                l.capMinor(), to, buyer.isPresent() ? buyer : l.buyer()));
        return true;
    }

    @Override
    public boolean insertOperation(OperationRow operation) {
        return insertIfAbsent(engine.operations, operation.key(), operation);
    }

    @Override
    public void insertMoney(List<MoneyEntry> entries) {
        for (MoneyEntry m : entries) {
            write(engine.money, new Engine.MoneyKey(m.operation(), m.leg()), m);
        }
    }
}

package io.dhamana.engine.internal;

import io.dhamana.ConflictException;
import io.dhamana.spi.TxMode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's concurrency core: an optimistic transaction with snapshot isolation, like Aurora DSQL. Reads see the
 * snapshot taken at start plus this transaction's own writes; writes are buffered in a write set; at commit every
 * written row is latched in a fixed order and checked, and if any was committed by someone else after this snapshot
 * was taken, this transaction loses (first committer wins). Reads are never validated, so write skew is possible:
 * only writes to a shared guard row protect an invariant. What the rows mean is {@link EngineTransaction}'s job.
 */
public final class EngineTx implements AutoCloseable {
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
    <K, V> V read(Table<K, V> table, K key) {
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
    <K, V> void write(Table<K, V> table, K key, V value) {
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
    <K, V> boolean insertIfAbsent(Table<K, V> table, K key, V value) {
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

    ConflictException conflict(Table<?, ?> table, Object key) {
        engine.conflicts.increment();
        return new ConflictException("40001",
                "change conflicts with another transaction on " + table.name + " " + key + " (engine)", null, false);
    }

    /**
     * Runs {@code action} when this transaction commits, once its write set is validated and before its rows become
     * visible (to maintain the append-only indexes that lead readers to them).
     */
    void onCommit(Runnable action) {
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

    // ------------------------------------------------------------------ for the mapping

    void markRollbackOnly() {
        rollbackOnly = true;
    }

    /** The engine's clock, read once per transaction. */
    Instant now() {
        if (now == null) {
            now = engine.clock.instant();
        }
        return now;
    }

    long snapshotTs() {
        return snapshotTs;
    }

    TxMode mode() {
        return mode;
    }

    Engine engine() {
        return engine;
    }

    /** Rows this transaction has written so far. */
    int writeCount() {
        return size;
    }

    /** The value of the {@code i}th row written (for reads that must also see their own transaction's rows). */
    Object written(int i) {
        return values[i];
    }
}

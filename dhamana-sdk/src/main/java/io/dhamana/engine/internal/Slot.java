package io.dhamana.engine.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One row key's history: a chain of committed versions, newest first, and a commit latch. A committing
 * transaction latches its slots, takes a commit timestamp, installs its versions and unlatches.
 */
final class Slot<V> {
    /** Latched by a committer that has no timestamp yet. */
    static final long LATCHED = -1;
    /**
     * For good: the slot never held a version and was taken out of its table, so a writer that still holds it must
     * lose (and find the table's current slot when it retries).
     */
    static final long RETIRED = -2;
    private static final VarHandle LATCH;

    static {
        try {
            LATCH = MethodHandles.lookup().findVarHandle(Slot.class, "latch", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Where this slot comes in the latch order of a commit (see {@code EngineTx.latchOrder}): random, so 64 bits make
     * ties practically impossible, and drawn once, where an identity hash cost a runtime call on every commit.
     */
    final long latchRank = ThreadLocalRandom.current().nextLong();
    volatile Version<V> head;
    /** 0: free; {@link #LATCHED}; or the latching committer's timestamp once it has one. */
    private volatile long latch;

    boolean tryLatch() {
        return latch == 0 && LATCH.compareAndSet(this, 0L, LATCHED);
    }

    /**
     * Retires the slot if it has never held a version and nobody is committing to it. Once retired nobody can latch
     * it, so it stays empty; a commit that installed just before the claim is seen afterwards, and the claim undone.
     */
    boolean retireIfEmpty() {
        if (head != null || !LATCH.compareAndSet(this, 0L, RETIRED)) {
            return false;
        }
        if (head != null) {
            latch = 0;
            return false;
        }
        return true;
    }

    boolean isRetired() {
        return latch == RETIRED;
    }

    void publishTimestamp(long ts) {
        latch = ts;
    }

    void unlatch() {
        latch = 0;
    }

    /**
     * The value visible to a snapshot taken at {@code snapshotTs}, or null if the row did not exist then. Waits
     * for a committer that may already hold a timestamp at or below the snapshot: its versions belong to the
     * snapshot and are about to be installed.
     */
    V visible(long snapshotTs) {
        int spins = 0;
        for (long l = latch; l == LATCHED || (l > 0 && l <= snapshotTs); l = latch) {
            if (++spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        for (Version<V> v = head; v != null; v = v.prev) {
            if (v.ts <= snapshotTs) {
                return v.value;
            }
        }
        return null;
    }

    /** Timestamp of the newest committed version, 0 if none. */
    long newestTs() {
        Version<V> h = head;
        return h == null ? 0 : h.ts;
    }

    /**
     * Installs a new version and cuts versions no live snapshot can reach. Only while latched.
     *
     * <p>The walk looks at most {@value #PRUNE_WALK} versions deep. While an old snapshot is open (a thread preempted
     * mid-transaction holds it), a hot row gathers versions newer than it, and walking all of them on every commit
     * made commits quadratic; bounded, the chain just waits, and the first commit after that snapshot closes cuts
     * the whole tail at once.
     */
    void install(V value, long ts, long oldestSnapshot) {
        Version<V> v = new Version<>(value, ts, head);
        Version<V> p = v;
        for (int depth = 0; p != null && depth < PRUNE_WALK; depth++, p = p.prev) {
            if (p.ts <= oldestSnapshot) {
                p.prev = null;
                break;
            }
        }
        head = v;
    }

    /** How deep {@link #install} looks for versions to cut. */
    static final int PRUNE_WALK = 8;
}

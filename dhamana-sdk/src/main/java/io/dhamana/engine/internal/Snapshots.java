package io.dhamana.engine.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The commit clock and the register of open snapshots. The oldest open snapshot bounds which old versions must be
 * kept; everything older is cut as new versions are installed.
 */
final class Snapshots {
    private static final int SLOTS = 1024;
    /** 16 longs = 128 bytes between slots, so neighbouring transactions do not share a cache line. */
    private static final int STRIDE = 16;

    private final AtomicLong clock = new AtomicLong(1);
    private final AtomicLongArray open = new AtomicLongArray(SLOTS * STRIDE);
    private volatile long oldest = 1;

    long now() {
        return clock.get();
    }

    long nextCommitTs() {
        return clock.incrementAndGet();
    }

    /**
     * Registers a snapshot and returns its register slot; the caller then reads its snapshot timestamp with
     * {@link #now()} and records it with {@link #pin}. Registering a lower bound first means a concurrent cut
     * never removes a version this snapshot needs. The bound is the cached oldest timestamp, not the clock, so a
     * transaction touches the shared clock's cache line once to begin and once to commit.
     */
    int register() {
        long bound = Math.max(1, oldest);
        int start = (int) (Thread.currentThread().getId() * 0x9E3779B97F4A7C15L >>> 54) & (SLOTS - 1);
        for (int i = 0; ; i++) {
            int idx = ((start + i) & (SLOTS - 1)) * STRIDE;
            if (open.get(idx) == 0 && open.compareAndSet(idx, 0, bound)) {
                return idx;
            }
            if (i > SLOTS) {
                Thread.yield();
            }
        }
    }

    /** Raises a registered bound to the snapshot's own timestamp, so cuts can move past older versions. */
    void pin(int idx, long snapshotTs) {
        open.lazySet(idx, snapshotTs);
    }

    void release(int idx) {
        open.set(idx, 0);
    }

    /** A timestamp no open snapshot is older than; recomputed now and then by committers. */
    long oldest() {
        if ((ThreadLocalRandom.current().nextInt() & 511) == 0) {
            long min = clock.get();
            for (int i = 0; i < SLOTS; i++) {
                long v = open.get(i * STRIDE);
                if (v != 0 && v < min) {
                    min = v;
                }
            }
            oldest = min;
            return min;
        }
        return oldest;
    }
}

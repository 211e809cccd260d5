package io.dhamana.internal;

import io.dhamana.BucketSelection;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.SectionKind;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.SectionRow;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.Semaphore;

/**
 * What the client keeps about one section: its immutable rows (sections never change once created) and this
 * client's view of which buckets are busy.
 */
public final class SectionState {
    /** Spreads the in-flight counters over cache lines. */
    private static final int STRIDE = 16;

    private final EventRow event;
    private final SectionRow row;
    private final AtomicInteger turn = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));
    private final AtomicIntegerArray inFlight;
    /** One gate per bucket, sized by the client's admission limit on first use. */
    private volatile Semaphore[] admission;

    SectionState(EventRow event, SectionRow row) {
        this.event = event;
        this.row = row;
        this.inFlight = new AtomicIntegerArray(Math.max(1, row.buckets()) * STRIDE);
    }

    public EventRow event() {
        return event;
    }

    public SectionRow row() {
        return row;
    }

    public EventId eventId() {
        return event.id();
    }

    public boolean isGeneralAdmission() {
        return row.kind() == SectionKind.GENERAL_ADMISSION;
    }

    public int buckets() {
        return row.buckets();
    }

    /**
     * The bucket a hold tries first. On a retry ({@code attempt > 1}) it moves away from the bucket that conflicted:
     * the rival that won is likely still writing there.
     */
    public int chooseBucket(BucketSelection selection, BuyerId buyer, int attempt, int previous) {
        int n = row.buckets();
        if (n == 1) {
            return 0;
        }
        if (attempt > 1) {
            int step = 1 + ThreadLocalRandom.current().nextInt(n - 1);
            return leastBusyFrom((previous + step) % n, previous);
        }
        return switch (selection) {
            case ROUND_ROBIN -> Math.floorMod(turn.getAndIncrement(), n);
            case BUYER_AFFINITY -> Math.floorMod(buyer.value().hashCode() * 0x9E3779B9, n);
            case RANDOM -> ThreadLocalRandom.current().nextInt(n);
            // A random start (not a shared counter: that would be one more contended cache line per hold), then
            // the first idle bucket from there.
            case LEAST_BUSY -> leastBusyFrom(ThreadLocalRandom.current().nextInt(n), -1);
        };
    }

    /** Starting at {@code start}, the first idle bucket, else the least busy one. */
    private int leastBusyFrom(int start, int avoid) {
        int n = row.buckets();
        int probes = n;
        int best = start;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < probes; i++) {
            int b = (start + i) % n;
            if (b == avoid) {
                continue;
            }
            int load = inFlight.get(b * STRIDE);
            if (load == 0) {
                return b;
            }
            if (load < bestLoad) {
                bestLoad = load;
                best = b;
            }
        }
        return best;
    }

    /** Marks a hold as working on {@code bucket}. */
    public void enter(int bucket) {
        inFlight.incrementAndGet(bucket * STRIDE);
    }

    /**
     * Admission: takes a place on {@code preferred} or, if it is full, on the first bucket from there with room,
     * and blocks only when every bucket already has {@code limit} holds of this client in flight (woken by the
     * next {@link #exit}). This keeps a crowd of callers from piling onto one row (a lock convoy on PostgreSQL, a
     * storm of conflicts under optimistic concurrency): the extra callers wait in the client, asleep, instead of
     * colliding in the store.
     *
     * @return the bucket entered; the caller must {@link #exit(int)} it
     */
    public int admit(int preferred, int limit) {
        Semaphore[] gates = gates(limit);
        int n = gates.length;
        for (int k = 0; k < n; k++) {
            int b = (preferred + k) % n;
            if (gates[b].tryAcquire()) {
                enter(b);
                return b;
            }
        }
        gates[preferred].acquireUninterruptibly();
        enter(preferred);
        return preferred;
    }

    /** Gives back a place taken with {@link #admit}. */
    public void exit(int bucket) {
        leave(bucket);
        admission[bucket].release();
    }

    private Semaphore[] gates(int limit) {
        Semaphore[] g = admission;
        if (g == null) {
            synchronized (this) {
                if (admission == null) {
                    Semaphore[] made = new Semaphore[row.buckets()];
                    for (int i = 0; i < made.length; i++) {
                        made[i] = new Semaphore(limit);
                    }
                    admission = made;
                }
                g = admission;
            }
        }
        return g;
    }

    /** Marks a hold as done with {@code bucket}. */
    public void leave(int bucket) {
        inFlight.decrementAndGet(bucket * STRIDE);
    }

    /** Holds this client has in flight on {@code bucket} now. */
    public int load(int bucket) {
        return inFlight.get(bucket * STRIDE);
    }
}

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

/**
 * What the client keeps about one section: its immutable rows (sections never change once created) and this
 * client's view of which buckets are busy.
 */
public final class SectionState {
    /** Spreads the per-bucket counters over cache lines. */
    private static final int STRIDE = 16;
    /** Offset within a bucket's stride of its "last seen empty" flag, on the same line as its in-flight count. */
    private static final int EMPTY = 1;

    private final EventRow event;
    private final SectionRow row;
    private final AtomicInteger turn = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));
    private final AtomicIntegerArray inFlight;
    /** One gate per bucket, sized by the client's admission limit on first use. */
    private volatile BucketGate[] admission;

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
            // The calling thread's own bucket first, then the first idle one from there. A thread that keeps to one
            // bucket finds that row in its own core's cache; starting anywhere else fetches it from the core that
            // wrote it last (measured on the engine: two threads held no faster than one with a random start).
            case LEAST_BUSY -> leastBusyFrom(home(n), -1);
        };
    }

    /** The calling thread's bucket of {@code n}: fixed per thread, spread by a multiplicative hash of its id. */
    private static int home(int n) {
        long h = Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
        return (int) (((h >>> 32) * n) >>> 32);
    }

    /**
     * Starting at {@code start}, the first idle bucket not known to be empty, else the least busy one. Skipping
     * empty buckets matters once threads keep to their own: without it a thread whose bucket ran dry would take the
     * slow path (reading every bucket) on every hold.
     */
    private int leastBusyFrom(int start, int avoid) {
        int n = row.buckets();
        int best = start;
        int bestScore = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            int b = (start + i) % n;
            if (b == avoid) {
                continue;
            }
            int load = inFlight.get(b * STRIDE);
            boolean empty = inFlight.get(b * STRIDE + EMPTY) != 0;
            if (load == 0 && !empty) {
                return b;
            }
            // Busy or empty: remember the best fallback, preferring buckets with stock.
            int score = load + (empty ? 1 << 20 : 0);
            if (score < bestScore) {
                bestScore = score;
                best = b;
            }
        }
        return best;
    }

    /**
     * Records what a read of every bucket showed: which were empty. A hint for {@link #chooseBucket} only (the stock
     * row stays the guard), refreshed by every such read, so stock returned to a bucket by a release or an expiry
     * is picked up again the next time a hold falls back to reading them all.
     */
    public void noteStock(int bucket, int remaining) {
        int flag = remaining <= 0 ? 1 : 0;
        int i = bucket * STRIDE + EMPTY;
        if (bucket >= 0 && bucket < row.buckets() && inFlight.get(i) != flag) {
            inFlight.set(i, flag);
        }
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
        BucketGate[] gates = gates(limit);
        int n = gates.length;
        for (int k = 0; k < n; k++) {
            int b = (preferred + k) % n;
            if (gates[b].tryEnter()) {
                enter(b);
                return b;
            }
        }
        gates[preferred].enter();
        enter(preferred);
        return preferred;
    }

    /** Callers waiting now for a place on one of this section's buckets. */
    int admissionWaiters() {
        BucketGate[] g = admission;
        int waiting = 0;
        if (g != null) {
            for (BucketGate gate : g) {
                waiting += gate.sleeping();
            }
        }
        return waiting;
    }

    /** Gives back a place taken with {@link #admit}. */
    public void exit(int bucket) {
        leave(bucket);
        admission[bucket].leave();
    }

    private BucketGate[] gates(int limit) {
        BucketGate[] g = admission;
        if (g == null) {
            synchronized (this) {
                if (admission == null) {
                    BucketGate[] made = new BucketGate[row.buckets()];
                    for (int i = 0; i < made.length; i++) {
                        made[i] = new BucketGate(limit);
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

package io.dhamana.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A counting gate for one stock bucket: at most {@code places} holds inside at once, the rest waiting in the client.
 *
 * <p>One waiter at a time is on the way in (the newest arrival, or the sleeper last woken), and while it is, leaving
 * wakes nobody. The JDK's {@link java.util.concurrent.Semaphore} wakes its queue's head on a release
 * whenever that head has gone back to sleep. With one thread per core that is nearly every release, and each wake of
 * an idle core is a system call and an interrupt to it. On the in-process engine, two threads on one bucket of a
 * two-core machine made 311,000 to 342,000 holds/s with the semaphore and 420,000 to 501,000 with this gate, in
 * three alternating pairs. At 64 threads the two measured the same within their spread, and so did PostgreSQL.
 *
 * <p>The spinner looks at the gate only every {@value #SPIN_STRIDE} pauses (about a microsecond), so a thread that
 * leaves and comes straight back usually re-enters first, and the bucket's rows stay in that core's cache instead
 * of crossing to the spinner's core on every hold. Against polling on every pause, five alternating pairs on one
 * bucket read 730,000 to 968,000 holds/s at 64 threads against 684,000 to 831,000, and 285,000 to 676,000 at two
 * threads against 298,000 to 624,000.
 *
 * <p>After a short spin the waiter on the way naps instead: it sleeps a little, looks once, and keeps its role, so
 * leaves still wake nobody but its core is free while the holder runs. In a stampede the holder comes straight back
 * for its next hold and re-enters first almost every time (a counted run of 64 threads on one bucket handed the
 * place to another thread once in about 1,100 holds), so a spinner mostly burned the second core for nothing.
 * Against spinning for about 80 µs, seven alternating pairs on one bucket read 709,000 to 932,000 holds/s at two
 * threads against 519,000 to 731,000, and 794,000 to 929,000 at 64 threads against 826,000 to 944,000 (means
 * 868,000 and 888,000, within the spread); on PostgreSQL at 64 threads three pairs read 1,339 to 1,673 against 1,119
 * to 1,391, and at two threads the same. The price: a place given back during a nap stays free until the nap ends
 * (about 100 µs here) unless another caller takes it. That costs holds of 5 to 20 µs of CPU each, which no store
 * here has: on a bare gate with two to eight threads, each working about as long outside as inside, it made 13% to
 * 29% fewer entries a second than the 80 µs spin. Holds of 1 µs, and holds sleeping 170 µs or more as a database
 * round trip would, made as many or more.
 *
 * <p>The waiter naps up to {@value #NAPS} times before it sleeps. Against four naps, measured in alternating phases
 * of one process: 64 PostgreSQL buyers on one bucket held 1.031 and 1.080 times as many a second in two runs (16 and
 * 12 cycles), the engine 1.009 times at 64 threads and 1.037 at two, and a bare gate of eight threads sleeping
 * 200 µs inside made 3,157 and 3,029 entries a second against 2,681 and 2,754. With CPU holds of 5 to 20 µs it made
 * as many within the runs' spread (6% either way).
 *
 * <p>Entry is not fair (a running thread may pass waiters), like the non-fair semaphore it replaces; a sleeper is
 * woken whenever a place is free and nobody else is awake to take it. Thread-safe.
 *
 * <p>Public only so that the benchmark module can measure it; the package is not exported.
 */
public final class BucketGate {
    /** Pauses the waiter on the way makes before it starts napping (about 5 µs on the benchmark machine). */
    private static final int SPINS = 1 << 8;
    /** Pauses between two looks at the gate while spinning; a power of two. */
    private static final int SPIN_STRIDE = 64;
    /**
     * Timed sleeps the waiter on the way takes, looking at the gate after each, before it gives up the role and sleeps
     * until woken. While it naps, leaves still wake nobody. Sixteen (about 1.6 ms here) outlast a PostgreSQL hold on
     * the benchmark machine (0.5 to 0.8 ms); four gave up in the middle of one, so that nearly every leave woke a
     * sleeper only for it to find the returning holder back inside.
     */
    private static final int NAPS = 16;
    /** Asked-for length of one nap; Linux's timer slack stretches it to about 100 µs on the benchmark machine. */
    private static final long NAP_NANOS = 20_000;
    private final AtomicInteger free;
    private final ConcurrentLinkedQueue<Thread> sleepers = new ConcurrentLinkedQueue<>();
    /** The one waiter on the way (spinning, napping or just woken) until it enters or sleeps; null when none is. */
    private final AtomicReference<Thread> woken = new AtomicReference<>();

    /**
     * A gate of {@code places} places.
     *
     * @throws io.dhamana.InvalidRequestException if {@code places} is below one
     */
    public BucketGate(int places) {
        this.free = new AtomicInteger(Checks.range("places", places, 1, Integer.MAX_VALUE));
    }

    /** Takes a place if one is free now, without waiting. */
    public boolean tryEnter() {
        for (int f = free.get(); f > 0; f = free.get()) {
            if (free.compareAndSet(f, f - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Takes a place, sleeping until one is free. Not interruptible; an interrupt is kept for the caller. */
    public void enter() {
        if (tryEnter()) {
            return;
        }
        Thread me = Thread.currentThread();
        boolean interrupted = false;
        sleepers.add(me);
        try {
            while (!tryEnter()) {
                // One waiter on the way at a time, woken or newly arrived: while it spins or naps, leaves wake nobody.
                if (woken.get() == me || woken.compareAndSet(null, me)) {
                    if (spinForAPlace()) {
                        break;
                    }
                    boolean in = false;
                    for (int n = 0; n < NAPS && !in; n++) {
                        LockSupport.parkNanos(this, NAP_NANOS);
                        interrupted |= Thread.interrupted();
                        in = free.get() > 0 && tryEnter();
                    }
                    if (in) {
                        break;
                    }
                }
                // Give up being the woken one before sleeping, then look once more: a leave that saw this thread
                // as woken did not wake anybody else, and its free place must not be slept through.
                woken.compareAndSet(me, null);
                if (tryEnter()) {
                    break;
                }
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        } finally {
            sleepers.remove(me);
            woken.compareAndSet(me, null);
            // Places left over (several left while this thread was the woken one): hand the turn on.
            if (free.get() > 0) {
                wakeOne();
            }
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    /** Spins a few microseconds for a free place; leaves during the spin see someone on the way and wake nobody. */
    private boolean spinForAPlace() {
        for (int i = 0; i < SPINS; i++) {
            if ((i & (SPIN_STRIDE - 1)) == 0 && free.get() > 0 && tryEnter()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Gives back a place taken with {@link #enter} or {@link #tryEnter}. */
    public void leave() {
        free.incrementAndGet();
        wakeOne();
    }

    /** Places free now; for tests and diagnostics. */
    int free() {
        return free.get();
    }

    /** Waiters queued now, spinning or asleep; for tests and diagnostics. */
    int sleeping() {
        return sleepers.size();
    }

    private void wakeOne() {
        for (Thread next = sleepers.peek(); next != null; next = sleepers.peek()) {
            if (!woken.compareAndSet(null, next)) {
                return; // someone is already on the way in
            }
            if (sleepers.peek() == next) {
                LockSupport.unpark(next);
                return;
            }
            // It entered and left the queue between the look and the claim: undo the claim and look again, or the
            // claim would outlive it and no later leave would wake anyone.
            woken.compareAndSet(next, null);
        }
    }
}

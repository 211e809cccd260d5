package io.dhamana.jmh;

import io.dhamana.ConflictException;
import io.dhamana.Hold;
import io.dhamana.Operation;
import io.dhamana.OperationListener;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What each hold came to, per benchmark thread, reported by JMH as secondary results next to the throughput.
 *
 * <p>JMH zeroes these fields at the start of every iteration and also counts the calls made while threads line up
 * before and after the measured window, so the rates it prints are a little higher than the primary score: read them
 * as ratios to {@link #holds} (conflicts per hold, retries per hold), which is what the report does. JMH reports
 * them only in throughput mode.
 *
 * <p>Conflicts and retries come from the SDK's {@link OperationListener} callbacks, which run on the calling thread
 * (with combining, on the thread that leads the combined transaction: the sum over threads is still right).
 *
 * <p><b>The end of an iteration runs here, on thread 0.</b> JMH makes every other thread busy-wait while one thread
 * runs a shared state's {@code Level.Iteration} setup or teardown, so on a small machine with 64 threads a
 * one-second audit there takes a minute. Benchmarks therefore hand their end-of-iteration work (the audit, the
 * tally of reported holds) to {@link #startTrial(Runnable)}, and thread 0 runs it from this thread-scoped teardown,
 * after JMH's barrier has stopped every thread, while the others simply finish. Thread 0 also writes the
 * {@link WallClock} check.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class HoldCounters {
    /** The counters of the benchmark thread running now, for the listener. */
    private static final ThreadLocal<HoldCounters> CURRENT = new ThreadLocal<>();
    /** Every thread's counters in this JVM's current trial, so the trial can total what callers were told. */
    private static final Set<HoldCounters> TRIAL = ConcurrentHashMap.newKeySet();
    /** The benchmark's end-of-iteration work. */
    private static volatile Runnable atIterationEnd = () -> { };
    /** Iterations thread 0 has begun and ended: a trial's teardown must wait for the last end. */
    private static final AtomicLong BEGUN = new AtomicLong();
    private static final AtomicLong ENDED = new AtomicLong();

    /** Committed holds (one unit each). */
    public long holds;
    /** Attempts lost to a serialization conflict. */
    public long conflicts;
    /** Attempts started after a lost one. */
    public long retries;
    /** Holds refused as sold out (the stock is sized so this stays 0). */
    public long soldOut;
    /** Holds refused for any other reason, such as a buyer at the per-buyer cap (must stay 0). */
    public long rejected;
    /** Holds that failed with an exception after their retries (counted, not rethrown). */
    public long failed;
    /**
     * Units held beyond capacity, as the audit counted them from committed rows when the iteration ended (0 for
     * everything but the naive foil). Written by {@link #reportOversold(long)}.
     */
    public long oversold;

    /** When this thread's iteration began (not a counter: JMH reports public fields only). */
    private long startedNanos;

    /** Joins the current trial; called by JMH on the benchmark thread. */
    @Setup(Level.Trial)
    public void joinTrial() {
        TRIAL.add(this);
    }

    /** Binds these counters to the benchmark thread for the listener and notes when the iteration began. */
    @Setup(Level.Iteration)
    public void bind(ThreadParams thread) {
        CURRENT.set(this);
        startedNanos = System.nanoTime();
        if (thread.getThreadIndex() == 0) {
            BEGUN.incrementAndGet();
        }
    }

    /**
     * On thread 0, once every thread has stopped: the wall-clock check, then the benchmark's end-of-iteration work.
     * JMH reads this thread's counters after the teardown, so whatever that work reports lands in this iteration.
     */
    @TearDown(Level.Iteration)
    public void endIteration(ThreadParams thread, WallClock wall) {
        if (thread.getThreadIndex() != 0) {
            return;
        }
        long now = System.nanoTime();
        long first = now;
        long total = 0;
        for (HoldCounters c : TRIAL) {
            first = Math.min(first, c.startedNanos);
            total += c.holds;
        }
        wall.holdsPerSecond = now > first ? Math.round(total * 1e9 / (now - first)) : 0;
        try {
            atIterationEnd.run();
        } finally {
            ENDED.incrementAndGet();
        }
    }

    /**
     * Waits until thread 0 has finished the end-of-iteration work of every iteration begun. A shared state's
     * {@code @TearDown(Level.Trial)} may start on another thread while thread 0 is still auditing the last
     * iteration; it must call this first.
     */
    static void awaitIterationEnds() {
        while (ENDED.get() < BEGUN.get()) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Starts a trial in this JVM: forgets the counters of an earlier one (in-process runs reuse the JVM) and takes
     * the work thread 0 runs after every iteration. Call it from the shared state's {@code @Setup(Level.Trial)},
     * which JMH runs before any thread state is set up.
     */
    static void startTrial(Runnable iterationEnd) {
        TRIAL.clear();
        BEGUN.set(0);
        ENDED.set(0);
        atIterationEnd = iterationEnd;
    }

    /**
     * Committed holds over every thread in this iteration, as callers were told. Exact only once all threads have
     * left the measured loop, as in the end-of-iteration work.
     */
    static long holdsThisIteration() {
        long sum = 0;
        for (HoldCounters c : TRIAL) {
            sum += c.holds;
        }
        return sum;
    }

    /** Adds what an audit at the end of this iteration found oversold; call it from the end-of-iteration work. */
    static void reportOversold(long units) {
        HoldCounters mine = CURRENT.get();
        if (mine != null) {
            mine.oversold += units;
        }
    }

    /** Records one SDK hold outcome. */
    void record(Outcome<Hold> outcome) {
        if (outcome instanceof Outcome.Ok<Hold>) {
            holds++;
        } else if (((Outcome.Rejected<Hold>) outcome).rejection() instanceof Rejection.SoldOut) {
            soldOut++;
        } else {
            rejected++;
        }
    }

    /** Counts conflicts and retries of holds into the calling thread's counters. */
    static final class Listener implements OperationListener {
        @Override
        public void onAttempt(Operation operation, int attempt) {
            if (operation == Operation.HOLD && attempt > 1) {
                HoldCounters c = CURRENT.get();
                if (c != null) {
                    c.retries++;
                }
            }
        }

        @Override
        public void onConflict(Operation operation, int attempt, ConflictException conflict) {
            if (operation == Operation.HOLD) {
                HoldCounters c = CURRENT.get();
                if (c != null) {
                    c.conflicts++;
                }
            }
        }
    }
}

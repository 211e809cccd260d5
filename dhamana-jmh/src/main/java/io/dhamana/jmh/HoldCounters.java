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

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class HoldCounters {
    /** The counters of the benchmark thread running now, for the listener. */
    private static final ThreadLocal<HoldCounters> CURRENT = new ThreadLocal<>();
    /** Every thread's counters in this JVM's current trial, so the trial can total what callers were told. */
    private static final Set<HoldCounters> TRIAL = ConcurrentHashMap.newKeySet();

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

    /** Joins the current trial; called by JMH on the benchmark thread. */
    @Setup(Level.Trial)
    public void joinTrial() {
        TRIAL.add(this);
    }

    /** Binds these counters to the benchmark thread for the listener. */
    @Setup(Level.Iteration)
    public void bind() {
        CURRENT.set(this);
    }

    /** Forgets the counters of an earlier trial run in this JVM (in-process runs reuse the JVM). */
    static void startTrial() {
        TRIAL.clear();
    }

    /**
     * Committed holds over every thread in this iteration, as callers were told. Exact only once all threads have
     * left the measured loop, as in an {@code @TearDown(Level.Iteration)} of a shared state.
     */
    static long holdsThisIteration() {
        long sum = 0;
        for (HoldCounters c : TRIAL) {
            sum += c.holds;
        }
        return sum;
    }

    /**
     * Adds what an audit at the end of this iteration found oversold. Call it from a shared state's
     * {@code @TearDown(Level.Iteration)}: that runs on one benchmark thread, and JMH builds that thread's results
     * after the teardown, so the figure lands in the iteration it belongs to.
     */
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

package io.dhamana.jmh;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.Limits;
import io.dhamana.TicketingClient;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

import java.net.URI;

/**
 * One benchmark thread's own verified buyers, used in turn. A buyer may hold at most
 * {@link Limits#MAX_PER_BUYER_CAP} units at one event, and a benchmark makes millions of holds, so each thread rotates
 * over enough buyers that none reaches the cap even if that thread alone took twice its share of the stock. Threads
 * never share a buyer, so the allowance rows (one per buyer, written by every hold) add no contention of their own:
 * only the stock buckets are contended, which is what the benchmark is about.
 *
 * <p>The shared benchmark state sizes the pools with {@link #plan(long, int)} in its trial setup, which JMH runs
 * before any thread state is set up, and names the client and event to hold at with
 * {@link HoldWorkload#target}. Each thread then verifies its own buyers there, in parallel, the first time an
 * iteration starts on a new event; or the state verifies everyone's first with {@link #verifyAll} and names the
 * target with {@link HoldWorkload#targetVerified} (PostgreSQL, so the tables can be analyzed before the sale).
 */
@State(Scope.Thread)
public class BuyerPool {
    private static final URI EVIDENCE = URI.create("https://id.example/bench");
    private static volatile int perThread = 1;

    private BuyerId[] buyers;
    private int next;
    private long verifiedFor = -1;

    /**
     * Sizes every thread's pool for a trial in which at most {@code units} units can be held at one event.
     *
     * @return buyers per thread
     */
    static int plan(long units, int threads) {
        perThread = poolSize(units, threads);
        return perThread;
    }

    /** Buyers per thread so that twice a thread's share of {@code units} stays within the per-buyer cap. */
    static int poolSize(long units, int threads) {
        long total = Math.max(1, (2 * units + Limits.MAX_PER_BUYER_CAP - 1) / Limits.MAX_PER_BUYER_CAP);
        return (int) Math.max(2, (total + threads - 1) / threads);
    }

    /** Buyers per thread in the current trial. */
    static int perThread() {
        return perThread;
    }

    /** The id of a thread's {@code i}-th buyer. */
    static BuyerId buyer(int thread, int i) {
        return BuyerId.of("t" + thread + "-b" + i);
    }

    /** Takes this thread's buyers, as {@link #plan(long, int)} sized them. */
    @Setup(Level.Trial)
    public void setup(ThreadParams thread) {
        int n = perThread;
        buyers = new BuyerId[n];
        for (int i = 0; i < n; i++) {
            buyers[i] = buyer(thread.getThreadIndex(), i);
        }
        next = 0;
    }

    /** Verifies this thread's buyers at the current target, once per event. */
    @Setup(Level.Iteration)
    public void verifyAtTarget() {
        HoldWorkload.Target target = HoldWorkload.target();
        if (target == null || target.generation() == verifiedFor) {
            return;
        }
        if (!target.verified()) {
            for (BuyerId b : buyers) {
                target.client().verifyFan(target.event(), b, EVIDENCE).value();
            }
        }
        verifiedFor = target.generation();
    }

    /** Verifies, from one thread, the buyers every one of {@code threads} threads will hold for in this trial. */
    static void verifyAll(TicketingClient client, EventId event, int threads) {
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                client.verifyFan(event, buyer(t, i), EVIDENCE).value();
            }
        }
    }

    /** The next buyer in turn. */
    BuyerId next() {
        BuyerId b = buyers[next];
        next = next + 1 == buyers.length ? 0 : next + 1;
        return b;
    }
}

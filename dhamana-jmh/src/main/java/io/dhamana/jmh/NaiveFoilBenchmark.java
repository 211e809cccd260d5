package io.dhamana.jmh;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.foil.NaiveCountThenInsert;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The way a purchase is usually written, on the in-process engine: count what is sold, and if there is room insert a
 * hold ({@link NaiveCountThenInsert}: no guard row, no retry loop). It oversells under concurrency, and the audit
 * says by how much; its speed is that of a count over the drop's holds plus two inserts.
 *
 * <p>Oversell only shows when stock runs out, so this benchmark sells a sequence of drops of {@code dropCapacity}
 * units each: the thread that is first told "sold out" opens the next drop (a fresh store and event; the naive count
 * reads every hold, so a drop is kept small). When the iteration ends every drop is audited, and the units held
 * beyond capacity are reported as the {@code oversold} secondary result, a rate like the other counters, so its ratio
 * to {@code holds} is oversold units per hold. The other violations the foil causes by design (it takes no stock from
 * buckets and charges no allowance, so the audit also reports stock and allowance drift) are expected; drift in the
 * operation log is not, and fails the trial.
 *
 * <pre>
 * java -jar dhamana-jmh/target/benchmarks.jar NaiveFoilBenchmark -t 16 -bm thrpt -rf json -rff foil.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class NaiveFoilBenchmark {
    /** Units per drop. */
    @Param({"1000"})
    public int dropCapacity;

    /** One drop: its own store, so the naive count never reads other drops' holds. */
    static final class Drop {
        final EngineStore store = EngineStore.create();
        final TicketingClient client = HoldWorkload.client(store, false);
        final NaiveCountThenInsert foil = new NaiveCountThenInsert(store, Duration.ZERO);
        final EventId event;

        Drop(String id, int capacity) {
            event = HoldWorkload.createEvent(client, id, capacity, 1);
        }

        void close() {
            client.close();
            store.close();
        }
    }

    private final AtomicReference<Drop> current = new AtomicReference<>();
    private final Queue<Drop> retired = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drops = new AtomicInteger();
    private final TrialAudit audit = new TrialAudit("naive count-then-insert on the in-process engine",
            "every reported hold in the rows (oversold units are reported, not failed)");
    private long oversoldTotal;

    /** A thread's buyer: the foil checks no verification and no cap, so one id per thread will do. */
    @State(Scope.Thread)
    public static class Desk {
        BuyerId buyer;

        /** Names the thread's buyer. */
        @Setup(Level.Trial)
        public void setup(ThreadParams thread) {
            buyer = BuyerPool.buyer(thread.getThreadIndex(), 0);
        }
    }

    /** Starts counting for a new trial. */
    @Setup(Level.Trial)
    public void trial() {
        HoldCounters.startTrial(this::auditDrops);
    }

    /** Opens the iteration's first drop. */
    @Setup(Level.Iteration)
    public void firstDrop() {
        current.set(new Drop("drop-" + drops.incrementAndGet(), dropCapacity));
    }

    /** One naive hold of one unit; "sold out" opens the next drop. */
    @Benchmark
    public boolean hold(Desk desk, HoldCounters counters) {
        Drop drop = current.get();
        boolean held;
        try {
            held = drop.foil.holdUnits(drop.event, HoldWorkload.FLOOR, desk.buyer, 1);
        } catch (ConflictException e) {
            counters.conflicts++; // the foil has no retry loop: the caller sees the error
            counters.failed++;
            return false;
        }
        if (held) {
            counters.holds++;
        } else {
            counters.soldOut++;
            nextDrop(drop);
        }
        return held;
    }

    private void nextDrop(Drop soldOut) {
        if (current.get() != soldOut) {
            return;
        }
        Drop next = new Drop("drop-" + drops.incrementAndGet(), dropCapacity);
        if (current.compareAndSet(soldOut, next)) {
            retired.add(soldOut);
        } else {
            next.close();
        }
    }

    /** Audits every drop of the iteration, reports what was oversold, and lets the drops go (thread 0). */
    void auditDrops() {
        List<Drop> all = new ArrayList<>(retired);
        all.add(current.get());
        retired.clear();
        long oversold = 0;
        long held = 0;
        for (Drop d : all) {
            AuditReport r = d.client.audit(d.event);
            oversold += r.oversoldUnits();
            held += r.heldUnits();
            if (r.ledgerDrift() != 0 || r.negativeBuckets() != 0 || r.doubleBookedSeats() != 0
                    || r.moneyImbalanceMinor() != 0) {
                audit.fail("drop " + d.event + " broke more than the foil breaks: " + r.summary());
            }
            d.close();
        }
        long told = HoldCounters.holdsThisIteration();
        if (held != told) {
            audit.fail("the drops hold " + held + " units but callers were told " + told);
        } else {
            audit.pass(held);
        }
        oversoldTotal += oversold;
        HoldCounters.reportOversold(oversold);
    }

    /** Fails the trial if an audit found more broken than the foil breaks by design. */
    @TearDown(Level.Trial)
    public void verdict() {
        HoldCounters.awaitIterationEnds();
        audit.verdict();
        System.out.printf("# The naive foil oversold %,d unit(s) over %,d drop(s) of %,d (warm-up included)%n",
                oversoldTotal, drops.get(), dropCapacity);
    }
}

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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The way a purchase is usually written, on the in-process engine: count what is sold, and if there is room insert a
 * hold ({@link NaiveCountThenInsert}: no guard row, no retry loop). It oversells under concurrency, and the audit
 * says by how much; its speed is that of a count over the drop's holds plus two inserts.
 *
 * <p>Oversell only shows when stock runs out, so this benchmark sells a sequence of drops of {@code dropCapacity}
 * units each (a fresh store and event; the naive count reads every hold, so a drop is kept small). The drops are
 * built ahead by a builder thread of the benchmark's own ({@link DropLine}), never in the measured method: the first
 * thread told "sold out" claims the drop by a compare-and-set and swaps in a spare that is already built; the threads
 * that lose the claim build nothing. The builder keeps {@value DropLine#SPARES} spares ready and builds one drop
 * per {@code dropCapacity} holds, so on a machine whose cores the benchmark threads already fill it still takes its
 * small share of CPU time from them; a measured thread waits for it only when no spare is ready, and the trial's
 * closing line says how many times that happened. When the iteration ends every drop is audited, and the units held
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
        /** Set by the one thread that swaps in the next drop once this one is sold out. */
        final AtomicBoolean replaced = new AtomicBoolean();

        Drop(String id, int capacity) {
            event = HoldWorkload.createEvent(client, id, capacity, 1);
        }

        void close() {
            client.close();
            store.close();
        }
    }

    /**
     * The drop on sale, the sold-out drops waiting for the audit, and the spares a builder thread prepares so that no
     * benchmark thread builds a drop. {@link #installed()} counts the drops put on sale, and only those.
     */
    static final class DropLine implements AutoCloseable {
        /** Drops built ahead. */
        static final int SPARES = 4;
        private final BlockingQueue<Drop> spares = new ArrayBlockingQueue<>(SPARES);
        private final AtomicReference<Drop> current = new AtomicReference<>();
        private final Queue<Drop> retired = new ConcurrentLinkedQueue<>();
        private final AtomicInteger installed = new AtomicInteger();
        private final AtomicInteger built = new AtomicInteger();
        private final AtomicLong waits = new AtomicLong();
        private final Thread builder;
        private volatile Throwable builderFailure;

        /** Starts the builder thread, which keeps {@link #SPARES} drops of {@code capacity} units ready. */
        DropLine(int capacity) {
            builder = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Drop d = new Drop("drop-" + built.incrementAndGet(), capacity);
                        try {
                            spares.put(d);
                        } catch (InterruptedException e) {
                            d.close();
                            return;
                        }
                    }
                } catch (RuntimeException | Error e) {
                    builderFailure = e;
                }
            }, "naive-foil-drop-builder");
            builder.setDaemon(true);
            builder.start();
        }

        /** The drop on sale. */
        Drop current() {
            return current.get();
        }

        /** Puts a first drop on sale (iteration setup, not measured). */
        void open() {
            Drop next = spares.poll();
            install(next != null ? next : awaitSpare());
        }

        /**
         * Swaps a ready spare in for {@code soldOut}, if no other thread has claimed that already; a thread that
         * loses the claim returns at once.
         */
        void replace(Drop soldOut) {
            if (soldOut.replaced.compareAndSet(false, true)) {
                retired.add(soldOut);
                Drop next = spares.poll();
                if (next == null) {
                    waits.incrementAndGet();
                    next = awaitSpare();
                }
                install(next);
            }
        }

        private void install(Drop next) {
            current.set(next);
            installed.incrementAndGet();
        }

        private Drop awaitSpare() {
            Drop next = null;
            try {
                while (next == null) {
                    if (builderFailure != null) {
                        throw new IllegalStateException("the drop builder failed", builderFailure);
                    }
                    next = spares.poll(10, TimeUnit.MILLISECONDS);
                }
                return next;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a drop", e);
            }
        }

        /** Every drop put on sale since the last call, the one on sale now last (it stays on sale until the next). */
        List<Drop> takeAll() {
            List<Drop> all = new ArrayList<>();
            for (Drop d; (d = retired.poll()) != null; ) {
                all.add(d);
            }
            Drop last = current.get();
            if (last != null) {
                all.add(last);
            }
            return all;
        }

        /** Drops put on sale. */
        int installed() {
            return installed.get();
        }

        /** Drops the builder has built, spares included. */
        int built() {
            return built.get();
        }

        /** Times a thread told "sold out" found no spare ready and had to wait for the builder. */
        long waits() {
            return waits.get();
        }

        /** Stops the builder and closes the spares it left. */
        @Override
        public void close() {
            builder.interrupt();
            try {
                builder.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (Drop d; (d = spares.poll()) != null; ) {
                d.close();
            }
        }
    }

    private DropLine line;
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
        line = new DropLine(dropCapacity);
        HoldCounters.startTrial(this::auditDrops);
    }

    /** Opens the iteration's first drop. */
    @Setup(Level.Iteration)
    public void firstDrop() {
        line.open();
    }

    /** One naive hold of one unit; "sold out" swaps in the next drop, built ahead. */
    @Benchmark
    public boolean hold(Desk desk, HoldCounters counters) {
        Drop drop = line.current();
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
            line.replace(drop);
        }
        return held;
    }

    /** Audits every drop of the iteration, reports what was oversold, and lets the drops go (thread 0). */
    void auditDrops() {
        List<Drop> all = line.takeAll();
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
        line.close();
        System.out.printf("# The naive foil oversold %,d unit(s) over %,d drop(s) of %,d (warm-up included); the"
                + " drops were built ahead, and a hold waited for one %,d time(s)%n", oversoldTotal,
                line.installed(), dropCapacity, line.waits());
        audit.verdict();
    }
}

package io.dhamana.jmh;

import io.dhamana.AuditReport;
import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.Limits;
import io.dhamana.Outcome;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;

/**
 * General-admission holds through the SDK on the in-process engine: one unit per hold, each thread a buyer desk
 * rotating over its own verified buyers, the section's stock split over {@code buckets} rows.
 *
 * <p>Concurrency is JMH's thread count ({@code -t}); the runner sweeps 1, 4, 16 and 64. {@code combining} turns on
 * the client's hold combining (concurrent holds on one bucket served by one transaction).
 *
 * <p><b>Memory.</b> The engine keeps every hold: about 600 bytes each with its log row and versions (measured with
 * 500,000 holds), and it can make a million or more a second. So each <em>iteration</em> starts from a fresh store
 * and a fresh event of {@value #CAPACITY} units (the largest section allowed, ten seconds of stock at a million holds
 * a second), and is audited when it ends, and JMH runs a GC between iterations ({@code -gc true}). An iteration
 * allocates about 1.5 KB per hold, so the young generation is sized for no collection to fall inside one: a
 * collection there copies the live holds (a gigabyte or more, pauses of 0.5 to 5.7 s were measured). The heap is
 * fixed at 16 GB with a 13 GB young generation (about 11.4 GB of eden), touched at start-up. The eden has to hold
 * more than one measured second: JMH keeps every thread running while the others line up before and after the
 * window, and at 64 threads on two cores an iteration of one second made up to 3.5 million holds (5.2 GB) on 16
 * buckets and more than 6 GB worth on 64. Two smaller layouts were outgrown in turn. With 5 GB (3.2 GB of eden, 1 GB
 * old generation), 64 buyers on 16 buckets made 17 collections in a trial besides the ones between iterations, the
 * wall clock read 542,000 to 607,000 holds/s, and in the first full run of the suite a collection promoted more live
 * holds than the old generation could take and the fork died ("GC overhead limit exceeded"). With 10 GB (6.1 GB of
 * eden), 64 buyers on 16 buckets fitted, but on 64 buckets every measured iteration made one young collection of
 * 4.5 to 5.7 s copying about 2.7 GB of live holds, and the wall clock read 425,000 to 900,000 holds/s. In this layout
 * the same point made no collection outside the ones between iterations and read 818,000 to 967,000. The old
 * generation of 3 GB is headroom for what a collection inside an iteration would promote.
 *
 * <p>The heap is on transparent huge pages: the hold and log tables are hash tables of millions of bins, every
 * insert lands on a random one, and with 4 KB pages most of those inserts also missed the TLB (16 buyers at 64
 * buckets, two alternating pairs of runs: 947,484 and 972,390 holds/s with huge pages, 853,488 and 874,766 without,
 * and a much wider spread between iterations without).
 *
 * <p><b>Audit.</b> After every iteration {@code client.audit(event)} must be clean, show nothing oversold, and count
 * exactly the units callers were told they hold; otherwise the trial throws from its {@code @TearDown(Level.Trial)}.
 * The audit runs on thread 0 once all threads have stopped ({@link HoldCounters}), and every thread verifies its own
 * buyers when an iteration starts; the shared iteration setup only makes the store and event, because JMH makes the
 * other threads spin while it runs.
 *
 * <pre>
 * java -jar dhamana-jmh/target/benchmarks.jar EngineHoldBenchmark -t 16 -p buckets=1,64 -p combining=false \
 *      -bm thrpt -gc true -rf json -rff engine.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms16g", "-Xmx16g", "-Xmn13g", "-XX:SurvivorRatio=14", "-XX:+AlwaysPreTouch",
        "-XX:+UseParallelGC", "-XX:+UseTransparentHugePages"})
public class EngineHoldBenchmark {
    /** Units per iteration. */
    static final int CAPACITY = Limits.MAX_SECTION_CAPACITY;
    /** Holds one iteration of a second or two is expected to take at most. */
    static final long EXPECTED_HOLDS = 2_000_000;

    /** Stock rows the section is split over. */
    @Param({"1", "2", "4", "8", "16", "32", "64"})
    public int buckets;

    /** Whether the client combines concurrent holds on one bucket into one transaction. */
    @Param({"false", "true"})
    public boolean combining;

    private final TrialAudit audit = new TrialAudit("SDK on the in-process engine", HoldWorkload.CLEAN);
    private int iteration;
    private EngineStore store;
    private TicketingClient client;
    private EventId event;

    /** Sizes the buyer pools for the trial's thread count. */
    @Setup(Level.Trial)
    public void trial(BenchmarkParams params) {
        HoldCounters.startTrial(this::auditAndDrop);
        BuyerPool.plan(CAPACITY, params.getThreads());
    }

    /** A fresh store, event and verified buyers for every iteration. */
    @Setup(Level.Iteration)
    public void freshStore() {
        // Sized like a hash map's initial capacity for what an iteration holds, so the engine does not spend the
        // measurement rehashing its hold and log tables as they grow into the millions.
        store = EngineStore.builder().expectedHolds(EXPECTED_HOLDS).build();
        client = HoldWorkload.client(store, combining);
        event = HoldWorkload.createEvent(client, "engine-" + iteration++, CAPACITY, buckets);
        HoldWorkload.target(client, event); // each thread verifies its own buyers there
    }

    /** One hold of one unit by the thread's next buyer. */
    @Benchmark
    public Outcome<Hold> hold(BuyerPool buyers, HoldCounters counters) {
        return HoldWorkload.hold(client, event, buyers, counters);
    }

    /** Audits the iteration's event, then drops the store so its holds can be collected (thread 0, see HoldCounters). */
    void auditAndDrop() {
        AuditReport report = client.audit(event);
        audit.check(report, HoldCounters.holdsThisIteration());
        client.close();
        store.close();
        HoldWorkload.clearTarget();
        client = null;
        store = null;
    }

    /** Fails the trial if any iteration's audit failed. */
    @TearDown(Level.Trial)
    public void verdict() {
        HoldCounters.awaitIterationEnds();
        audit.verdict();
    }
}

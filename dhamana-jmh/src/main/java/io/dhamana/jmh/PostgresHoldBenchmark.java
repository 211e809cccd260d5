package io.dhamana.jmh;

import io.dhamana.AuditReport;
import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.Outcome;
import io.dhamana.TicketingClient;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
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
 * General-admission holds through the SDK on its PostgreSQL store: the same workload as
 * {@link EngineHoldBenchmark} (one unit per hold, each thread rotating over its own verified buyers, the section's
 * stock over {@code buckets} rows), against the server the runner started or the one named by
 * {@link BenchDatabase#URL_PROPERTY}.
 *
 * <p>Each trial starts from an empty schema ({@value #SCHEMA}, dropped and installed again by the store) and a new
 * event of {@value #CAPACITY} units, more than any trial can sell; the pool has one connection per buyer thread.
 * After the trial, {@code client.audit(event)} must be clean, show nothing oversold and count exactly the holds
 * callers were told about, or the trial throws.
 *
 * <pre>
 * java -jar dhamana-jmh/target/benchmarks.jar PostgresHoldBenchmark -t 16 -p buckets=1,64 -p combining=false \
 *      -p isolation=SERIALIZABLE -bm thrpt \
 *      -jvmArgsPrepend -Ddhamana.bench.jdbcUrl=jdbc:postgresql://localhost:5432/postgres
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class PostgresHoldBenchmark {
    /** Units for sale per trial. */
    static final int CAPACITY = 2_000_000;
    /** The store's schema for the benchmark, never the application's. */
    static final String SCHEMA = "dhamana_bench";

    /** Stock rows the section is split over. */
    @Param({"1", "2", "4", "8", "16", "32", "64"})
    public int buckets;

    /** Whether the client combines concurrent holds on one bucket into one transaction. */
    @Param({"false", "true"})
    public boolean combining;

    /** The store's isolation level. */
    @Param({"SERIALIZABLE"})
    public PostgresIsolation isolation;

    private final TrialAudit audit = new TrialAudit("SDK on PostgreSQL", HoldWorkload.CLEAN);
    private PostgresStore store;
    private TicketingClient client;
    private EventId event;
    private long told;

    /** An empty schema, a store with one connection per thread, and a new event to hold at. */
    @Setup(Level.Trial)
    public void trial(BenchmarkParams params) {
        int threads = params.getThreads();
        HoldCounters.startTrial(() -> told += HoldCounters.holdsThisIteration());
        BuyerPool.plan(CAPACITY, threads);
        BenchDatabase.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        BenchDatabase.Coordinates db = BenchDatabase.coordinates();
        store = PostgresStore.builder()
                .jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .isolation(isolation)
                .schema(SCHEMA)
                .maxPoolSize(threads + 2)
                .build();
        client = HoldWorkload.client(store, combining);
        event = HoldWorkload.createEvent(client, "pg-" + buckets + "-" + threads, CAPACITY, buckets);
        // Fans are verified before the sale and the planner knows the tables, as it would long before an on-sale:
        // with statistics from before the verifications it reads all of an event's allowances to find one.
        BuyerPool.verifyAll(client, event, threads);
        HoldWorkload.targetVerified(client, event);
        BenchDatabase.execute("VACUUM ANALYZE " + SCHEMA + ".stock_bucket", "VACUUM ANALYZE " + SCHEMA + ".allowance",
                "CHECKPOINT");
    }

    /** One hold of one unit by the thread's next buyer. */
    @Benchmark
    public Outcome<Hold> hold(BuyerPool buyers, HoldCounters counters) {
        return HoldWorkload.hold(client, event, buyers, counters);
    }

    /** Audits the trial's event once thread 0 has tallied the last iteration, then closes the client and store. */
    @TearDown(Level.Trial)
    public void auditAndClose() {
        HoldCounters.awaitIterationEnds();
        try {
            AuditReport report = client.audit(event);
            audit.check(report, told);
        } finally {
            client.close();
            store.close();
        }
        audit.verdict();
    }
}

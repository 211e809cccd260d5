package io.dhamana.jmh;

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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Baseline, plain JDBC and no SDK: a hold is one conditional {@code UPDATE} of a stock row in autocommit at READ
 * COMMITTED. With {@code buckets=1} it is the one hot row everyone writes
 * ({@code UPDATE bench_stock SET remaining = remaining - 1 WHERE bucket = 1 AND remaining > 0}); with more, each
 * hold picks a row uniformly at random, as a hand-rolled sharded counter does (the project's own pgbench baseline,
 * {@link PgbenchBaseline}, keeps each client to one bucket instead, as the SDK's least-busy selection spreads
 * callers). READ COMMITTED never aborts this statement: a second writer waits for the row lock and re-checks
 * {@code remaining > 0}, so there are no retries, only waiting.
 *
 * <p>It records the stock and nothing else (no hold row, no buyer, no log), so it is the ceiling for one durable
 * write per hold, not a like-for-like competitor. The stock table is recreated per trial with 10<sup>12</sup> units
 * per row. The trial's audit: no row below zero, and the units taken equal the holds callers were told about.
 *
 * <pre>
 * java -jar dhamana-jmh/target/benchmarks.jar HotRowBenchmark -t 16 -p buckets=1,64 -bm thrpt \
 *      -jvmArgsPrepend -Ddhamana.bench.jdbcUrl=jdbc:postgresql://localhost:5432/postgres
 * </pre>
 * (Without a URL the benchmark JVM starts an embedded PostgreSQL server of its own.)
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class HotRowBenchmark {
    static final long UNITS_PER_ROW = 1_000_000_000_000L;

    /** Stock rows; 1 is the single hot row. */
    @Param({"1", "2", "4", "8", "16", "32", "64"})
    public int buckets;

    private final TrialAudit audit = new TrialAudit("one conditional UPDATE per hold (PostgreSQL, READ COMMITTED)",
            "no row below zero, every reported hold taken from stock");
    private long told;

    /** A benchmark thread's connection. */
    @State(Scope.Thread)
    public static class Session {
        Connection connection;
        PreparedStatement take;

        /** One autocommit connection at READ COMMITTED per benchmark thread. */
        @Setup(Level.Trial)
        public void open() throws SQLException {
            connection = BenchDatabase.coordinates().connect();
            connection.setAutoCommit(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            take = connection.prepareStatement(
                    "UPDATE bench_stock SET remaining = remaining - 1 WHERE bucket = ? AND remaining > 0");
        }

        /** Closes the thread's connection. */
        @TearDown(Level.Trial)
        public void close() throws SQLException {
            connection.close();
        }
    }

    /** Recreates the stock table for the trial. */
    @Setup(Level.Trial)
    public void createStock() {
        HoldCounters.startTrial(() -> told += HoldCounters.holdsThisIteration());
        BenchDatabase.execute(
                "DROP TABLE IF EXISTS bench_stock",
                "CREATE TABLE bench_stock (bucket int PRIMARY KEY, remaining bigint NOT NULL CHECK (remaining >= 0))"
                        + " WITH (fillfactor = 50)",
                "INSERT INTO bench_stock SELECT b, " + UNITS_PER_ROW + " FROM generate_series(1, " + buckets + ") b",
                "VACUUM ANALYZE bench_stock");
    }

    /** One hold: one autocommit conditional UPDATE on a random stock row. */
    @Benchmark
    public int hold(Session session, HoldCounters counters) throws SQLException {
        int bucket = buckets == 1 ? 1 : 1 + ThreadLocalRandom.current().nextInt(buckets);
        session.take.setInt(1, bucket);
        int updated = session.take.executeUpdate();
        if (updated == 1) {
            counters.holds++;
        } else {
            counters.soldOut++;
        }
        return updated;
    }

    /** Adds the iteration's reported holds to the trial's total. */

    /** Checks the stock against the holds reported, and fails the trial if they disagree. */
    @TearDown(Level.Trial)
    public void auditStock() {
        HoldCounters.awaitIterationEnds();
        long negative = BenchDatabase.queryLong("SELECT count(*) FROM bench_stock WHERE remaining < 0");
        long taken = BenchDatabase.queryLong("SELECT coalesce(sum(" + UNITS_PER_ROW + " - remaining), 0)::bigint"
                + " FROM bench_stock");
        if (negative != 0 || taken != told) {
            audit.fail(negative + " row(s) below zero; " + taken + " units taken but callers were told " + told);
        } else {
            audit.pass(taken);
        }
        audit.verdict();
    }
}

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
import org.openjdk.jmh.infra.ThreadParams;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Baseline, plain JDBC and no SDK: one row per sellable unit, claimed the way alf.io sells
 * (a free row taken with {@code SKIP LOCKED}). In one READ COMMITTED transaction:
 * <pre>
 * SELECT id FROM bench_seat WHERE status = 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
 * UPDATE bench_seat SET status = 1, holder = ? WHERE id = ?;
 * COMMIT;
 * </pre>
 * Rows already locked by another buyer are skipped, so buyers never wait on each other and never conflict; the cost
 * is three round trips per hold and a scan past the rows others hold locked. A partial index on the free rows keeps
 * the scan short. There are no buckets: each unit is its own row, so the chart draws it flat across bucket counts.
 *
 * <p>The table is recreated per trial with {@code seats} rows (the runner sizes it so a trial cannot sell out; a
 * sold-out shows as the {@code soldOut} counter). The trial's audit: every claimed row has a holder, and the rows
 * claimed equal the holds callers were told about (a unit can never be claimed twice: it is one row).
 *
 * <pre>
 * java -jar dhamana-jmh/target/benchmarks.jar SkipLockedBenchmark -t 16 -p seats=1000000 -bm thrpt \
 *      -jvmArgsPrepend -Ddhamana.bench.jdbcUrl=jdbc:postgresql://localhost:5432/postgres
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class SkipLockedBenchmark {
    /** Rows (units) for sale in one trial. */
    @Param({"1000000"})
    public int seats;

    private final TrialAudit audit = new TrialAudit("per-seat rows with FOR UPDATE SKIP LOCKED (PostgreSQL, READ"
            + " COMMITTED)", "every reported hold is exactly one claimed row");
    private long told;

    /** A benchmark thread's connection. */
    @State(Scope.Thread)
    public static class Session {
        Connection connection;
        PreparedStatement claim;
        PreparedStatement take;
        int holder;

        /** One READ COMMITTED connection (autocommit off) per benchmark thread. */
        @Setup(Level.Trial)
        public void open(ThreadParams thread) throws SQLException {
            holder = thread.getThreadIndex() + 1;
            connection = BenchDatabase.coordinates().connect();
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            claim = connection.prepareStatement(
                    "SELECT id FROM bench_seat WHERE status = 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED");
            take = connection.prepareStatement("UPDATE bench_seat SET status = 1, holder = ? WHERE id = ?");
        }

        /** Closes the thread's connection. */
        @TearDown(Level.Trial)
        public void close() throws SQLException {
            connection.rollback();
            connection.close();
        }
    }

    /** Recreates the seat table for the trial. */
    @Setup(Level.Trial)
    public void createSeats() {
        HoldCounters.startTrial(() -> told += HoldCounters.holdsThisIteration());
        BenchDatabase.execute(
                "DROP TABLE IF EXISTS bench_seat",
                "CREATE TABLE bench_seat (id int PRIMARY KEY, status smallint NOT NULL DEFAULT 0, holder int)",
                "INSERT INTO bench_seat (id) SELECT generate_series(1, " + seats + ")",
                "CREATE INDEX bench_seat_free ON bench_seat (id) WHERE status = 0",
                "VACUUM ANALYZE bench_seat");
    }

    /** One hold: claim the first free row nobody has locked, mark it held, commit. */
    @Benchmark
    public int hold(Session s, HoldCounters counters) throws SQLException {
        int id;
        try (ResultSet r = s.claim.executeQuery()) {
            id = r.next() ? r.getInt(1) : 0;
        }
        if (id == 0) {
            s.connection.rollback();
            counters.soldOut++;
            return 0;
        }
        s.take.setInt(1, s.holder);
        s.take.setInt(2, id);
        s.take.executeUpdate();
        s.connection.commit();
        counters.holds++;
        return id;
    }

    /** Adds the iteration's reported holds to the trial's total. */

    /** Checks the claimed rows against the holds reported, and fails the trial if they disagree. */
    @TearDown(Level.Trial)
    public void auditSeats() {
        HoldCounters.awaitIterationEnds();
        long claimed = BenchDatabase.queryLong("SELECT count(*) FROM bench_seat WHERE status = 1");
        long orphans = BenchDatabase.queryLong("SELECT count(*) FROM bench_seat WHERE status = 1 AND holder IS NULL");
        if (claimed != told || orphans != 0) {
            audit.fail(claimed + " rows claimed (" + orphans + " without a holder) but callers were told " + told);
        } else {
            audit.pass(claimed);
        }
        audit.verdict();
    }
}

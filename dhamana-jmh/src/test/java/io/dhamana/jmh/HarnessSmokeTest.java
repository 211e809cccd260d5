package io.dhamana.jmh;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs each benchmark for a moment inside this JVM (no fork), so {@code mvn verify} catches a broken harness: state
 * setup and teardown, the audit at the end of every trial (a failed audit fails the run), and the counters the report
 * reads. It asserts nothing about speed.
 */
class HarnessSmokeTest {

    private static Collection<RunResult> run(String benchmark, int threads, String... params) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("io\\.dhamana\\.jmh\\." + benchmark.replace(".", "\\.") + "$")
                .forks(0)
                .threads(threads)
                .mode(Mode.Throughput)
                .warmupIterations(0)
                .measurementIterations(2)
                .measurementTime(TimeValue.milliseconds(150))
                .shouldFailOnError(true)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT);
        for (int i = 0; i < params.length; i += 2) {
            o.param(params[i], params[i + 1]);
        }
        return new Runner(o.build()).run();
    }

    private static void assertHeld(Collection<RunResult> results, int trials) {
        assertThat(results).hasSize(trials);
        for (RunResult r : results) {
            Map<String, Result> secondary = r.getSecondaryResults();
            assertThat(secondary).containsKeys("holds", "conflicts", "retries", "soldOut", "rejected", "failed",
                    "oversold", "holdsPerSecond");
            assertThat(secondary.get("holds").getScore()).isPositive();
            assertThat(secondary.get("rejected").getScore()).isZero();
            assertThat(secondary.get("failed").getScore()).isZero();
        }
    }

    @Test
    void engineHoldsWithAndWithoutCombiningPassTheirAudit() throws RunnerException {
        Collection<RunResult> results = run("EngineHoldBenchmark.hold", 2, "buckets", "4", "combining", "false");
        assertHeld(results, 1);
        // One audit per iteration, the last one included: the trial's verdict waits for it.
        assertThat(TrialAudit.lastVerdictAudits).isEqualTo(2);
        assertThat(results.iterator().next().getSecondaryResults().get("oversold").getScore()).isZero();
        assertHeld(run("EngineHoldBenchmark.hold", 2, "buckets", "1", "combining", "true"), 1);
    }

    @Test
    void naiveFoilSellsDropsAndReportsItsOversell() throws RunnerException {
        Collection<RunResult> results = run("NaiveFoilBenchmark.hold", 2, "dropCapacity", "50");
        assertHeld(results, 1);
        // Tiny drops sell out constantly, so sold-out answers (and the next drop) are exercised.
        assertThat(results.iterator().next().getSecondaryResults().get("soldOut").getScore()).isPositive();
    }

    @Test
    void sdkOnPostgresPassesItsAuditWithAndWithoutCombining() throws RunnerException {
        assertHeld(run("PostgresHoldBenchmark.hold", 2, "buckets", "2", "combining", "false"), 1);
        assertHeld(run("PostgresHoldBenchmark.hold", 2, "buckets", "1", "combining", "true"), 1);
    }

    @Test
    void plainSqlBaselinesPassTheirAuditOnPostgres() throws RunnerException {
        assertHeld(run("HotRowBenchmark.hold", 2, "buckets", "2"), 1);
        assertHeld(run("SkipLockedBenchmark.hold", 2, "seats", "20000"), 1);
    }
}

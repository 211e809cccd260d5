package io.dhamana.jmh.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The page, charts and goals rendered from a small hand-made results directory. */
class PageTest {

    private static Map<String, Object> jmh(String benchmark, String mode, int threads, Map<String, Object> params,
                                           double score, double holds, double retries, Map<String, Object> pct) {
        return Map.of("benchmark", "io.dhamana.jmh." + benchmark, "mode", mode, "threads", threads,
                "params", params,
                "primaryMetric", Map.of("score", score, "scoreError", "NaN", "scoreUnit",
                        mode.equals("thrpt") ? "ops/s" : "us/op", "scorePercentiles", pct),
                "secondaryMetrics", Map.of("holds", Map.of("score", holds), "retries", Map.of("score", retries),
                        "conflicts", Map.of("score", retries), "soldOut", Map.of("score", 0.0)));
    }

    private static Path fixture(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<Object> jmh = List.of(
                jmh("EngineHoldBenchmark.hold", "thrpt", 64, Map.of("buckets", "1", "combining", "false"),
                        100_000, 100_000, 5_000, Map.of()),
                jmh("EngineHoldBenchmark.hold", "thrpt", 64, Map.of("buckets", "64", "combining", "false"),
                        900_000, 900_000, 900, Map.of()),
                jmh("EngineHoldBenchmark.hold", "thrpt", 1, Map.of("buckets", "1", "combining", "false"),
                        150_000, 150_000, 0, Map.of()),
                jmh("EngineHoldBenchmark.hold", "thrpt", 64, Map.of("buckets", "1", "combining", "true"),
                        1_200_000, 1_200_000, 10, Map.of()),
                jmh("SkipLockedBenchmark.hold", "thrpt", 64, Map.of("seats", "1000"), 5_000, 5_000, 0, Map.of()),
                jmh("EngineHoldBenchmark.hold", "sample", 64, Map.of("buckets", "64", "combining", "false"), 0, 0,
                        0, Map.of("50.0", 12.0, "90.0", 20.0, "99.0", 80.0, "99.9", 400.0, "100.0", 9000.0)));
        Files.writeString(dir.resolve("jmh.json"), Json.write(jmh));
        Files.writeString(dir.resolve("pgbench.json"), Json.write(List.of(
                Map.of("buckets", 64, "clients", 64, "isolation", "serializable", "variant", "AS_STORE",
                        "tps", 4000.0, "transactions", 40_000, "retries", 80_000, "failed", 0,
                        "latencyPercentilesMs", Map.of("50.0", 3.0, "90.0", 9.0, "99.0", 30.0, "99.9", 60.0,
                                "100.0", 90.0)),
                Map.of("buckets", 1, "clients", 64, "isolation", "serializable", "variant", "AS_STORE",
                        "tps", 1000.0, "transactions", 10_000, "retries", 90_000, "failed", 0))));
        Files.writeString(dir.resolve("run.json"), Json.write(Map.of("profile", "quick", "command",
                "dhamana-jmh/run-benchmarks.sh quick", "machine", Map.of("cores", 2), "steps", List.of())));
        return dir;
    }

    @Test
    void rendersTablesChartsAndGoalsAndKeepsTheHandWrittenPart(@TempDir Path tmp) throws Exception {
        Path results = fixture(tmp.resolve("results"));
        Path docs = tmp.resolve("docs");
        Page.render(results, docs);

        String md = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(md).contains(Page.BEGIN, Page.END, "## Findings", "dhamana-jmh/run-benchmarks.sh quick")
                .contains("| SDK · in-process engine | 100,000 | 900,000 |")
                .contains("engine, one bucket, 64 buyers: combining on ÷ off | ≥ 10× | 12× | yes |")
                .contains("engine at 64 buckets, best buyer count (64), the lower of JMH's and the wall clock's figure"
                        + " | ≥ 1,000,000 holds/s | 900,000 holds/s"
                        + " | **no** |")
                .contains("| pgbench · SDK hold SQL · SERIALIZABLE | 64 | 64 | 2.00 | 2.00 | 0 | 0 | 0 |  |")
                .contains("fails and has no number here. The one exception is the naive count-then-insert foil");
        assertThat(Files.readString(docs.resolve(Page.BUCKETS_SVG))).startsWith("<svg").contains("polyline");
        assertThat(Files.readString(docs.resolve(Page.HOT_SVG))).startsWith("<svg");

        Files.writeString(docs.resolve("benchmarks.md"), md.replace("_To be written after the full run on a quiet"
                + " machine._", "The hot bucket is limited by X."));
        Page.render(results, docs);
        assertThat(Files.readString(docs.resolve("benchmarks.md"))).contains("The hot bucket is limited by X.")
                .containsOnlyOnce(Page.BEGIN);
    }

    @Test
    void renderingFromAMissingOrEmptyResultsDirectoryWritesNothing(@TempDir Path tmp) throws Exception {
        Path docs = tmp.resolve("docs");
        Page.render(fixture(tmp.resolve("results")), docs);
        Path[] files = {docs.resolve("benchmarks.md"), docs.resolve(Page.BUCKETS_SVG), docs.resolve(Page.HOT_SVG)};
        String[] before = new String[files.length];
        for (int i = 0; i < files.length; i++) {
            before[i] = Files.readString(files[i]);
        }
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("run.json"), Json.write(Map.of("profile", "full", "steps", List.of())));

        for (Path dir : new Path[]{tmp.resolve("ful"), empty}) {
            assertThatThrownBy(() -> Page.render(dir, docs)).isInstanceOf(Page.NoResults.class)
                    .hasMessageContaining(dir.toString());
        }
        assertThatThrownBy(() -> Page.render(tmp.resolve("ful"), tmp.resolve("fresh-docs")))
                .isInstanceOf(Page.NoResults.class);

        for (int i = 0; i < files.length; i++) {
            assertThat(files[i]).hasContent(before[i]);
        }
        assertThat(tmp.resolve("fresh-docs")).doesNotExist();
    }

    @Test
    void jsonReadsWhatItWrites() {
        Object v = Json.parse(Json.write(Map.of("a", List.of(1.5, "x\"y", true), "n", "NaN")));
        assertThat(Json.list(v, "a")).containsExactly(1.5, "x\"y", true);
        assertThat(Json.number(((Map<?, ?>) v).get("n"))).isNaN();
    }

    @Test
    void theEngineGoalIsJudgedOnTheLowerOfJmhAndTheWallClock() {
        // With 64 threads on two cores JMH's sum of per-thread rates has read several times the engine's real rate.
        Results.Point inflated = new Results.Point(Series.ENGINE, 64, 64, 4_900_000, Double.NaN, 0, 0, 0, 0, 0,
                300_000);
        Results.Point unchecked = new Results.Point(Series.ENGINE, 64, 1, 900_000, Double.NaN, 0, 0, 0, 0, 0,
                Double.NaN);
        Results.Point slowWall = new Results.Point(Series.ENGINE, 64, 16, 800_000, Double.NaN, 0, 0, 0, 0, 0,
                790_000);
        assertThat(Ratios.credible(inflated)).isEqualTo(300_000);
        assertThat(Ratios.credible(unchecked)).isEqualTo(900_000);
        assertThat(Ratios.credible(slowWall)).isEqualTo(790_000);
    }

    @Test
    void aPointShowsTheWallClocksFigureOnlyWhereJmhsIsOverstatedByMoreThanAFifth() {
        Results.Point inflated = new Results.Point(Series.ENGINE, 16, 64, 4_000_000, 40_000, 0, 0, 0, 0, 0,
                900_000);
        Results.Point close = new Results.Point(Series.ENGINE, 64, 64, 1_000_000, 40_000, 0, 0, 0, 0, 0, 810_000);
        Results.Point unchecked = new Results.Point(Series.PGBENCH, 64, 64, 4_000, Double.NaN, 0, 0, 0, 0, 0,
                Double.NaN);
        assertThat(inflated.overstated()).isTrue();
        assertThat(inflated.shownHoldsPerSecond()).isEqualTo(900_000);
        assertThat(close.overstated()).isFalse(); // 0.81: the wall clock's line-up, not an inflated sum
        assertThat(close.shownHoldsPerSecond()).isEqualTo(1_000_000);
        assertThat(unchecked.overstated()).isFalse();
        assertThat(unchecked.shownHoldsPerSecond()).isEqualTo(4_000);
    }

    @Test
    void theTablesAndTheGoalsUseTheWallClockWhereJmhOverstatesAndMarkIt(@TempDir Path tmp) throws Exception {
        Path results = tmp.resolve("results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("jmh.json"), Json.write(List.of(
                withWallClock(jmh("EngineHoldBenchmark.hold", "thrpt", 64, Map.of("buckets", "1", "combining",
                        "false"), 3_000_000, 3_000_000, 0, Map.of()), 800_000),
                withWallClock(jmh("EngineHoldBenchmark.hold", "thrpt", 1, Map.of("buckets", "1", "combining",
                        "false"), 1_000_000, 1_000_000, 0, Map.of()), 990_000))));
        Files.writeString(results.resolve("run.json"), Json.write(Map.of("profile", "quick", "machine",
                Map.of("cores", 2), "steps", List.of())));
        Path docs = tmp.resolve("docs");
        Page.render(results, docs);

        String md = Files.readString(docs.resolve("benchmarks.md"));
        // 64 buyers: JMH said 3,000,000, the wall clock 800,000; the goal compares the wall clock's figure.
        assertThat(md).contains("| SDK · in-process engine | 1,000,000 | 800,000 " + Page.OVERSTATED_MARK + " |")
                .contains("one bucket: 64 buyers ÷ best at any buyer count (1) | ≥ 0.9× | 0.80× | **no** |")
                .doesNotContain("3,000,000");
    }

    /** The same JMH entry with the wall-clock check's per-iteration figures. */
    private static Map<String, Object> withWallClock(Map<String, Object> entry, double holdsPerSecond) {
        Map<String, Object> e = new java.util.HashMap<>(entry);
        Map<String, Object> sec = new java.util.HashMap<>(Json.obj(entry, "secondaryMetrics"));
        sec.put("holdsPerSecond", Map.of("score", holdsPerSecond, "rawData",
                List.of(List.of(holdsPerSecond, holdsPerSecond))));
        e.put("secondaryMetrics", sec);
        return e;
    }
}

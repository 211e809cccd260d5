package io.dhamana.jmh.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The figures of one run, read back from the files the runner wrote ({@code jmh.json}, {@code pgbench.json},
 * {@code run.json}), so the page can be re-rendered without re-running anything.
 *
 * <p>Holds per second: JMH's primary score (calls per second) times the share of calls that committed a hold, from
 * the per-thread counters; the counters also give conflicts, retries, sold-outs, failures and oversold units per
 * hold. pgbench: its tps (committed transactions per second, retries included in the time), with retries per
 * transaction from its summary.
 */
public record Results(Map<String, Object> run, List<Point> throughput, List<Latency> latency) {

    /**
     * One throughput figure. {@code buckets} is 0 for a series without buckets.
     *
     * @param error JMH's 99.9% confidence half-width in holds per second (NaN when it has too few samples)
     * @param wallHoldsPerSecond the wall-clock check ({@code io.dhamana.jmh.WallClock}), mean over iterations; NaN
     *                           where there is none (pgbench, older results)
     */
    public record Point(Series series, int buckets, int buyers, double holdsPerSecond, double error,
                        double conflictsPerHold, double retriesPerHold, double soldOutPerHold, double failedPerHold,
                        double oversoldPerHold, double wallHoldsPerSecond) {

        /** Below this wall clock ÷ JMH, JMH's figure is taken as overstated (see {@link #shownHoldsPerSecond}). */
        public static final double OVERSTATED_BELOW = 0.8;

        /** Wall-clock holds per second divided by JMH's figure: near 1 when JMH's per-thread timing holds up. */
        public double wallClockRatio() {
            return holdsPerSecond > 0 ? wallHoldsPerSecond / holdsPerSecond : Double.NaN;
        }

        /** Whether the wall clock shows JMH's figure overstated by more than a fifth. */
        public boolean overstated() {
            double ratio = wallClockRatio();
            return !Double.isNaN(ratio) && ratio < OVERSTATED_BELOW;
        }

        /**
         * The figure the page shows and compares: JMH's, unless it is {@link #overstated()}, then the wall clock's.
         * JMH adds up per-thread rates, and with many more threads than cores that sum has read several times what
         * the store can do; the wall clock counts the threads' line-up too and errs low, so where the two agree
         * JMH's figure (with its error) is kept.
         */
        public double shownHoldsPerSecond() {
            return overstated() ? wallHoldsPerSecond : holdsPerSecond;
        }
    }

    /** Latency percentiles of one point, in milliseconds. */
    public record Latency(Series series, int buckets, int buyers, double p50, double p90, double p99, double p999,
                          double max) {}

    /** Reads a results directory; missing files count as empty. */
    @SuppressWarnings("unchecked")
    public static Results load(Path dir) throws IOException {
        Map<String, Object> run = read(dir.resolve("run.json")) instanceof Map<?, ?> m
                ? (Map<String, Object>) m : Map.of();
        Map<String, Point> points = new LinkedHashMap<>();
        Map<String, Latency> latencies = new LinkedHashMap<>();
        Object jmh = read(dir.resolve("jmh.json"));
        if (jmh instanceof List<?> entries) {
            for (Object e : entries) {
                readJmh(e, points, latencies);
            }
        }
        Object pg = read(dir.resolve("pgbench.json"));
        if (pg instanceof List<?> entries) {
            for (Object e : entries) {
                readPgbench(e, points, latencies);
            }
        }
        return new Results(run, sorted(new ArrayList<>(points.values())), sortedLatency(
                new ArrayList<>(latencies.values())));
    }

    private static Object read(Path f) throws IOException {
        return Files.exists(f) ? Json.parse(Files.readString(f)) : null;
    }

    private static void readJmh(Object e, Map<String, Point> points, Map<String, Latency> latencies) {
        String full = Json.str(e, "benchmark", "");
        String[] parts = full.split("\\.");
        if (parts.length < 2) {
            return;
        }
        String benchmark = parts[parts.length - 2] + "." + parts[parts.length - 1];
        Map<String, Object> params = Json.obj(e, "params");
        Series series = Series.ofJmh(benchmark, params);
        int buckets = series.flat() || !params.containsKey("buckets") ? 0
                : (int) Json.number(params.get("buckets"));
        int buyers = (int) Json.number(((Map<?, ?>) e).get("threads"));
        Map<String, Object> primary = Json.obj(e, "primaryMetric");
        String key = series.key() + "/" + buckets + "/" + buyers;
        String mode = Json.str(e, "mode", "");
        if (mode.equals("thrpt")) {
            double score = Json.number(primary.get("score"));
            double error = Json.number(primary.get("scoreError"));
            Map<String, Object> sec = Json.obj(e, "secondaryMetrics");
            double holds = secondary(sec, "holds");
            double calls = holds + secondary(sec, "soldOut") + secondary(sec, "rejected") + secondary(sec, "failed");
            double share = calls > 0 ? holds / calls : 1;
            points.put(key, new Point(series, buckets, buyers, score * share, error * share,
                    per(sec, "conflicts", holds), per(sec, "retries", holds), per(sec, "soldOut", holds),
                    per(sec, "failed", holds), per(sec, "oversold", holds), meanOfRaw(Json.obj(sec,
                            "holdsPerSecond"))));
        } else if (mode.equals("sample")) {
            Map<String, Object> pct = Json.obj(primary, "scorePercentiles");
            double toMs = unitToMillis(Json.str(primary, "scoreUnit", "us/op"));
            latencies.put(key, new Latency(series, buckets, buyers, Json.number(pct.get("50.0")) * toMs,
                    Json.number(pct.get("90.0")) * toMs, Json.number(pct.get("99.0")) * toMs,
                    Json.number(pct.get("99.9")) * toMs, Json.number(pct.get("100.0")) * toMs));
        }
    }

    private static void readPgbench(Object e, Map<String, Point> points, Map<String, Latency> latencies) {
        Series series = Series.ofPgbench(Json.str(e, "isolation", "serializable"), Json.str(e, "variant",
                "AS_STORE"));
        Map<?, ?> m = (Map<?, ?>) e;
        int buckets = (int) Json.number(m.get("buckets"));
        int buyers = (int) Json.number(m.get("clients"));
        double tx = Json.number(m.get("transactions"));
        double retries = Json.number(m.get("retries"));
        double failed = Json.number(m.get("failed"));
        String key = series.key() + "/" + buckets + "/" + buyers;
        points.put(key, new Point(series, buckets, buyers, Json.number(m.get("tps")), Double.NaN,
                tx > 0 ? retries / tx : Double.NaN, tx > 0 ? retries / tx : Double.NaN, 0,
                tx > 0 ? failed / tx : Double.NaN, 0, Double.NaN));
        Map<String, Object> pct = Json.obj(e, "latencyPercentilesMs");
        if (!pct.isEmpty()) {
            latencies.put(key, new Latency(series, buckets, buyers, Json.number(pct.get("50.0")),
                    Json.number(pct.get("90.0")), Json.number(pct.get("99.0")), Json.number(pct.get("99.9")),
                    Json.number(pct.get("100.0"))));
        }
    }

    private static double secondary(Map<String, Object> sec, String name) {
        double v = Json.number(Json.obj(sec, name).get("score"));
        return Double.isNaN(v) ? 0 : v;
    }

    /**
     * The mean of a metric's per-iteration values. JMH's score for an {@code EVENTS} counter is their sum over
     * iterations, which is not what a rate check wants.
     */
    private static double meanOfRaw(Map<String, Object> metric) {
        double sum = 0;
        int n = 0;
        for (Object fork : Json.list(metric, "rawData")) {
            if (fork instanceof List<?> values) {
                for (Object v : values) {
                    double d = Json.number(v);
                    if (!Double.isNaN(d)) {
                        sum += d;
                        n++;
                    }
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double per(Map<String, Object> sec, String name, double holds) {
        return holds > 0 ? secondary(sec, name) / holds : Double.NaN;
    }

    private static double unitToMillis(String unit) {
        if (unit.startsWith("ns")) {
            return 1e-6;
        }
        if (unit.startsWith("us")) {
            return 1e-3;
        }
        if (unit.startsWith("ms")) {
            return 1;
        }
        return 1e3; // s/op
    }

    private static List<Point> sorted(List<Point> l) {
        l.sort(Comparator.comparingInt((Point p) -> p.series().order()).thenComparing(p -> p.series().key())
                .thenComparingInt(Point::buyers).thenComparingInt(Point::buckets));
        return List.copyOf(l);
    }

    private static List<Latency> sortedLatency(List<Latency> l) {
        l.sort(Comparator.comparingInt((Latency p) -> p.series().order()).thenComparing(p -> p.series().key())
                .thenComparingInt(Latency::buyers).thenComparingInt(Latency::buckets));
        return List.copyOf(l);
    }

    /** The series present, in display order. */
    public List<Series> series() {
        List<Series> out = new ArrayList<>();
        for (Point p : throughput) {
            if (!out.contains(p.series())) {
                out.add(p.series());
            }
        }
        return out;
    }

    /** Buyer counts present, ascending. */
    public List<Integer> buyers() {
        TreeSet<Integer> s = new TreeSet<>();
        throughput.forEach(p -> s.add(p.buyers()));
        return new ArrayList<>(s);
    }

    /** Bucket counts present (series with buckets only), ascending. */
    public List<Integer> buckets() {
        TreeSet<Integer> s = new TreeSet<>();
        throughput.stream().filter(p -> !p.series().flat()).forEach(p -> s.add(p.buckets()));
        return new ArrayList<>(s);
    }

    /** The point of a series at a bucket count (ignored for flat series) and buyer count. */
    public Optional<Point> at(Series series, int buckets, int buyers) {
        return throughput.stream().filter(p -> p.series().key().equals(series.key()) && p.buyers() == buyers
                && (series.flat() || p.buckets() == buckets)).findFirst();
    }

    /** Every point of a series at a buyer count. */
    public List<Point> line(Series series, int buyers) {
        return throughput.stream().filter(p -> p.series().key().equals(series.key()) && p.buyers() == buyers)
                .toList();
    }
}

package io.dhamana.jmh.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The performance goals (sharding gain, SDK overhead, the engine, and the hot-path goals), each computed from one run as a ratio of
 * two figures measured side by side, so the machine cancels out.
 */
public final class Ratios {

    /**
     * One line of the goals table.
     *
     * @param goal   short name, shared by the rows of one goal
     * @param what   what was divided by what, at which point
     * @param target the goal, in words
     * @param shown  the measured value, formatted, or why there is none
     * @param met    whether the target was met; empty when not measured; reference rows are never judged
     */
    public record Ratio(String goal, String what, String target, String shown, Optional<Boolean> met) {}

    private final Results r;
    private final List<Ratio> out = new ArrayList<>();

    private Ratios(Results r) {
        this.r = r;
    }

    /** Every goal row for a run. */
    public static List<Ratio> of(Results results) {
        Ratios x = new Ratios(results);
        x.compute();
        return List.copyOf(x.out);
    }

    private void compute() {
        String g1 = "Sharding gain, PostgreSQL SERIALIZABLE";
        for (int b : new int[]{16, 64}) {
            ratio(g1, Series.PG_SDK, "SDK: 64 buckets ÷ 1 bucket, " + b + " buyers", "≥ 8×", 8,
                    hps(Series.PG_SDK, 64, b), hps(Series.PG_SDK, 1, b), true);
        }
        for (Series ref : List.of(Series.PGBENCH, Series.PGBENCH_DEFAULTS)) {
            for (int b : new int[]{16, 64}) {
                ratio(g1, ref, "reference, " + ref.label() + ": 64 ÷ 1 bucket, " + b + " buyers", "≥ 8×", 8,
                        hps(ref, 64, b), hps(ref, 1, b), false);
            }
        }

        String g2 = "SDK overhead on PostgreSQL";
        for (int b : new int[]{16, 64}) {
            ratio(g2, Series.PG_SDK, "SDK ÷ pgbench (same SQL), 64 buckets, " + b + " buyers", "≥ 0.8×", 0.8,
                    hps(Series.PG_SDK, 64, b), hps(Series.PGBENCH, 64, b), true);
        }
        worstOverAllPoints(g2);

        String g3 = "SDK vs SKIP LOCKED";
        for (int b : new int[]{16, 64}) {
            ratio(g3, Series.PG_SDK, "SDK on PostgreSQL at 64 buckets ÷ SKIP LOCKED seat rows, " + b + " buyers",
                    "≥ 1.0×", 1.0, hps(Series.PG_SDK, 64, b), hps(Series.SKIP_LOCKED, 0, b), true);
        }

        String g4 = "Retries per hold at 64 buckets";
        for (int b : new int[]{16, 64}) {
            atMost(g4, Series.PG_SDK, "SDK on PostgreSQL SERIALIZABLE, " + b + " buyers", 0.05,
                    point(Series.PG_SDK, 64, b).map(Results.Point::retriesPerHold), true);
        }
        for (Series ref : List.of(Series.ENGINE, Series.PGBENCH, Series.PGBENCH_DEFAULTS)) {
            for (int b : new int[]{16, 64}) {
                atMost(g4, ref, "reference, " + ref.label() + ", " + b + " buyers", 0.05,
                        point(ref, 64, b).map(Results.Point::retriesPerHold), false);
            }
        }

        String g5 = "In-process engine";
        // Judged on the lower of JMH's figure and the wall clock's: with many more threads than cores JMH's sum of
        // per-thread rates has read several times what the engine can do.
        Optional<Results.Point> best = r.throughput().stream()
                .filter(p -> p.series().equals(Series.ENGINE) && p.buckets() == 64)
                .max((a, c) -> Double.compare(credible(a), credible(c)));
        if (best.isPresent()) {
            double v = credible(best.get());
            out.add(new Ratio(g5, "engine at 64 buckets, best buyer count (" + best.get().buyers()
                    + "), the lower of JMH's and the wall clock's figure",
                    "≥ 1,000,000 holds/s", String.format(Locale.ROOT, "%,.0f holds/s", v), Optional.of(v >= 1e6)));
        } else {
            out.add(new Ratio(g5, "engine at 64 buckets", "≥ 1,000,000 holds/s", "not measured", Optional.empty()));
        }
        for (int b : new int[]{16, 64}) {
            ratio(g5, Series.PG_SDK, "engine ÷ SDK on PostgreSQL, 64 buckets, " + b + " buyers", "≥ 10×", 10,
                    hps(Series.ENGINE, 64, b), hps(Series.PG_SDK, 64, b), true);
        }
        for (int b : new int[]{16, 64}) {
            ratio(g5, Series.PGBENCH, "reference, engine ÷ pgbench (same SQL), 64 buckets, " + b + " buyers",
                    "≥ 10×", 10, hps(Series.ENGINE, 64, b), hps(Series.PGBENCH, 64, b), false);
        }
        ratio(g5, Series.ENGINE, "engine, one bucket: 16 buyers ÷ 1 buyer", "≥ 0.5×", 0.5,
                hps(Series.ENGINE, 1, 16), hps(Series.ENGINE, 1, 1), true);

        String g6 = "No collapse on a hot bucket";
        for (Series s : List.of(Series.ENGINE, Series.ENGINE_COMBINING, Series.PG_SDK, Series.PG_SDK_COMBINING)) {
            List<Results.Point> oneBucket = r.throughput().stream()
                    .filter(p -> p.series().equals(s) && p.buckets() == 1).toList();
            // A peak over one buyer count is no peak: it needs 64 buyers and at least one other count.
            Optional<Results.Point> peak = oneBucket.size() < 2 ? Optional.empty() : oneBucket.stream()
                    .max((a, c) -> Double.compare(a.shownHoldsPerSecond(), c.shownHoldsPerSecond()));
            ratio(g6, s, s.label() + ", one bucket: 64 buyers ÷ best at any buyer count"
                            + peak.map(p -> " (" + p.buyers() + ")").orElse(""), "≥ 0.9×", 0.9,
                    hps(s, 1, 64), peak.map(Results.Point::shownHoldsPerSecond), true);
        }

        String g7 = "Combining on a hot bucket";
        ratio(g7, Series.ENGINE_COMBINING, "engine, one bucket, 64 buyers: combining on ÷ off", "≥ 10×", 10,
                hps(Series.ENGINE_COMBINING, 1, 64), hps(Series.ENGINE, 1, 64), true);
        ratio(g7, Series.PG_SDK_COMBINING, "SDK on PostgreSQL, one bucket, 64 buyers: combining on ÷ off", "≥ 10×",
                10, hps(Series.PG_SDK_COMBINING, 1, 64), hps(Series.PG_SDK, 1, 64), true);
    }

    /** The lower of JMH's throughput and the wall-clock check, where the check was measured. */
    static double credible(Results.Point p) {
        double wall = p.wallHoldsPerSecond();
        return Double.isNaN(wall) || wall <= 0 ? p.holdsPerSecond() : Math.min(p.holdsPerSecond(), wall);
    }

    private void worstOverAllPoints(String goal) {
        double worst = Double.NaN;
        String where = "";
        for (Results.Point p : r.throughput()) {
            if (!p.series().equals(Series.PG_SDK)) {
                continue;
            }
            Optional<Double> base = hps(Series.PGBENCH, p.buckets(), p.buyers());
            if (base.isPresent() && base.get() > 0) {
                double v = p.shownHoldsPerSecond() / base.get();
                if (Double.isNaN(worst) || v < worst) {
                    worst = v;
                    where = p.buckets() + " buckets, " + p.buyers() + " buyers";
                }
            }
        }
        out.add(new Ratio(goal, "SDK ÷ pgbench, lowest over every common point" + (where.isEmpty() ? ""
                : " (" + where + ")"), "≥ 0.8×", Double.isNaN(worst) ? notMeasured(Series.PG_SDK) : times(worst),
                Double.isNaN(worst) ? Optional.empty() : Optional.of(worst >= 0.8)));
    }

    private void ratio(String goal, Series subject, String what, String target, double min, Optional<Double> num,
                       Optional<Double> den, boolean judged) {
        if (num.isEmpty() || den.isEmpty() || den.get() <= 0) {
            out.add(new Ratio(goal, what, target, notMeasured(subject), Optional.empty()));
            return;
        }
        double v = num.get() / den.get();
        out.add(new Ratio(goal, what, target, times(v), judged ? Optional.of(v >= min) : Optional.empty()));
    }

    private void atMost(String goal, Series subject, String what, double max, Optional<Double> value,
                        boolean judged) {
        if (value.isEmpty() || value.get().isNaN()) {
            out.add(new Ratio(goal, what, "≤ " + max, notMeasured(subject), Optional.empty()));
            return;
        }
        out.add(new Ratio(goal, what, "≤ " + max, String.format(Locale.ROOT, "%.3f", value.get()),
                judged ? Optional.of(value.get() <= max) : Optional.empty()));
    }

    private String notMeasured(Series s) {
        if (s.key().startsWith("pg-sdk") && r.series().stream().noneMatch(x -> x.key().startsWith("pg-sdk"))) {
            return "not measured: no SDK-on-PostgreSQL benchmark in this build";
        }
        return "not measured in this run";
    }

    private Optional<Results.Point> point(Series s, int buckets, int buyers) {
        return r.at(s, buckets, buyers);
    }

    private Optional<Double> hps(Series s, int buckets, int buyers) {
        return value(s, buckets, buyers, Results.Point::shownHoldsPerSecond);
    }

    private Optional<Double> value(Series s, int buckets, int buyers, ToDoubleFunction<Results.Point> f) {
        return r.at(s, buckets, buyers).map(f::applyAsDouble).filter(v -> !v.isNaN());
    }

    private static String times(double v) {
        return String.format(Locale.ROOT, v >= 10 ? "%.0f×" : "%.2f×", v);
    }
}

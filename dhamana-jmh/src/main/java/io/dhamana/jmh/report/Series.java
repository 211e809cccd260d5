package io.dhamana.jmh.report;

import java.util.List;
import java.util.Map;

/**
 * One line of the charts and one row of the tables: a store or a baseline.
 *
 * @param key    stable id
 * @param label  legend text
 * @param color  SVG colour
 * @param flat   whether the bucket count does not apply (drawn as a flat dashed line)
 * @param order  position in legends and tables
 */
public record Series(String key, String label, String color, boolean flat, int order) {

    static final Series ENGINE = new Series("engine", "SDK · in-process engine", "#1f77b4", false, 0);
    static final Series ENGINE_COMBINING = new Series("engine-combining", "SDK · in-process engine · combining",
            "#17becf", false, 1);
    static final Series FOIL = new Series("foil", "naive count-then-insert · engine (oversells)", "#7f7f7f", true,
            2);
    static final Series PG_SDK = new Series("pg-sdk-serializable", "SDK · PostgreSQL SERIALIZABLE", "#d62728",
            false, 3);
    static final Series PG_SDK_COMBINING = new Series("pg-sdk-serializable-combining",
            "SDK · PostgreSQL SERIALIZABLE · combining", "#e377c2", false, 4);
    static final Series PGBENCH = new Series("pgbench-serializable", "pgbench · SDK hold SQL · SERIALIZABLE",
            "#ff7f0e", false, 5);
    static final Series PGBENCH_DEFAULTS = new Series("pgbench-serializable-server-defaults",
            "pgbench · same SQL · server defaults (sequential scans)", "#bcbd22", false, 6);
    static final Series HOT_ROW = new Series("hot-row", "plain SQL · conditional UPDATE · READ COMMITTED", "#2ca02c",
            false, 7);
    static final Series SKIP_LOCKED = new Series("skip-locked", "plain SQL · SKIP LOCKED seat rows · READ COMMITTED",
            "#9467bd", true, 8);

    private static final List<Series> KNOWN = List.of(ENGINE, ENGINE_COMBINING, FOIL, PG_SDK, PG_SDK_COMBINING,
            PGBENCH, PGBENCH_DEFAULTS, HOT_ROW, SKIP_LOCKED);
    private static final String[] SPARE = {"#8c564b", "#393b79", "#637939", "#843c39", "#7b4173"};

    /** The series of a JMH benchmark method ({@code Class.method}) with its parameters. */
    static Series ofJmh(String benchmark, Map<String, Object> params) {
        boolean combining = "true".equals(String.valueOf(params.get("combining")));
        String cls = benchmark.substring(0, benchmark.indexOf('.'));
        return switch (cls) {
            case "EngineHoldBenchmark" -> combining ? ENGINE_COMBINING : ENGINE;
            case "NaiveFoilBenchmark" -> FOIL;
            case "HotRowBenchmark" -> HOT_ROW;
            case "SkipLockedBenchmark" -> SKIP_LOCKED;
            case "PostgresHoldBenchmark" -> {
                String iso = String.valueOf(params.getOrDefault("isolation", "SERIALIZABLE"));
                String key = "pg-sdk-" + iso.toLowerCase().replace('_', '-') + (combining ? "-combining" : "");
                yield find(key, "SDK · PostgreSQL " + iso.replace('_', ' ') + (combining ? " · combining" : ""),
                        false);
            }
            default -> find(benchmark, benchmark, false);
        };
    }

    /** The series of a pgbench point. */
    static Series ofPgbench(String isolation, String variant) {
        String iso = isolation.toLowerCase().replace(' ', '-');
        boolean defaults = "SERVER_DEFAULTS".equals(variant);
        String key = "pgbench-" + iso + (defaults ? "-server-defaults" : "");
        return find(key, "pgbench · SDK hold SQL · " + isolation.toUpperCase() + (defaults
                ? " · server defaults (sequential scans)" : ""), false);
    }

    private static Series find(String key, String label, boolean flat) {
        for (Series s : KNOWN) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        int h = Math.floorMod(key.hashCode(), SPARE.length);
        return new Series(key, label, SPARE[h], flat, 50 + h);
    }
}

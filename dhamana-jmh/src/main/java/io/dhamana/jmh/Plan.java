package io.dhamana.jmh;

import org.openjdk.jmh.annotations.Mode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of the suite measures, in order: the in-process engine first, then, per buyer count, the PostgreSQL
 * family back to back (the plain-SQL baselines, the SDK on PostgreSQL, then pgbench running the SDK's SQL at the same
 * concurrency), so the pairs the ratios compare are measured minutes apart on the same server.
 *
 * <p>Two profiles: {@link #quick()} checks the harness and gives every ratio a first figure in about seventeen minutes;
 * {@link #full()} is the measured run (five one-second iterations after five of warm-up for the engine, five-second
 * iterations after one of warm-up on PostgreSQL).
 */
public record Plan(String name, List<Step> steps) {

    /** Buyer counts (JMH threads, pgbench clients) of the full profile. */
    static final int[] BUYERS = {1, 4, 16, 64};

    /** One unit of work, with a duration estimate for the progress line. */
    public sealed interface Step permits JmhStep, PgbenchStep {
        String title();

        /** Seconds this step is expected to take. */
        int estimateSeconds();

        /** Whether it needs the PostgreSQL server. */
        boolean needsPostgres();
    }

    /**
     * One JMH run: a benchmark method at one thread count over a parameter grid.
     *
     * @param benchmark class simple name and method, e.g. {@code EngineHoldBenchmark.hold}
     */
    public record JmhStep(String benchmark, int threads, Map<String, String[]> params, Mode mode, int forks,
                          int warmupIterations, int warmupSeconds, int iterations, int iterationSeconds,
                          boolean gcBetweenIterations, boolean needsPostgres, int setupSeconds) implements Step {
        @Override
        public String title() {
            StringBuilder b = new StringBuilder(benchmark).append(' ').append(mode.shortLabel()).append(", ")
                    .append(threads).append(threads == 1 ? " buyer" : " buyers");
            params.forEach((k, v) -> b.append(", ").append(k).append('=').append(String.join(",", v)));
            return b.toString();
        }

        int trials() {
            int n = 1;
            for (String[] v : params.values()) {
                n *= v.length;
            }
            return n;
        }

        @Override
        public int estimateSeconds() {
            // A fork costs about 2 s (JVM start, JMH, teardown) plus its setup; on the engine, 3 s more to touch the
            // heap. Each iteration adds its time, and on the engine (a fresh store and its buyers, an audit of up to a
            // million holds, the GCs between iterations) 2 to 3 s more, growing with the thread count on a small
            // machine. Measured on 2 cores with 5 warm-ups and 2 iterations: about 30 s a trial at 1 buyer.
            int perFork = 2 + setupSeconds + warmupIterations * warmupSeconds + iterations * iterationSeconds;
            if (gcBetweenIterations) {
                perFork += 3 + (warmupIterations + iterations) * ((25 + threads) / 10);
            }
            return trials() * forks * perFork;
        }
    }

    /** One pgbench point. */
    public record PgbenchStep(int buckets, int clients, String isolation, PgbenchBaseline.Variant variant, int seconds)
            implements Step {
        @Override
        public String title() {
            return "pgbench SDK hold SQL, " + clients + (clients == 1 ? " client" : " clients") + ", buckets="
                    + buckets + ", " + isolation + (variant == PgbenchBaseline.Variant.SERVER_DEFAULTS
                    ? ", server defaults (sequential scans allowed)" : "");
        }

        @Override
        public int estimateSeconds() {
            return seconds + 3;
        }

        @Override
        public boolean needsPostgres() {
            return true;
        }
    }

    /** Total expected duration. */
    public int estimateSeconds() {
        return steps.stream().mapToInt(Step::estimateSeconds).sum();
    }

    /** The profile with this name. */
    public static Plan named(String name) {
        return switch (name) {
            case "quick" -> quick();
            case "full" -> full();
            case "smoke" -> smoke();
            default -> throw new IllegalArgumentException("unknown profile '" + name + "' (quick, full or smoke)");
        };
    }

    /**
     * About two minutes, every kind of step once or twice with one-second iterations: checks the runner end to end
     * (servers, audits, JSON, page). Its numbers mean nothing.
     */
    public static Plan smoke() {
        int[] buyers = {1, 4};
        Builder b = new Builder("smoke", new String[]{"1", "64"}, buyers);
        b.engineIterations(0, 1, 1, 1, 1).postgresIterations(0, 1, 1, 1).pgbenchSeconds(2).seats(50_000);
        b.combining(new String[]{"1"}, new int[]{4}, new int[]{4});
        b.engineLatency(new int[]{4}, new String[]{"64"});
        b.postgresLatency(new int[]{4}, new String[]{"1"}, true);
        b.serverDefaults(new int[]{4}, new String[]{"64"});
        return b.build();
    }

    /**
     * About seventeen minutes: 1, 16 and 64 buyers over 1, 8 and 64 buckets, one fork, short iterations. It validates the
     * harness and gives every ratio a first figure; its numbers are indicative only.
     */
    public static Plan quick() {
        int[] buyers = {1, 16, 64};
        Builder b = new Builder("quick", new String[]{"1", "8", "64"}, buyers);
        // Five warm-ups on the engine: one thread's rate climbed from about 470,000 to 800,000 holds/s between
        // its second and fourth second of holds, as the compiler finished with the hold path.
        b.engineIterations(5, 1, 2, 1, 1).postgresIterations(1, 1, 2, 2).pgbenchSeconds(4).seats(200_000);
        b.combining(new String[]{"1"}, buyers, new int[]{16, 64}).hotRowBuckets(new String[]{"1", "64"});
        b.engineLatency(new int[]{16}, new String[]{"1", "64"});
        b.postgresLatency(new int[]{16}, new String[]{"1", "64"}, false);
        b.serverDefaults(new int[]{16, 64}, new String[]{"1", "64"});
        return b.build();
    }

    /**
     * The measured run, about an hour and a half: 1, 4, 16 and 64 buyers over every bucket count from 1 to 64, one fork and
     * five one-second iterations per point on the engine, five-second iterations on PostgreSQL, fifteen-second
     * pgbench points, combining on 1, 8 and 64 buckets.
     */
    public static Plan full() {
        String[] all = {"1", "2", "4", "8", "16", "32", "64"};
        Builder b = new Builder("full", all, BUYERS);
        b.engineIterations(5, 1, 5, 1, 1).postgresIterations(1, 5, 3, 5).pgbenchSeconds(15).seats(2_000_000);
        b.combining(new String[]{"1", "8", "64"}, BUYERS, BUYERS);
        b.engineLatency(BUYERS, new String[]{"1", "8", "64"});
        b.postgresLatency(new int[]{16, 64}, new String[]{"1", "64"}, true);
        b.serverDefaults(new int[]{16, 64}, all);
        return b.build();
    }

    /** Assembles a profile's steps in run order. */
    private static final class Builder {
        private final String name;
        private final String[] buckets;
        private final int[] buyers;
        private int engineWarmups;
        private int engineWarmupSeconds;
        private int engineIterations;
        private int engineSeconds;
        private int engineForks;
        private int pgWarmups;
        private int pgWarmupSeconds;
        private int pgIterations;
        private int pgSeconds;
        private int pgbenchSeconds;
        private int seats;
        private String[] combiningBuckets = {};
        private int[] combiningBuyers = {};
        private int[] pgCombiningBuyers = {};
        private String[] hotRowBuckets;
        private int[] engineLatencyBuyers = {};
        private String[] engineLatencyBuckets = {};
        private int[] pgLatencyBuyers = {};
        private String[] pgLatencyBuckets = {};
        private boolean baselineLatency;
        private int[] serverDefaultBuyers = {};
        private String[] serverDefaultBuckets = {};

        Builder(String name, String[] buckets, int[] buyers) {
            this.name = name;
            this.buckets = buckets;
            this.buyers = buyers;
            this.hotRowBuckets = buckets;
        }

        Builder engineIterations(int warmups, int warmupSeconds, int iterations, int seconds, int forks) {
            engineWarmups = warmups;
            engineWarmupSeconds = warmupSeconds;
            engineIterations = iterations;
            engineSeconds = seconds;
            engineForks = forks;
            return this;
        }

        Builder postgresIterations(int warmups, int warmupSeconds, int iterations, int seconds) {
            pgWarmups = warmups;
            pgWarmupSeconds = warmupSeconds;
            pgIterations = iterations;
            pgSeconds = seconds;
            return this;
        }

        Builder pgbenchSeconds(int seconds) {
            pgbenchSeconds = seconds;
            return this;
        }

        Builder seats(int seats) {
            this.seats = seats;
            return this;
        }

        /** Combining runs: on the engine at {@code buyers}, on PostgreSQL at {@code pgBuyers}. */
        Builder combining(String[] buckets, int[] buyers, int[] pgBuyers) {
            combiningBuckets = buckets;
            combiningBuyers = buyers;
            pgCombiningBuyers = pgBuyers;
            return this;
        }

        Builder hotRowBuckets(String[] buckets) {
            hotRowBuckets = buckets;
            return this;
        }

        Builder engineLatency(int[] buyers, String[] buckets) {
            engineLatencyBuyers = buyers;
            engineLatencyBuckets = buckets;
            return this;
        }

        /** Latency runs of the SDK on PostgreSQL, and of the plain-SQL baselines too if {@code baselines}. */
        Builder postgresLatency(int[] buyers, String[] buckets, boolean baselines) {
            pgLatencyBuyers = buyers;
            pgLatencyBuckets = buckets;
            baselineLatency = baselines;
            return this;
        }

        Builder serverDefaults(int[] buyers, String[] buckets) {
            serverDefaultBuyers = buyers;
            serverDefaultBuckets = buckets;
            return this;
        }

        private JmhStep engine(String benchmark, int threads, Map<String, String[]> params, Mode mode, int forks,
                               int iterations) {
            // Setup: a fresh store, an event and the buyers' verifications per iteration, and an audit after it.
            return new JmhStep(benchmark, threads, params, mode, forks, engineWarmups, engineWarmupSeconds,
                    iterations, engineSeconds, true, false, 1);
        }

        private JmhStep postgres(String benchmark, int threads, Map<String, String[]> params, Mode mode,
                                 int iterations, int setupSeconds) {
            return new JmhStep(benchmark, threads, params, mode, 1, pgWarmups, pgWarmupSeconds, iterations,
                    pgSeconds, false, true, setupSeconds);
        }

        Plan build() {
            List<Step> steps = new ArrayList<>();
            for (int t : buyers) {
                steps.add(engine("EngineHoldBenchmark.hold", t, params("buckets", buckets, "combining",
                        new String[]{"false"}), Mode.Throughput, engineForks, engineIterations));
                if (contains(combiningBuyers, t) && combiningBuckets.length > 0) {
                    steps.add(engine("EngineHoldBenchmark.hold", t, params("buckets", combiningBuckets, "combining",
                            new String[]{"true"}), Mode.Throughput, engineForks, engineIterations));
                }
                steps.add(engine("NaiveFoilBenchmark.hold", t, params(), Mode.Throughput, engineForks,
                        engineIterations));
            }
            for (int t : engineLatencyBuyers) {
                steps.add(engine("EngineHoldBenchmark.hold", t, params("buckets", engineLatencyBuckets, "combining",
                        new String[]{"false"}), Mode.SampleTime, 1, Math.max(1, engineIterations / 2)));
            }
            String[] seatCount = {String.valueOf(seats)};
            for (int t : buyers) {
                steps.add(postgres("HotRowBenchmark.hold", t, params("buckets", hotRowBuckets), Mode.Throughput,
                        pgIterations, 2));
                steps.add(postgres("SkipLockedBenchmark.hold", t, params("seats", seatCount), Mode.Throughput,
                        pgIterations, Math.max(2, seats / 200_000)));
                // The SDK right before pgbench runs its SQL at the same concurrency: the pair the overhead goal divides.
                steps.add(postgres("PostgresHoldBenchmark.hold", t, sdkOnPostgres(buckets, "false"), Mode.Throughput,
                        pgIterations, 4));
                if (contains(pgCombiningBuyers, t) && combiningBuckets.length > 0) {
                    steps.add(postgres("PostgresHoldBenchmark.hold", t, sdkOnPostgres(combiningBuckets, "true"),
                            Mode.Throughput, pgIterations, 4));
                }
                for (String bk : buckets) {
                    steps.add(new PgbenchStep(Integer.parseInt(bk), t, "serializable",
                            PgbenchBaseline.Variant.AS_STORE, pgbenchSeconds));
                }
                if (contains(serverDefaultBuyers, t)) {
                    for (String bk : serverDefaultBuckets) {
                        steps.add(new PgbenchStep(Integer.parseInt(bk), t, "serializable",
                                PgbenchBaseline.Variant.SERVER_DEFAULTS, pgbenchSeconds));
                    }
                }
            }
            for (int t : pgLatencyBuyers) {
                steps.add(postgres("PostgresHoldBenchmark.hold", t, sdkOnPostgres(pgLatencyBuckets, "false"),
                        Mode.SampleTime, Math.max(1, pgIterations / 2), 4));
                if (baselineLatency) {
                    steps.add(postgres("HotRowBenchmark.hold", t, params("buckets", pgLatencyBuckets),
                            Mode.SampleTime, Math.max(1, pgIterations / 2), 2));
                    steps.add(postgres("SkipLockedBenchmark.hold", t, params("seats", seatCount), Mode.SampleTime,
                            Math.max(1, pgIterations / 2), Math.max(2, seats / 200_000)));
                }
            }
            return new Plan(name, List.copyOf(steps));
        }

        private static Map<String, String[]> sdkOnPostgres(String[] buckets, String combining) {
            return params("buckets", buckets, "combining", new String[]{combining}, "isolation",
                    new String[]{"SERIALIZABLE"});
        }

        private static boolean contains(int[] values, int v) {
            return Arrays.stream(values).anyMatch(x -> x == v);
        }

        private static Map<String, String[]> params(Object... kv) {
            Map<String, String[]> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                m.put((String) kv[i], (String[]) kv[i + 1]);
            }
            return m;
        }
    }
}

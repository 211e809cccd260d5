package io.dhamana.jmh;

import io.dhamana.postgres.PostgresStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Baseline: the SDK's own hold transaction as raw SQL ({@code pgbench/ga-hold.sql}), driven by {@code pgbench}
 * against the same server and at the same concurrency as the JMH benchmarks, with {@code --max-tries=0} so
 * serialization failures are retried (immediately, with the same bucket) until the time is up. This is the ceiling
 * for the SDK on PostgreSQL: the same statements with no JVM, no pool and no client logic.
 *
 * <p>Before every point the schema {@value #SCHEMA} is dropped and the SDK's PostgreSQL store installs its own
 * tables there (so pgbench writes exactly the rows, constraints and indexes the SDK writes), then
 * {@value #CAPACITY} units go into the buckets and {@code pool} verified buyers per client into the allowances
 * (capped at the SDK's highest per-buyer cap, sized like {@link BuyerPool}). After it, an audit: no bucket below zero,
 * and the units taken from stock, the hold rows, the operation-log rows and the allowances charged all agree.
 *
 * <p>The runner ({@link Report}) calls this; by hand it is, for 16 clients on 64 buckets:
 * <pre>
 * PGOPTIONS='-c default_transaction_isolation=serializable' pgbench -n -M prepared \
 *     -f dhamana-jmh/src/main/resources/io/dhamana/jmh/pgbench/ga-hold.sql -c 16 -j 2 -T 30 --max-tries=0 \
 *     -D buckets=64 -D pool=25 -D time_ordered=0
 * </pre>
 * after installing the schema and loading the rows (see {@link #prepare}).
 */
public final class PgbenchBaseline {
    /** Units for sale per point: as many as the SDK-on-PostgreSQL benchmark, so both keep as many buyer rows. */
    static final int CAPACITY = PostgresHoldBenchmark.CAPACITY;
    static final String EVENT = "pgbench";
    /** The schema pgbench works in, never the application's. */
    static final String SCHEMA = "dhamana_pgbench";

    /** Session settings for the run. */
    public enum Variant {
        /**
         * The store's own session settings: at SERIALIZABLE, {@code enable_seqscan = off}, as {@code PostgresStore}
         * connects, so every bucket update goes through the primary key and SERIALIZABLE's predicate locks cover one
         * bucket. This is the twin the SDK is compared with.
         */
        AS_STORE,
        /**
         * The server's defaults. The stock table of one event is a page or two, so the planner updates a bucket
         * through a sequential scan; under SERIALIZABLE a sequential scan takes a predicate lock on the whole table,
         * and then every hold conflicts with every other hold whatever the bucket count. This is how the store ran
         * before it turned sequential scans off; the variant shows what that cost.
         */
        SERVER_DEFAULTS
    }

    /** What one pgbench point measured. */
    public record Point(int buckets, int clients, String isolation, Variant variant, int seconds, double tps,
                        long transactions,
                        long failed, long retried, long retries, double latencyAverageMs,
                        Map<String, Double> latencyPercentilesMs, String audit, String command) {

        /** The point as a JSON-ready map. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("buckets", buckets);
            m.put("clients", clients);
            m.put("isolation", isolation);
            m.put("variant", variant.name());
            m.put("seconds", seconds);
            m.put("tps", tps);
            m.put("transactions", transactions);
            m.put("failed", failed);
            m.put("retried", retried);
            m.put("retries", retries);
            m.put("latencyAverageMs", latencyAverageMs);
            m.put("latencyPercentilesMs", latencyPercentilesMs);
            m.put("audit", audit);
            m.put("command", command);
            return m;
        }
    }

    private final BenchDatabase.Coordinates db;
    private final Path work;
    private final Path script;

    /**
     * @param db   the server
     * @param work a scratch directory for the script and pgbench's per-transaction logs
     */
    public PgbenchBaseline(BenchDatabase.Coordinates db, Path work) {
        this.db = db;
        this.work = work;
        try {
            Files.createDirectories(work);
            script = work.resolve("ga-hold.sql");
            Files.writeString(script, resource("ga-hold.sql"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The installed pgbench's version if it can retry serialization failures (PostgreSQL 15 or later), else why
     * not.
     */
    public static Optional<String> usableVersion(StringBuilder whyNot) {
        try {
            Process p = new ProcessBuilder("pgbench", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            Matcher m = Pattern.compile("(\\d+)(?:\\.(\\d+))?").matcher(out);
            if (p.exitValue() != 0 || !m.find()) {
                whyNot.append("pgbench --version said: ").append(out);
                return Optional.empty();
            }
            if (Integer.parseInt(m.group(1)) < 15) {
                whyNot.append(out).append(" cannot retry serialization failures (--max-tries needs 15 or later)");
                return Optional.empty();
            }
            return Optional.of(out);
        } catch (IOException e) {
            whyNot.append("pgbench is not installed (").append(e.getMessage()).append(')');
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            whyNot.append("interrupted");
            return Optional.empty();
        }
    }

    /** Buyers per client, sized like {@link BuyerPool#plan(long, int)}. */
    static int pool(int clients) {
        return BuyerPool.poolSize(CAPACITY, clients);
    }

    /** Recreates the store's tables and loads stock and verified buyers for one point. */
    void prepare(int buckets, int clients) throws SQLException {
        BenchDatabase.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        // Building the store installs its schema: the same DDL the SDK runs, so the two cannot drift apart.
        PostgresStore.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password()).schema(SCHEMA)
                .maxPoolSize(1).build().close();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            try (PreparedStatement b = c.prepareStatement("INSERT INTO dhamana_pgbench.stock_bucket"
                    + " (event_id, section_id, bucket, remaining) VALUES ('" + EVENT + "', 'floor', ?, ?)")) {
                for (int i = 0; i < buckets; i++) {
                    b.setInt(1, i);
                    b.setInt(2, CAPACITY / buckets + (i < CAPACITY % buckets ? 1 : 0));
                    b.addBatch();
                }
                b.executeBatch();
            }
            s.execute("INSERT INTO dhamana_pgbench.allowance (event_id, buyer_id, status, evidence, used, cap)"
                    + " SELECT '" + EVENT + "', 't' || c || '-b' || i, 'VERIFIED', 'https://id.example/bench', 0,"
                    + " 10000"
                    + " FROM generate_series(0, " + (clients - 1) + ") c, generate_series(0, " + (pool(clients) - 1)
                    + ") i");
            s.execute("VACUUM ANALYZE dhamana_pgbench.stock_bucket");
            s.execute("VACUUM ANALYZE dhamana_pgbench.allowance");
            s.execute("CHECKPOINT");
        }
    }

    /**
     * Runs one point: prepare, pgbench for {@code seconds}, audit.
     *
     * @param isolation {@code serializable}, {@code repeatable read} or {@code read committed}
     */
    public Point run(int buckets, int clients, String isolation, Variant variant, int seconds) throws IOException,
            SQLException, InterruptedException {
        prepare(buckets, clients);
        clearLogs();
        int threads = Math.min(clients, 2);
        List<String> cmd = new ArrayList<>(List.of("pgbench", "-n", "-M", "prepared", "-f", script.toString(),
                "-c", String.valueOf(clients), "-j", String.valueOf(threads), "-T", String.valueOf(seconds),
                "--max-tries=0", "-D", "buckets=" + buckets, "-D", "pool=" + pool(clients),
                "-D", "time_ordered=" + (isolation.equalsIgnoreCase("serializable") ? 0 : 1),
                "-P", String.valueOf(Math.max(1, seconds / 5)), "-l", "--log-prefix=" + work.resolve("txlog")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(db.libpq());
        String pgoptions = "-c default_transaction_isolation=" + isolation.replace(" ", "\\ ")
                + (variant == Variant.AS_STORE && isolation.equalsIgnoreCase("serializable")
                ? " -c enable_seqscan=off" : "");
        pb.environment().put("PGOPTIONS", pgoptions);
        Process p = pb.start();
        List<String> out = echo(p.getInputStream());
        int exit = p.waitFor();
        String text = String.join("\n", out);
        if (exit != 0) {
            throw new IOException("pgbench exited with " + exit + ":\n" + text);
        }
        long[] latencies = readLatencies();
        String command = "PGOPTIONS='" + pgoptions + "' " + String.join(" ", cmd).replace(work.toString(), "$WORK");
        return new Point(buckets, clients, isolation, variant, seconds, dbl(text, "tps = ([\\d.]+) \\(without initial"),
                lng(text, "number of transactions actually processed: (\\d+)"),
                lng(text, "number of failed transactions: (\\d+)"),
                lng(text, "number of transactions retried: (\\d+)"),
                lng(text, "total number of retries: (\\d+)"),
                dbl(text, "latency average = ([\\d.]+) ms"), percentiles(latencies), audit(), command);
    }

    /** Parses a pgbench summary (exposed for tests). */
    static Map<String, Double> summary(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("tps", dbl(text, "tps = ([\\d.]+) \\(without initial"));
        m.put("transactions", (double) lng(text, "number of transactions actually processed: (\\d+)"));
        m.put("failed", (double) lng(text, "number of failed transactions: (\\d+)"));
        m.put("retried", (double) lng(text, "number of transactions retried: (\\d+)"));
        m.put("retries", (double) lng(text, "total number of retries: (\\d+)"));
        m.put("latencyAverageMs", dbl(text, "latency average = ([\\d.]+) ms"));
        return m;
    }

    private String audit() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT (SELECT " + CAPACITY + " - sum(remaining) FROM dhamana_pgbench.stock_bucket),"
                        + " (SELECT count(*) FROM dhamana_pgbench.stock_bucket WHERE remaining < 0),"
                        + " (SELECT count(*) FROM dhamana_pgbench.hold),"
                        + " (SELECT count(*) FROM dhamana_pgbench.operation_log WHERE operation = 'HOLD'),"
                        + " (SELECT coalesce(sum(used), 0) FROM dhamana_pgbench.allowance),"
                        + " (SELECT count(*) FROM dhamana_pgbench.allowance WHERE used > cap)")) {
            r.next();
            long taken = r.getLong(1);
            long negative = r.getLong(2);
            long holds = r.getLong(3);
            long ops = r.getLong(4);
            long used = r.getLong(5);
            long overCap = r.getLong(6);
            if (negative == 0 && overCap == 0 && taken == holds && holds == ops && ops == used) {
                return "clean: " + holds + " holds, stock, log and allowances agree";
            }
            return String.format(Locale.ROOT, "VIOLATIONS: taken=%d holds=%d log=%d allowances=%d negativeBuckets=%d"
                    + " overCap=%d", taken, holds, ops, used, negative, overCap);
        }
    }

    private static List<String> echo(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                System.out.println("  pgbench | " + line);
            }
        }
        return lines;
    }

    private void clearLogs() throws IOException {
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(work, "txlog*")) {
            for (Path f : logs) {
                Files.delete(f);
            }
        }
    }

    /** Latency of every committed transaction, in microseconds, from pgbench's per-transaction logs. */
    private long[] readLatencies() throws IOException {
        long[] all = new long[1 << 16];
        int n = 0;
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(work, "txlog*")) {
            for (Path f : logs) {
                try (BufferedReader r = Files.newBufferedReader(f)) {
                    for (String line; (line = r.readLine()) != null; ) {
                        String[] fields = line.split(" ");
                        if (fields.length > 2 && !fields[2].isEmpty() && Character.isDigit(fields[2].charAt(0))) {
                            if (n == all.length) {
                                all = Arrays.copyOf(all, n * 2);
                            }
                            all[n++] = Long.parseLong(fields[2]);
                        }
                    }
                }
            }
        }
        return Arrays.copyOf(all, n);
    }

    /** p50 ... p99.9 and max, in milliseconds (same percentiles as JMH's sample mode reports). */
    static Map<String, Double> percentiles(long[] micros) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (micros.length == 0) {
            return m;
        }
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        for (double q : new double[]{50, 90, 95, 99, 99.9, 100}) {
            int idx = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q / 100 * sorted.length) - 1));
            m.put(q == 100 ? "100.0" : String.valueOf(q), sorted[idx] / 1000.0);
        }
        return m;
    }

    private static String resource(String name) {
        try (InputStream in = PgbenchBaseline.class.getResourceAsStream("pgbench/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource pgbench/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double dbl(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static long lng(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}

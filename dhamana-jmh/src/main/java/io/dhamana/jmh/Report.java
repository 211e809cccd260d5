package io.dhamana.jmh;

import io.dhamana.jmh.report.Json;
import io.dhamana.jmh.report.Page;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Version;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the whole benchmark suite with one command and writes the results and the benchmarks page.
 *
 * <pre>
 * dhamana-jmh/run-benchmarks.sh quick     # about 17 minutes: checks the harness, a first figure for every ratio
 * dhamana-jmh/run-benchmarks.sh full      # the measured run, about 1.5 hours, on a quiet machine
 * dhamana-jmh/run-benchmarks.sh smoke     # about 2 minutes: checks the runner end to end; leaves the page alone
 * dhamana-jmh/run-benchmarks.sh render quick|full   # rewrites the page from saved results
 * </pre>
 * which is {@code java -cp dhamana-jmh/target/benchmarks.jar io.dhamana.jmh.Report <profile> --root .}. A bad
 * command line (an unknown option or profile, an option without its value) stops with a one-line message and exit
 * status 2, and so does {@code render} of a profile that has no results: it writes nothing rather than an empty page.
 *
 * <p>It starts one embedded PostgreSQL server for the run (or uses {@code DHAMANA_BENCH_JDBC_URL}, with
 * {@code DHAMANA_BENCH_USER} and {@code DHAMANA_BENCH_PASSWORD}), runs every {@link Plan} step with progress on the
 * terminal, and after each step rewrites {@code dhamana-jmh/results/<profile>/}: {@code jmh.json} (JMH's own JSON),
 * {@code pgbench.json} and {@code run.json} (machine, versions, command, step outcomes). At the end it renders
 * {@code docs/benchmarks.md} and its charts from those files ({@link Page}). pgbench steps are skipped, with a
 * message, where no pgbench 15 or later is installed. The exit status is non-zero if any step failed (a failed audit
 * fails its step).
 */
public final class Report {
    private final Path root;
    private final Path results;
    private final Plan plan;
    private final String command;
    private final List<RunResult> jmh = new ArrayList<>();
    private final List<Object> pgbench = new ArrayList<>();
    private final List<Object> outcomes = new ArrayList<>();
    private final Map<String, Object> run = new LinkedHashMap<>();

    private Report(Path root, Plan plan, String command) {
        this.root = root;
        this.plan = plan;
        this.command = command;
        this.results = root.resolve("dhamana-jmh/results").resolve(plan.name());
    }

    /** Runs the suite or renders the page, as {@link #run} describes, and exits with its status. */
    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** What the command line asks for; {@link #parse} reads it. */
    record Args(Path root, String command, String note, String profile, boolean render, boolean help) {}

    /**
     * Reads the command line: one profile ({@code quick} when none is given) or {@code render [profile]}, and the
     * options {@code --root}, {@code --command} and {@code --note}, each with a value.
     *
     * @throws IllegalArgumentException with a one-line message for an unknown option or profile, a missing value or
     *                                  a word too many
     */
    static Args parse(String[] args) {
        Path root = Path.of(".");
        String command = null;
        String note = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--root", "--command", "--note" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    String value = args[++i];
                    if (arg.equals("--root")) {
                        try {
                            root = Path.of(value);
                        } catch (java.nio.file.InvalidPathException e) {
                            throw new IllegalArgumentException("--root: not a path: '" + value + "'");
                        }
                    } else if (arg.equals("--command")) {
                        command = value;
                    } else {
                        note = value;
                    }
                }
                case "-h", "--help" -> {
                    return new Args(root, command, note, null, false, true);
                }
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option '" + arg + "'");
                    }
                    rest.add(arg);
                }
            }
        }
        root = root.toAbsolutePath().normalize();
        if (!rest.isEmpty() && rest.get(0).equals("render")) {
            if (rest.size() > 2) {
                throw new IllegalArgumentException("render takes one profile; also given '" + rest.get(2) + "'");
            }
            return new Args(root, command, note, rest.size() > 1 ? rest.get(1) : "quick", true, false);
        }
        if (rest.size() > 1) {
            throw new IllegalArgumentException("one profile at a time; also given '" + rest.get(1) + "'");
        }
        String profile = rest.isEmpty() ? "quick" : rest.get(0);
        Plan.named(profile); // throws for an unknown profile
        return new Args(root, command, note, profile, false, false);
    }

    /**
     * Runs the command line {@code args}: prints the usage for {@code --help}, renders the page from saved results
     * for {@code render}, or else runs a profile.
     *
     * @return the exit status: 0 when done, 1 if a step of the run failed, 2 for a bad command line or a
     *         {@code render} of a profile with no results (which writes nothing)
     */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a;
        try {
            a = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("Report: " + e.getMessage() + "; see --help");
            return 2;
        }
        if (a.help()) {
            usage(out);
            return 0;
        }
        if (a.render()) {
            Path dir = a.root().resolve("dhamana-jmh/results").resolve(a.profile());
            try {
                Page.render(dir, a.root().resolve("docs"));
            } catch (Page.NoResults e) {
                err.println("Report: " + e.getMessage() + "; nothing written");
                return 2;
            }
            out.println("Rendered " + a.root().resolve("docs/benchmarks.md") + " from " + dir);
            return 0;
        }
        Plan plan = Plan.named(a.profile());
        String command = a.command() != null ? a.command()
                : "java -cp dhamana-jmh/target/benchmarks.jar " + Report.class.getName() + " " + plan.name();
        Report report = new Report(a.root(), plan, command);
        if (a.note() != null) {
            report.run.put("note", a.note());
        }
        return report.runAll() == 0 ? 0 : 1;
    }

    private static void usage(PrintStream out) {
        out.println("usage: Report [quick|full|smoke|render <profile>] [--root <repository>] [--command <text>]"
                + " [--note <text for the page>]");
    }

    private int runAll() throws IOException {
        Files.createDirectories(results);
        Instant started = Instant.now();
        run.put("profile", plan.name());
        run.put("command", command);
        run.put("started", started.toString());
        run.put("machine", machine());
        run.put("loadAverageAtStart", loadAverage());
        run.put("jvm", jvm());
        System.out.printf("%nDhamana benchmarks, profile '%s': %d steps, about %s. Results: %s%n", plan.name(),
                plan.steps().size(), clock(plan.estimateSeconds()), root.relativize(results));

        boolean wantsPostgres = plan.steps().stream().anyMatch(Plan.Step::needsPostgres);
        BenchDatabase.Coordinates db = null;
        if (wantsPostgres) {
            System.out.println("Starting PostgreSQL (or connecting to DHAMANA_BENCH_JDBC_URL)...");
            db = BenchDatabase.coordinates();
            Map<String, String> pg = BenchDatabase.describe();
            run.put("postgres", pg);
            System.out.println("PostgreSQL: " + pg.get("version") + ", fsync=" + pg.get("fsync")
                    + ", synchronous_commit=" + pg.get("synchronous_commit"));
        }
        StringBuilder whyNot = new StringBuilder();
        Optional<String> pgbenchVersion = PgbenchBaseline.usableVersion(whyNot);
        run.put("pgbench", pgbenchVersion.orElse("skipped: " + whyNot));
        if (pgbenchVersion.isEmpty()) {
            System.out.println("pgbench steps will be skipped: " + whyNot);
        }
        Path scratch = Files.createTempDirectory("dhamana-pgbench");
        PgbenchBaseline bench = db == null ? null : new PgbenchBaseline(db, scratch);

        int failures = 0;
        int done = 0;
        long budget = plan.estimateSeconds();
        long estimatedDone = 0;
        for (Plan.Step step : plan.steps()) {
            done++;
            long elapsed = Duration.between(started, Instant.now()).toSeconds();
            // The estimate of what is left, scaled by how the run has kept to its estimate so far.
            double pace = estimatedDone == 0 ? 1 : Math.max(1, (double) elapsed / estimatedDone);
            long left = Math.round((budget - estimatedDone) * pace);
            estimatedDone += step.estimateSeconds();
            System.out.printf("%n==== [%d/%d] %s elapsed, ~%s left: %s%n", done, plan.steps().size(),
                    clock(elapsed), clock(left), step.title());
            Map<String, Object> outcome = new LinkedHashMap<>();
            outcome.put("step", step.title());
            Instant stepStart = Instant.now();
            try {
                if (step instanceof Plan.JmhStep j) {
                    jmh.addAll(runJmh(j, db));
                    outcome.put("status", "ok");
                } else if (step instanceof Plan.PgbenchStep p) {
                    if (pgbenchVersion.isEmpty()) {
                        outcome.put("status", "skipped: " + whyNot);
                    } else {
                        PgbenchBaseline.Point point = bench.run(p.buckets(), p.clients(), p.isolation(), p.variant(),
                                p.seconds());
                        pgbench.add(point.toMap());
                        boolean clean = point.audit().startsWith("clean");
                        outcome.put("status", clean ? "ok" : "failed: audit " + point.audit());
                        if (!clean) {
                            failures++;
                        }
                        System.out.printf("  pgbench | audit: %s%n", point.audit());
                    }
                }
            } catch (RunnerException | IOException | java.sql.SQLException | RuntimeException e) {
                failures++;
                outcome.put("status", "failed: " + rootMessage(e));
                System.out.println("!!!! step failed: " + rootMessage(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome.put("status", "interrupted");
                failures++;
                break;
            }
            outcome.put("seconds", Duration.between(stepStart, Instant.now()).toSeconds());
            outcomes.add(outcome);
            save();
        }
        deleteTree(scratch);
        run.put("finished", Instant.now().toString());
        run.put("loadAverageAtEnd", loadAverage());
        run.put("failedSteps", failures);
        save();
        String wrote = root.relativize(results).toString();
        if (plan.name().equals("smoke")) {
            wrote += " (the smoke profile leaves docs/benchmarks.md alone)";
        } else {
            try {
                Page.render(results, root.resolve("docs"));
                wrote += " and " + root.relativize(root.resolve("docs/benchmarks.md"));
            } catch (Page.NoResults e) {
                wrote += " (no figure to show, so docs/benchmarks.md is left alone)";
            }
        }
        System.out.printf("%nDone in %s, %d failed step(s). Wrote %s.%n",
                clock(Duration.between(started, Instant.now()).toSeconds()), failures, wrote);
        return failures;
    }

    /** Deletes pgbench's script and per-transaction logs. */
    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private List<RunResult> runJmh(Plan.JmhStep s, BenchDatabase.Coordinates db) throws RunnerException {
        boolean sample = s.mode() == Mode.SampleTime;
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("io\\.dhamana\\.jmh\\." + s.benchmark().replace(".", "\\.") + "$")
                .threads(s.threads())
                .mode(s.mode())
                .timeUnit(sample ? TimeUnit.MICROSECONDS : TimeUnit.SECONDS)
                .forks(s.forks())
                .warmupIterations(s.warmupIterations())
                .warmupTime(TimeValue.seconds(s.warmupSeconds()))
                .measurementIterations(s.iterations())
                .measurementTime(TimeValue.seconds(s.iterationSeconds()))
                .shouldDoGC(s.gcBetweenIterations())
                .shouldFailOnError(true);
        s.params().forEach(o::param);
        if (s.needsPostgres()) {
            o.jvmArgsPrepend(db.jvmArgs());
        }
        return new ArrayList<>(new Runner(o.build()).run());
    }

    private void save() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(jmh);
        }
        Files.write(results.resolve("jmh.json"), bytes.toByteArray());
        Files.writeString(results.resolve("pgbench.json"), Json.write(pgbench));
        run.put("steps", outcomes);
        Files.writeString(results.resolve("run.json"), Json.write(run));
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            m.put("memoryGiB", Math.round(sun.getTotalMemorySize() / (1024.0 * 1024 * 1024) * 10) / 10.0);
        }
        m.put("cpu", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return m;
    }

    /** The 1-minute load average, or -1 where the system does not say; a quiet 2-core machine shows well under 1. */
    private static double loadAverage() {
        return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Map<String, Object> jvm() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", System.getProperty("java.runtime.version"));
        m.put("vm", System.getProperty("java.vm.name") + " (" + System.getProperty("java.vm.vendor") + ")");
        m.put("jmh", Version.getPlainVersion());
        return m;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return msg.lines().findFirst().orElse(msg);
    }

    private static String clock(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}

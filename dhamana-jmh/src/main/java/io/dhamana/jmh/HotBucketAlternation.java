package io.dhamana.jmh;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.HoldRequest;
import io.dhamana.Limits;
import io.dhamana.Operation;
import io.dhamana.OperationListener;
import io.dhamana.Outcome;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.TicketStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One hot bucket under several loads, in short phases that take turns within one process and against one server,
 * so that the machine's drift over minutes falls on every load alike. It answers what the JMH runs on two shared
 * cores cannot settle, whose single figures move by a fifth from one run to the next: do 64 buyers on one bucket
 * hold at least 0.9 times the best rate of any buyer count, and how many times more does combining hold?
 *
 * <p>A load is a buyer count with optional suffixes: {@code 64} is 64 buyers, {@code 64c} 64 buyers on a client
 * that combines, {@code 64p2} 64 buyers sharing a pool of two connections (PostgreSQL only). Each cycle runs every
 * load once for the phase's length, in the order given on odd cycles and reversed on even ones, so a drift within a
 * cycle favours none. A phase's holds are counted from committed rows: the store's audit before and after it,
 * divided by the phase's wall time from the first thread's start to the last thread's end. Every audit must be
 * clean, with nothing oversold, and the audited holds must equal those the callers were told about, or the run
 * stops with an error. The summary gives each load's mean with a 95% confidence interval, and each load's ratio to
 * the best plain load (no suffix) cycle by cycle, with the interval of those ratios.
 *
 * <p>On PostgreSQL (the server the runner starts, or the one {@link BenchDatabase#URL_PROPERTY} names) each kind of
 * client and pool gets one store, schema and event for the whole run, whose buyers every thread takes turns over.
 * The in-process engine keeps every hold in memory, so there each phase gets a fresh store and event sized for what
 * the phase can hold, and each thread its own buyers as in the JMH benchmarks; give its JVM the heap the engine
 * benchmark's fork has (below).
 *
 * <pre>
 * java -cp dhamana-jmh/target/benchmarks.jar io.dhamana.jmh.HotBucketAlternation postgres \
 *      --loads 1,2,4,16,64 --phase 5 --cycles 8
 * java -cp dhamana-jmh/target/benchmarks.jar io.dhamana.jmh.HotBucketAlternation postgres --loads 1,64,64c
 * java -Xms16g -Xmx16g -Xmn13g -XX:SurvivorRatio=14 -XX:+AlwaysPreTouch -XX:+UseParallelGC \
 *      -XX:+UseTransparentHugePages -cp dhamana-jmh/target/benchmarks.jar \
 *      io.dhamana.jmh.HotBucketAlternation engine --phase 1 --cycles 10
 * </pre>
 */
public final class HotBucketAlternation {
    private static final String SCHEMA = "dhamana_bench_alternation";
    /** Units per PostgreSQL event: far more than a run can hold. */
    private static final int POSTGRES_CAPACITY = 2_000_000;
    /** Holds an engine phase is sized for per second of phase. */
    private static final long ENGINE_HOLDS_PER_SECOND = 2_000_000;
    private static final Pattern LOAD = Pattern.compile("(\\d+)(c?)(?:p(\\d+))?");

    /**
     * One load: its buyer threads, whether its client combines, and its connection pool (0 for one connection per
     * thread of the largest load of its kind, and two more).
     */
    record Load(String label, int threads, boolean combining, int pool) {
        static Load parse(String text) {
            Matcher m = LOAD.matcher(text.trim());
            int threads = m.matches() ? count(m.group(1)) : 0;
            int pool = m.matches() && m.group(3) != null ? count(m.group(3)) : -1;
            if (threads < 1 || pool == 0) {
                throw new IllegalArgumentException("a load is a buyer count with optional 'c' (combining) and "
                        + "'p<n>' (pool of n connections, n at least 1), such as 64, 64c or 64p2; was '" + text + "'");
            }
            return new Load(text.trim(), threads, !m.group(2).isEmpty(), Math.max(pool, 0));
        }

        /** A count of digits, or 0 when it is too large to be one. */
        private static int count(String digits) {
            try {
                return Integer.parseInt(digits);
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        boolean plain() {
            return !combining && pool == 0;
        }

        /** The loads that share one PostgreSQL store and client. */
        String kind() {
            return (combining ? "c" : "") + (pool == 0 ? "" : "p" + pool);
        }
    }

    private final String storeName;
    private final List<Load> loads;
    private final Duration phase;
    private final int cycles;
    /** Conflicts and committed holds over every phase, warm-ups included. */
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder held = new LongAdder();

    /** A run; {@link #main} describes the options. */
    HotBucketAlternation(String storeName, List<Load> loads, Duration phase, int cycles) {
        check(storeName, loads);
        this.storeName = storeName;
        this.loads = List.copyOf(loads);
        this.phase = phase;
        this.cycles = cycles;
    }

    /** What {@link #main} takes. */
    static final String USAGE = "usage: HotBucketAlternation postgres|engine [--loads 1,2,4,16,64,64c,64p2]"
            + " [--phase seconds] [--cycles n]   (defaults: --loads 1,2,4,16,64, --phase 5 on postgres and 1 on the"
            + " engine, --cycles 8)";

    /** A run as the command line asks for it; {@link #parse} reads it. */
    record Options(String store, List<Load> loads, Duration phase, int cycles) {}

    /** Whether the command line asks for the usage. */
    static boolean wantsHelp(String[] args) {
        return Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"));
    }

    /**
     * Reads the command line: the store, then any of {@code --loads}, {@code --phase} and {@code --cycles}, each once
     * and with a value.
     *
     * @throws IllegalArgumentException with a one-line message for anything else, a bad number or a bad load
     */
    static Options parse(String[] args) {
        if (args.length == 0 || !(args[0].equals("postgres") || args[0].equals("engine"))) {
            throw new IllegalArgumentException("the first argument is the store, postgres or engine; was "
                    + (args.length == 0 ? "nothing" : "'" + args[0] + "'"));
        }
        boolean engine = args[0].equals("engine");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            String name = args[i];
            if (!List.of("--loads", "--phase", "--cycles").contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "' (--loads, --phase or --cycles)");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (options.put(name.substring(2), args[i + 1]) != null) {
                throw new IllegalArgumentException(name + " is given twice");
            }
        }
        List<Load> loads = Arrays.stream(options.getOrDefault("loads", "1,2,4,16,64").split(",", -1))
                .map(Load::parse).distinct().toList();
        String phaseText = options.getOrDefault("phase", engine ? "1" : "5");
        long phaseMillis;
        try {
            double seconds = Double.parseDouble(phaseText);
            phaseMillis = seconds > 0 && seconds < 1e6 ? Math.round(seconds * 1000) : 0;
        } catch (NumberFormatException e) {
            phaseMillis = 0;
        }
        if (phaseMillis < 1) {
            throw new IllegalArgumentException("--phase is a number of seconds, at least 0.001; was '" + phaseText
                    + "'");
        }
        String cyclesText = options.getOrDefault("cycles", "8");
        int cycles;
        try {
            cycles = Integer.parseInt(cyclesText);
        } catch (NumberFormatException e) {
            cycles = 0;
        }
        if (cycles < 2) {
            throw new IllegalArgumentException("--cycles is a whole number, at least 2; was '" + cyclesText + "'");
        }
        check(args[0], loads);
        return new Options(args[0], loads, Duration.ofMillis(phaseMillis), cycles);
    }

    private static void check(String storeName, List<Load> loads) {
        if (loads.size() < 2 || loads.stream().noneMatch(Load::plain)) {
            throw new IllegalArgumentException("give at least two loads, one of them plain (no suffix)");
        }
        if (storeName.equals("engine") && loads.stream().anyMatch(l -> l.pool() != 0)) {
            throw new IllegalArgumentException("the engine has no connection pool");
        }
    }

    /**
     * Runs the alternation and prints each phase as it ends, then the summary. {@code --help} prints the usage; a bad
     * command line stops with a one-line message and exit status 2.
     *
     * @param args {@code postgres} or {@code engine}, then optional {@code --loads 1,2,4,16,64}, {@code --phase
     *             seconds} and {@code --cycles n}
     */
    public static void main(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.println(USAGE);
            return;
        }
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("HotBucketAlternation: " + e.getMessage() + "; see --help");
            System.exit(2);
            return;
        }
        HotBucketAlternation run = new HotBucketAlternation(o.store(), o.loads(), o.phase(), o.cycles());
        run.summarize(run.alternate());
    }

    /**
     * Runs a warm-up phase of every load, then the cycles, printing each measured phase as it ends.
     *
     * @return committed holds per second, by load (in the order given) and cycle
     */
    double[][] alternate() throws InterruptedException {
        System.out.printf(Locale.ROOT, "# %s, one bucket: loads %s, %d cycles of %.1f s phases%n", storeName,
                loads.stream().map(Load::label).toList(), cycles, phase.toMillis() / 1000.0);
        double[][] rates = new double[loads.size()][cycles];
        Map<String, Rig> rigs = new LinkedHashMap<>();
        try {
            if (storeName.equals("postgres")) {
                for (Load load : loads) {
                    int pool = load.pool() != 0 ? load.pool() : loads.stream().filter(l -> l.kind().equals(load.kind()))
                            .mapToInt(Load::threads).max().orElseThrow() + 2;
                    rigs.computeIfAbsent(load.kind(), kind -> postgresRig(rigs.size(), load.combining(), pool));
                }
            }
            // One unmeasured phase per load first, so no load pays the JIT's or the server's warm-up.
            for (Load load : loads) {
                runPhase(rigs.get(load.kind()), load);
            }
            for (int c = 0; c < cycles; c++) {
                for (int k = 0; k < loads.size(); k++) {
                    int index = c % 2 == 0 ? k : loads.size() - 1 - k;
                    Load load = loads.get(index);
                    rates[index][c] = runPhase(rigs.get(load.kind()), load);
                    System.out.printf(Locale.ROOT, "cycle %2d/%d  %-6s %,12.0f holds/s%n", c + 1, cycles,
                            load.label(), rates[index][c]);
                }
            }
        } finally {
            rigs.values().forEach(Rig::close);
        }
        return rates;
    }

    /** One phase on the load's shared rig, or on a fresh engine rig of its own when there is none. */
    private double runPhase(Rig shared, Load load) throws InterruptedException {
        if (shared != null) {
            return measure(shared, load.threads());
        }
        // The last phase's store is garbage now; collect it before this phase's clock starts, as JMH's -gc does.
        System.gc();
        try (Rig own = engineRig(load)) {
            return measure(own, load.threads());
        }
    }

    /** Runs one phase of {@code threads} buyers and returns committed holds per second, counted by the audit. */
    private double measure(Rig rig, int threads) throws InterruptedException {
        long before = rig.audit();
        LongAdder told = new LongAdder();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> buyers = new ArrayList<>();
        long[] deadline = new long[1];
        RuntimeException[] failure = new RuntimeException[1];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread buyer = new Thread(() -> {
                BuyerId[] mine = rig.shared != null ? null : new BuyerId[BuyerPool.perThread()];
                for (int i = 0; mine != null && i < mine.length; i++) {
                    mine[i] = BuyerPool.buyer(thread, i);
                }
                long ok = 0;
                try {
                    start.await();
                    for (int n = 0; System.nanoTime() < deadline[0]; n++) {
                        BuyerId next = mine != null ? mine[n % mine.length]
                                : rig.shared[(int) (rig.cursor.getAndIncrement() % rig.shared.length)];
                        Outcome<?> outcome = rig.client.hold(HoldRequest.units(rig.event, HoldWorkload.FLOOR,
                                next, 1));
                        if (outcome.isOk()) {
                            ok++;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                } finally {
                    told.add(ok);
                }
            }, "alternation-buyer-" + t);
            buyers.add(buyer);
            buyer.start();
        }
        long began = System.nanoTime();
        deadline[0] = began + phase.toNanos();
        start.countDown();
        for (Thread buyer : buyers) {
            buyer.join();
        }
        long ended = System.nanoTime();
        synchronized (failure) {
            if (failure[0] != null) {
                throw new IllegalStateException("a buyer thread failed", failure[0]);
            }
        }
        long units = rig.audit() - before;
        if (units != told.sum()) {
            throw new IllegalStateException("the audit counts " + units + " new held units but callers were told "
                    + told.sum());
        }
        held.add(units);
        return units / ((ended - began) / 1e9);
    }

    /** Prints each load's mean, and its ratio to the best plain load cycle by cycle with that ratio's interval. */
    void summarize(double[][] rates) {
        double[] means = Arrays.stream(rates).mapToDouble(HotBucketAlternation::mean).toArray();
        int best = -1;
        for (int k = 0; k < loads.size(); k++) {
            if (loads.get(k).plain() && (best < 0 || means[k] > means[best])) {
                best = k;
            }
        }
        double bestPlainPhase = 0;
        for (int k = 0; k < loads.size(); k++) {
            if (loads.get(k).plain()) {
                bestPlainPhase = Math.max(bestPlainPhase, Arrays.stream(rates[k]).max().orElse(0));
            }
        }
        System.out.printf(Locale.ROOT, "%n%-6s %13s %10s %11s   %s%n", "load", "mean holds/s", "95% CI ±",
                "best phase", "÷ " + loads.get(best).label() + " (the best plain mean): cycle by cycle, mean, 95% CI");
        for (int k = 0; k < loads.size(); k++) {
            double[] ratios = new double[cycles];
            for (int c = 0; c < cycles; c++) {
                ratios[c] = rates[k][c] / rates[best][c];
            }
            System.out.printf(Locale.ROOT, "%-6s %,13.0f %,10.0f %,11.0f   %s; %.3f (%.3f to %.3f)%n",
                    loads.get(k).label(), means[k], halfWidth(rates[k]), Arrays.stream(rates[k]).max().orElse(0),
                    format(ratios), mean(ratios), mean(ratios) - halfWidth(ratios), mean(ratios) + halfWidth(ratios));
        }
        // A load with a suffix against the plain load of the same buyer count: what combining or the pool changes.
        for (int k = 0; k < loads.size(); k++) {
            Load load = loads.get(k);
            for (int p = 0; p < loads.size() && !load.plain(); p++) {
                if (loads.get(p).plain() && loads.get(p).threads() == load.threads()) {
                    double[] ratios = new double[cycles];
                    for (int c = 0; c < cycles; c++) {
                        ratios[c] = rates[k][c] / rates[p][c];
                    }
                    System.out.printf(Locale.ROOT, "%s ÷ %s, cycle by cycle: %s; mean %.3f (95%% CI %.3f to %.3f)%n",
                            load.label(), loads.get(p).label(), format(ratios), mean(ratios),
                            mean(ratios) - halfWidth(ratios), mean(ratios) + halfWidth(ratios));
                }
            }
        }
        System.out.printf(Locale.ROOT, "the best single plain phase: %,.0f holds/s%n", bestPlainPhase);
        System.out.printf(Locale.ROOT, "conflicts per hold over the run: %.4f (%,d holds)%n",
                conflicts.sum() / Math.max(1.0, held.sum()), held.sum());
        System.out.println("# every audit clean, nothing oversold, every reported hold in the rows");
    }

    private static String format(double[] values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        return b.toString();
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    /** Half the width of a two-sided 95% confidence interval for the mean (Student's t). */
    static double halfWidth(double[] values) {
        int n = values.length;
        double m = mean(values);
        double squares = 0;
        for (double v : values) {
            squares += (v - m) * (v - m);
        }
        return studentT975(n - 1) * Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
    }

    /** The 97.5th percentile of Student's t with {@code df} degrees of freedom. */
    static double studentT975(int df) {
        double[] table = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
            2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
            2.048, 2.045, 2.042};
        return df <= table.length ? table[df - 1] : 1.96 + 2.4 / df;
    }

    private Rig postgresRig(int index, boolean combining, int pool) {
        String schema = SCHEMA + "_" + index;
        BenchDatabase.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        BenchDatabase.Coordinates db = BenchDatabase.coordinates();
        PostgresStore store = PostgresStore.builder()
                .jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .isolation(PostgresIsolation.SERIALIZABLE)
                .schema(schema)
                .maxPoolSize(pool)
                .build();
        // Every phase holds at the same event, and the one-buyer phases alone would use up one thread's share of
        // the per-buyer caps; so all threads take turns over one pool, sized for the whole event.
        BuyerPool.plan(POSTGRES_CAPACITY, 1);
        Rig rig = new Rig(store, combining, POSTGRES_CAPACITY, 1);
        rig.shared = new BuyerId[BuyerPool.perThread()];
        for (int i = 0; i < rig.shared.length; i++) {
            rig.shared[i] = BuyerPool.buyer(0, i);
        }
        // Statistics from after the verifications, as an application's tables would have long before an on-sale.
        BenchDatabase.execute("VACUUM ANALYZE " + schema + ".stock_bucket", "VACUUM ANALYZE " + schema + ".allowance",
                "CHECKPOINT");
        return rig;
    }

    private Rig engineRig(Load load) {
        long expected = Math.max(100_000, ENGINE_HOLDS_PER_SECOND * phase.toMillis() / 1000);
        int capacity = (int) Math.min(Limits.MAX_SECTION_CAPACITY, 2 * expected);
        BuyerPool.plan(capacity, load.threads());
        return new Rig(EngineStore.builder().expectedHolds(expected).build(), load.combining(), capacity,
                load.threads());
    }

    /** A store, a client on it and one event of one bucket whose buyers are verified. */
    private final class Rig implements AutoCloseable {
        final TicketStore store;
        final TicketingClient client;
        final EventId event;
        /** One pool of buyers every thread takes turns over, or null when each thread has its own. */
        BuyerId[] shared;
        final AtomicLong cursor = new AtomicLong();

        Rig(TicketStore store, boolean combining, int capacity, int threads) {
            this.store = store;
            this.client = TicketingClient.builder()
                    .store(store)
                    .combining(combining)
                    .expirySweepInterval(Duration.ZERO)
                    .listener(new OperationListener() {
                        @Override
                        public void onConflict(Operation operation, int attempt, ConflictException conflict) {
                            conflicts.increment();
                        }
                    })
                    .name("alternation")
                    .build();
            this.event = HoldWorkload.createEvent(client, "alternation-" + System.nanoTime(), capacity, 1);
            BuyerPool.verifyAll(client, event, threads);
        }

        /** Units held at the event, from the committed rows; fails the run if the audit is not clean. */
        long audit() {
            AuditReport report = client.audit(event);
            if (!report.isClean() || report.oversoldUnits() != 0) {
                throw new IllegalStateException("audit not clean: " + report.summary());
            }
            return report.heldUnits();
        }

        @Override
        public void close() {
            client.close();
            store.close();
        }
    }
}

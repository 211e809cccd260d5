package io.dhamana.reliability;

import io.dhamana.AuditReport;
import io.dhamana.EventId;
import io.dhamana.RetryPolicy;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.BackendKiller;
import io.dhamana.testkit.ChaosStore;
import io.dhamana.testkit.time.MutableClock;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.fail;

/**
 * The soak: a seeded random workload of every operation ({@link Workload}) over many threads and two clients on one
 * store, with faults, recorded as a {@link History} and checked afterwards against the committed rows by the
 * {@link HistoryChecker}, by the audit, and by audits taken while it runs. It proves, for the whole run, that every
 * acknowledged call took effect exactly once, that a call whose outcome was unknown took effect at most once, that
 * no unit or seat was held twice, that stock + held + sold = capacity in every section, that money sums to zero, and
 * that callers only ever saw successes, typed rejections, or clear errors carrying the key to repeat the call with.
 *
 * <p>Faults: on the engine, {@link ChaosStore} makes a few writing transactions in a thousand lose a conflict, lose
 * the connection before the commit, or lose it after the commit (done, but the caller cannot know); on PostgreSQL,
 * {@link BackendKiller} terminates the SDK's backends for real every few hundred milliseconds. One client retries
 * transient failures itself (and combines holds); the other leaves them to the caller, who repeats the call with the
 * same key.
 *
 * <p>The default suite runs a short soak on each store (seconds). The long run is one command:
 * <pre>
 * mvn -pl dhamana-sdk -am test -Dtest=SoakTest -Dsoak.ops=1000000 -Dsoak.store=engine
 * </pre>
 * Properties: {@code soak.store} ({@code engine}, {@code postgres}, or both, comma-separated; default both),
 * {@code soak.ops} (operations per store; default 20,000 on the engine and 5,000 on PostgreSQL), {@code soak.threads}
 * (default 8 on the engine, 16 on PostgreSQL), {@code soak.seed} (default random; printed), {@code soak.faults}
 * (engine faults per thousand writing transactions, default 5), {@code soak.kills} (PostgreSQL kills on or off,
 * default true), {@code soak.isolation} (default SERIALIZABLE). A failing run prints its seed and the command that
 * repeats it, and writes its history to {@code target/soak/}; with {@code -Dsoak.threads=1} the engine replays a
 * seed's operations and faults exactly.
 */
class SoakTest {
    private static final long SEED = Long.getLong("soak.seed", ThreadLocalRandom.current().nextLong());
    private static final String STORES = System.getProperty("soak.store", "engine,postgres");

    @TestFactory
    Stream<DynamicTest> aSeededRandomHistoryIsExplainedByTheCommittedRows() {
        List<DynamicTest> runs = new ArrayList<>();
        for (String store : STORES.toLowerCase(Locale.ROOT).split(",")) {
            switch (store.strip()) {
                case "engine" -> runs.add(DynamicTest.dynamicTest("engine", () -> soak("engine",
                        Long.getLong("soak.ops", 20_000), Integer.getInteger("soak.threads", 8))));
                case "postgres" -> runs.add(DynamicTest.dynamicTest("postgres", () -> soak("postgres",
                        Long.getLong("soak.ops", 5_000), Integer.getInteger("soak.threads", 16))));
                default -> throw new IllegalArgumentException("soak.store: unknown store '" + store
                        + "' (engine or postgres)");
            }
        }
        return runs.stream();
    }

    /** The store a run attacks, how its clock moves, and what to close. */
    private record Target(TicketStore east, TicketStore west, TicketStore clean, Consumer<Duration> passTime,
                          Runnable startFaults, Runnable stopFaults, Supplier<String> faultsDescription,
                          Runnable close) {}

    private void soak(String storeName, long ops, int threads) throws Exception {
        long seed = SEED;
        StringBuilder command = new StringBuilder("mvn -pl dhamana-sdk -am test -Dtest=SoakTest -Dsoak.store=")
                .append(storeName).append(" -Dsoak.ops=").append(ops).append(" -Dsoak.threads=").append(threads)
                .append(" -Dsoak.seed=").append(seed);
        for (String option : List.of("soak.faults", "soak.kills", "soak.isolation")) {
            if (System.getProperty(option) != null) {
                command.append(" -D").append(option).append('=').append(System.getProperty(option));
            }
        }
        System.out.printf("[soak] %s: seed %d, %,d operations on %d threads (repeat with: %s)%n", storeName, seed,
                ops, threads, command);
        EventId event = EventId.of("soak-" + Long.toHexString(seed).replace('-', 'n'));
        Target target = storeName.equals("engine") ? engine(seed) : postgres(seed, threads);
        History history = new History();
        Workload workload = new Workload(event, target.passTime(), (int) Math.max(1_000, ops / 20));
        long started;
        long finished;
        try (TicketingClient east = client(target.east(), "east", true);
             TicketingClient west = client(target.west(), "west", false);
             TicketingClient clean = client(target.clean(), "auditor", false)) {
            workload.setUp(clean, history.recorder(-1));
            target.startFaults().run();
            ExecutorService pool = Executors.newFixedThreadPool(threads, new NamedThreads());
            List<Future<?>> futures = new ArrayList<>();
            started = System.nanoTime();
            SplittableRandom streams = new SplittableRandom(seed);
            try {
                for (int t = 0; t < threads; t++) {
                    long quota = ops / threads + (t < ops % threads ? 1 : 0);
                    Workload.Worker w = workload.new Worker(t % 2 == 0 ? east : west, t % 2 == 0 ? "east" : "west",
                            streams.split(), history.recorder(t));
                    futures.add(pool.submit(() -> {
                        for (long i = 0; i < quota; i++) {
                            workload.step(w);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
                finished = System.nanoTime();
                target.stopFaults().run();
            }

            HistoryChecker.Rows rows = HistoryChecker.Rows.read(target.clean(), event);
            HistoryChecker.Verdict verdict = HistoryChecker.check(history.operations(), rows);
            AuditReport audit = clean.audit(event);
            double seconds = (finished - started) / 1e9;
            long problems = workload.problems.size() + verdict.violations() + (audit.isClean() ? 0 : 1);
            System.out.printf(Locale.ROOT, "[soak] %s: %,d operations (%,d calls with repeats) on %d threads and two"
                            + " clients in %.1f s (%,.0f ops/s); faults: %s; %d clean audits while running; rows: %,d"
                            + " holds, %,d tickets, %,d listings, %,d log rows; violations: %d%n", storeName, ops,
                    history.size(), threads, seconds, history.size() / seconds, target.faultsDescription().get(),
                    workload.audits.get(), rows.holds().size(), rows.tickets().size(), rows.listings().size(),
                    rows.operations().size(), problems);
            System.out.printf("[soak] %s: ok/fail/info per operation: %s%n", storeName, verdict.tally());
            System.out.printf("[soak] %s: rejections: %s%n", storeName, verdict.rejections());
            System.out.printf("[soak] %s: final audit: %s%n", storeName, audit.summary());
            if (problems > 0) {
                Path file = history.writeTo(Path.of("target", "soak", "history-" + storeName + "-" + seed + ".edn"));
                StringBuilder why = new StringBuilder();
                workload.problems.stream().limit(30).forEach(p -> why.append("\n  - ").append(p));
                verdict.examples().forEach(v -> why.append("\n  - ").append(v));
                if (!audit.isClean()) {
                    why.append("\n  - final audit: ").append(audit.summary());
                }
                fail("soak on %s found %d violation(s) with seed %d; history in %s; repeat with:%n  %s%s",
                        storeName, problems, seed, file.toAbsolutePath(), command, why);
            }
        } finally {
            target.close().run();
        }
    }

    private static TicketingClient client(TicketStore store, String name, boolean retriesTransientFailures) {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(500).backoff(Duration.ofMillis(1), Duration.ofMillis(20))
                .deadline(Duration.ofMinutes(1)).retryTransientFailures(retriesTransientFailures).build();
        return TicketingClient.builder().store(store).name(name).retryPolicy(policy)
                .combining(retriesTransientFailures).expirySweepInterval(Duration.ZERO).build();
    }

    private static Target engine(long seed) {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T20:00:00Z"));
        EngineStore store = EngineStore.builder().clock(clock).build();
        ChaosStore chaos = new ChaosStore(store, seed, Integer.getInteger("soak.faults", 5));
        return new Target(chaos, chaos, store, clock::advance, () -> { }, () -> { },
                () -> chaos.tally() + " injected", store::close);
    }

    private static Target postgres(long seed, int threads) {
        String schema = "soak";
        PostgresIsolation isolation = PostgresIsolation.valueOf(System.getProperty("soak.isolation", "SERIALIZABLE"));
        PostgresServer.freshSchema(schema);
        boolean kills = Boolean.parseBoolean(System.getProperty("soak.kills", "true"));
        BackendKiller killer = BackendKiller.onTestServer(seed, 100, 300).spareCurrentBackends();
        PostgresStore east = PostgresServer.store(schema, isolation).maxPoolSize(threads / 2 + 2).build();
        PostgresStore west = PostgresServer.store(schema, isolation).maxPoolSize(threads / 2 + 2).build();
        PostgresStore clean = PostgresServer.store(schema, isolation).maxPoolSize(2).build();
        return new Target(east, west, clean, d -> { }, () -> {
            if (kills) {
                killer.start();
            }
        }, killer::close, () -> kills ? killer.kills() + " backends killed (" + killer.killsInTransaction()
                + " of them mid-transaction or mid-statement)" : "none", () -> {
            east.close();
            west.close();
            clean.close();
        });
    }

    /** Worker threads named by their number, which seeds their injected faults. */
    private static final class NamedThreads implements ThreadFactory {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "soak-worker-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    }
}

package io.dhamana.examples;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Operation;
import io.dhamana.OperationStats;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.examples.support.Args;
import io.dhamana.examples.support.Cli;
import io.dhamana.examples.support.ExampleStores;
import io.dhamana.spi.TicketStore;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A flash drop: many verified fans hit a general-admission floor, a pit and a seated balcony at once, from two
 * regions (two clients on one store). Each fan holds one or two units (or a named seat), then pays or lets go. Prints
 * progress while it runs and, at the end, what the audit counts from committed rows (sold, oversold, double bookings,
 * whether every ledger balances) and the holds per second sustained while stock lasted.
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.args="--buyers 20000 --units 5000 --buckets 1"
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.args="--jdbc-url jdbc:postgresql://localhost/db
 *     --user u --password p --rtt-ms 5 --buyers 5000 --units 4000 --combining"
 * </pre>
 *
 * {@code --combining} serves concurrent holds on one bucket with one transaction. It pays where a transaction is a
 * round trip to a database (PostgreSQL, Aurora DSQL); the in-process engine skips it, and the drop says so.
 * {@code --rtt-ms} puts a simulated network between the SDK and a PostgreSQL server on this machine.
 */
public final class FlashDrop {
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId PIT = SectionId.of("pit");
    private static final SectionId BALCONY = SectionId.of("balcony");
    private static final int BALCONY_SEATS = 8 * 12;

    /**
     * What a run measured.
     *
     * @param holdsPerSecond holds committed per second from the start until the last hold committed: the rate
     *                       sustained while stock lasted
     * @param elapsed        from the start until every fan was done
     */
    public record Summary(int buyers, long capacity, long holds, long soldUnits, long remaining, long oversold,
                          long doubleBookedSeats, long conflicts, long retries, double holdsPerSecond,
                          Duration elapsed, AuditReport audit) {}

    private FlashDrop() {}

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "FlashDrop [--buyers 100000] [--units 100000] [--threads 64] [--buckets 64] [--combining]",
                FlashDrop::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws InterruptedException {
        try (TicketStore store = ExampleStores.open(args)) {
            Summary s = run(store, args.integer("buyers", 100_000), args.integer("units", 100_000),
                    args.integer("threads", 64), args.integer("buckets", 64), args.flag("combining"), true);
            boolean ok = s.audit().isClean() && s.oversold() == 0;
            System.out.println(ok ? "Zero oversold, every ledger balanced."
                    : "THE AUDIT FOUND VIOLATIONS: " + s.audit().summary());
            return ok;
        }
    }

    /** Runs one drop on {@code store}; prints progress when {@code verbose}. */
    public static Summary run(TicketStore store, int buyers, int units, int threads, int buckets, boolean combining,
                              boolean verbose) throws InterruptedException {
        if (buyers < 1 || threads < 1 || buckets < 1) {
            throw new IllegalArgumentException("buyers, threads and buckets must be at least 1");
        }
        if (units < 10 || units > 10_000_000) {
            throw new IllegalArgumentException("units must be 10 to 10,000,000, was " + units);
        }
        int floor = units - units / 5;
        int pit = units / 5;
        OperationStats stats = new OperationStats();
        EventId drop = EventId.of("flash-drop-" + Long.toString(System.currentTimeMillis(), 36));
        try (TicketingClient east = client(store, "east", stats, combining);
             TicketingClient west = client(store, "west", stats, combining)) {
            east.createEvent(EventSpec.builder(drop).name("Flash drop").perBuyerCap(2)
                    .generalAdmission("floor", floor, Math.min(buckets, floor), 15_000)
                    .generalAdmission("pit", pit, Math.min(buckets, Math.min(16, pit)), 22_000)
                    .reservedSeating("balcony", SeatMap.grid(8, 12), 25_000)
                    .build());
            long capacity = (long) floor + pit + BALCONY_SEATS;
            say(verbose, "Flash drop on %s: %,d units (floor %,d over %d buckets, pit %,d, balcony 8x12 seats), "
                    + "%,d buyers, %d threads, two regions%n", store.description(), capacity, floor,
                    Math.min(buckets, floor), pit, buyers, threads);
            if (combining && !store.combiningPays()) {
                say(verbose, "  --combining is skipped on %s: a hold here costs less than waking a waiting caller,"
                        + " so each hold runs on its own. It pays on PostgreSQL and Aurora DSQL.%n",
                        store.description());
            }

            List<BuyerId> fans = verify(east, west, drop, buyers, threads, verbose);
            stats.reset();

            AtomicInteger done = new AtomicInteger();
            AtomicLong lastHold = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>(buyers);
            for (int i = 0; i < buyers; i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId fan = fans.get(i);
                long seed = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    if (shop(region, drop, fan, new SplittableRandom(seed))) {
                        lastHold.accumulateAndGet(System.nanoTime(), Math::max);
                    }
                    done.incrementAndGet();
                    return null;
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            pool.shutdown();
            while (!pool.awaitTermination(250, TimeUnit.MILLISECONDS)) {
                progress(verbose, start, stats, done.get(), buyers);
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a buyer failed", e.getCause());
                }
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            progress(verbose, start, stats, done.get(), buyers);

            AuditReport audit = east.audit(drop);
            OperationStats.Snapshot holds = stats.snapshot(Operation.HOLD);
            long conflicts = 0;
            long retries = 0;
            for (Operation op : Operation.values()) {
                conflicts += stats.snapshot(op).conflicts();
                retries += stats.snapshot(op).retries();
            }
            double holding = Math.max(1e-9, (Math.max(lastHold.get(), start) - start) / 1e9);
            double perSecond = holds.successes() / holding;
            Summary s = new Summary(buyers, capacity, holds.successes(), audit.soldUnits(), audit.remaining(),
                    audit.oversoldUnits(), audit.doubleBookedSeats(), conflicts, retries, perSecond, elapsed, audit);
            if (verbose) {
                System.out.println();
                System.out.printf(Locale.ROOT, "  buyers               %,d%n", buyers);
                System.out.printf(Locale.ROOT, "  units on sale        %,d%n", capacity);
                System.out.printf(Locale.ROOT, "  holds committed      %,d (%,d refused: sold out, seat taken or cap)%n",
                        holds.successes(), holds.rejections());
                System.out.printf(Locale.ROOT, "  sold (audit)         %,d units, %,d still held, %,d left%n",
                        audit.soldUnits(), audit.heldUnits(), audit.remaining());
                System.out.printf(Locale.ROOT, "  oversold (audit)     %,d%n", audit.oversoldUnits());
                System.out.printf(Locale.ROOT, "  double-booked seats  %,d%n", audit.doubleBookedSeats());
                System.out.printf(Locale.ROOT, "  conflicts            %,d (%.3f per hold)%n", conflicts,
                        conflicts / (double) Math.max(1, holds.calls()));
                System.out.printf(Locale.ROOT, "  retries              %,d%n", retries);
                System.out.printf(Locale.ROOT, "  holds per second     %,.0f committed while stock lasted (%,d holds"
                        + " in %.2f s); %,.0f calls decided per second over the whole %.2f s%n", perSecond,
                        holds.successes(), holding, holds.calls() / Math.max(1e-9, elapsed.toNanos() / 1e9),
                        elapsed.toNanos() / 1e9);
                System.out.println("  audit                " + audit.summary());
            }
            return s;
        }
    }

    /** Verifies the fans from both regions on {@code threads} threads, with progress. */
    private static List<BuyerId> verify(TicketingClient east, TicketingClient west, EventId drop, int buyers,
                                        int threads, boolean verbose) throws InterruptedException {
        List<BuyerId> fans = new ArrayList<>(buyers);
        for (int i = 0; i < buyers; i++) {
            fans.add(BuyerId.of("fan-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger verified = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>(buyers);
        try {
            for (int i = 0; i < buyers; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    (n % 2 == 0 ? east : west).verifyFan(drop, fans.get(n),
                            URI.create("https://verify.example/fans/" + n)).value();
                    int v = verified.incrementAndGet();
                    if (verbose && v % 25_000 == 0) {
                        System.out.printf(Locale.ROOT, "  verified %,d fans%n", v);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("verifying a fan failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return fans;
    }

    /** One fan's visit: hold something, then pay (nine times in ten) or let it go; true if a hold committed. */
    private static boolean shop(TicketingClient client, EventId drop, BuyerId fan, SplittableRandom random) {
        double pick = random.nextDouble();
        Outcome<Hold> held;
        if (pick < 0.2) {
            held = Outcome.rejected(new Rejection.SeatTaken(drop, BALCONY, SeatId.of("A-1")));
            for (int tries = 0; tries < 3 && !held.isOk(); tries++) {
                SeatId seat = SeatId.of(SeatMap.rowName(random.nextInt(8)) + "-" + (1 + random.nextInt(12)));
                held = client.hold(HoldRequest.seat(drop, BALCONY, seat, fan));
            }
        } else {
            SectionId first = pick < 0.8 ? FLOOR : PIT;
            int units = random.nextDouble() < 0.3 ? 2 : 1;
            held = client.hold(HoldRequest.units(drop, first, fan, units));
            if (!held.isOk() && held.rejectionIfAny().orElseThrow() instanceof Rejection.SoldOut) {
                held = client.hold(HoldRequest.units(drop, first == FLOOR ? PIT : FLOOR, fan, units));
            }
        }
        if (held.isOk()) {
            if (random.nextDouble() < 0.9) {
                client.confirm(held.value().id());
            } else {
                client.release(held.value().id());
            }
        }
        return held.isOk();
    }

    private static void progress(boolean verbose, long start, OperationStats stats, int done, int buyers) {
        if (!verbose) {
            return;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        OperationStats.Snapshot h = stats.snapshot(Operation.HOLD);
        OperationStats.Snapshot c = stats.snapshot(Operation.CONFIRM);
        long conflicts = h.conflicts() + c.conflicts() + stats.snapshot(Operation.RELEASE).conflicts();
        System.out.printf(Locale.ROOT, "  [%5.1fs] fans done %,d/%,d | holds %,d (%,.0f/s) | confirmed %,d | "
                        + "refused %,d | conflicts %,d | retries %,d%n", seconds, done, buyers, h.successes(),
                h.successes() / Math.max(seconds, 1e-9), c.successes(), h.rejections(), conflicts,
                h.retries() + c.retries());
    }

    private static TicketingClient client(TicketStore store, String region, OperationStats stats, boolean combining) {
        return TicketingClient.builder().store(store).name("flash-drop-" + region).listener(stats)
                .combining(combining).expirySweepInterval(Duration.ZERO).build();
    }

    private static void say(boolean verbose, String format, Object... args) {
        if (verbose) {
            System.out.printf(Locale.ROOT, format, args);
        }
    }
}

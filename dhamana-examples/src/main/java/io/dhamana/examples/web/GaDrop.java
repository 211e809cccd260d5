package io.dhamana.examples.web;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.DhamanaException;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Operation;
import io.dhamana.OperationStats;
import io.dhamana.Outcome;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.spi.TicketStore;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One general-admission drop with a live rate: {@value #BUYERS} verified fans hammer a GA section of
 * {@value #CAPACITY} units split over 1 to 64 stock buckets from {@value #THREADS} threads for a few seconds. Each
 * fan holds one unit and lets it go again, so the stock comes back and the drop keeps running until its time is up.
 * Every half second the committed holds per second are sampled from an {@link OperationStats} listener; the
 * points are what the page charts. At the end the drop's event is audited from committed rows.
 *
 * <p>Runs on its own fresh event (buckets are fixed when a section is created). On the embedded engine it also gets
 * its own store, closed when the drop ends: a ten-second drop commits about a million rows, and keeping them all in
 * the page's memory would let a few clicks fill the heap. The audit is taken before that store closes. Thread-safe:
 * one thread runs it, any thread may read {@link #toJson()} while it runs.
 */
final class GaDrop {
    static final int BUYERS = 2_000;
    static final int CAPACITY = 2_000;
    static final int THREADS = 32;
    static final long FACE_VALUE_MINOR = 9_500;
    private static final SectionId GA = SectionId.of("ga");
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int JOIN_SECONDS = 30;

    private final int id;
    private final int buckets;
    private final int seconds;
    private final EventId event;
    private final OperationStats stats = new OperationStats();
    private final LongAdder gaveUp = new LongAdder();
    private final List<double[]> points = new ArrayList<>(); // guarded by this
    private volatile boolean running = true;
    private volatile AuditReport audit;
    private volatile String failure;
    private volatile String storeDescription = "";

    GaDrop(int id, int buckets, int seconds, String suffix) {
        this.id = id;
        this.buckets = buckets;
        this.seconds = seconds;
        this.event = EventId.of("ga-drop-" + id + "-" + suffix);
    }

    int id() {
        return id;
    }

    EventId event() {
        return event;
    }

    boolean running() {
        return running;
    }

    /** The audit taken from committed rows when the drop ended; null while it runs or if it failed. */
    AuditReport audit() {
        return audit;
    }

    /** Why the drop stopped early, or null. */
    String failure() {
        return failure;
    }

    /**
     * Runs the drop to its end on the calling thread, audits its event and, when {@code ownsStore}, closes the
     * store so its rows are freed. Never throws: a failure is kept and shown.
     */
    void run(TicketStore store, boolean ownsStore) {
        try (TicketingClient client = TicketingClient.builder().store(store).name("ga-drop").listener(stats)
                .expirySweepInterval(Duration.ZERO).build()) {
            storeDescription = store.description() + (ownsStore ? ", a fresh one for this drop" : "");
            client.createEvent(EventSpec.builder(event).name("GA drop " + id + " (" + buckets + " buckets)")
                    .generalAdmission(GA.value(), CAPACITY, buckets, FACE_VALUE_MINOR).build());
            List<BuyerId> fans = new ArrayList<>(BUYERS);
            for (int i = 0; i < BUYERS; i++) {
                BuyerId fan = BuyerId.of("drop" + id + "-fan-" + i);
                client.verifyFan(event, fan, URI.create("https://verify.example/drop/" + fan.value())).value();
                fans.add(fan);
            }
            stats.reset();
            hammer(client, fans);
            audit = client.audit(event);
        } catch (RuntimeException | InterruptedException e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            try {
                if (ownsStore) {
                    store.close();
                }
            } finally {
                running = false;
            }
        }
    }

    private void hammer(TicketingClient client, List<BuyerId> fans) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> workerFailure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>(THREADS);
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            Thread w = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                // Thread t cycles over fans t, t+THREADS, t+2*THREADS... below fans.size(), then starts again at t:
                // the threads split the fans between them, so no two threads ever hold for the same fan.
                try {
                    for (int k = first; System.nanoTime() < deadline && !Thread.currentThread().isInterrupted();
                         k = k + THREADS < fans.size() ? k + THREADS : first) {
                        try {
                            Outcome<Hold> held = client.hold(HoldRequest.units(event, GA, fans.get(k), 1));
                            if (held.isOk()) {
                                client.release(held.value().id()); // restock: the unit goes back on sale
                            }
                        } catch (DhamanaException e) {
                            gaveUp.increment(); // retries exhausted under contention; counted, not hidden
                        }
                    }
                } catch (RuntimeException | Error e) {
                    workerFailure.compareAndSet(null, e); // the drop reports it rather than ending quietly
                }
            }, "ga-drop-" + id + "-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        go.countDown();
        long lastAt = start;
        long lastHolds = 0;
        try {
            while (System.nanoTime() < deadline && workerFailure.get() == null) {
                TimeUnit.NANOSECONDS.sleep(Math.min(SAMPLE_NANOS, Math.max(1, deadline - System.nanoTime())));
                long now = System.nanoTime();
                long holds = stats.snapshot(Operation.HOLD).successes();
                double rate = (holds - lastHolds) / ((now - lastAt) / 1e9);
                synchronized (this) {
                    points.add(new double[] {(now - start) / 1e9, rate});
                }
                lastAt = now;
                lastHolds = holds;
            }
        } catch (InterruptedException e) {
            // The server is shutting down. The workers stop after their call in flight; wait for them, so the
            // caller does not close the client and the store under a hold.
            workers.forEach(Thread::interrupt);
            join(workers);
            throw e;
        }
        if (workerFailure.get() != null) {
            workers.forEach(Thread::interrupt); // the others stop too: the drop has failed
        }
        List<Thread> stuck = join(workers);
        Throwable failed = workerFailure.get();
        if (failed != null) {
            throw new IllegalStateException("a buyer thread failed: " + failed, failed);
        }
        if (!stuck.isEmpty()) {
            throw new IllegalStateException(stuck.size() + " buyer threads still running " + JOIN_SECONDS
                    + " s after the drop ended");
        }
    }

    /** Waits up to {@value #JOIN_SECONDS} s in all for {@code workers} to end; returns those still running. */
    private static List<Thread> join(List<Thread> workers) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(JOIN_SECONDS);
        for (Thread w : workers) {
            long left = until - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(w, left);
            }
        }
        return workers.stream().filter(Thread::isAlive).toList();
    }

    /** What the page shows: settings, the sampled rate, totals and (when finished) the audit. */
    Map<String, Object> toJson() {
        List<Object> pts = new ArrayList<>();
        synchronized (this) {
            for (double[] p : points) {
                pts.add(List.of(p[0], p[1]));
            }
        }
        OperationStats.Snapshot h = stats.snapshot(Operation.HOLD);
        OperationStats.Snapshot r = stats.snapshot(Operation.RELEASE);
        double mean = 0;
        double peak = 0;
        synchronized (this) {
            if (!points.isEmpty()) {
                double elapsed = points.get(points.size() - 1)[0];
                mean = h.successes() / Math.max(elapsed, 1e-9);
                for (double[] p : points) {
                    peak = Math.max(peak, p[1]);
                }
            }
        }
        AuditReport a = audit;
        return Json.obj("id", id, "event", event.value(), "buckets", buckets, "seconds", seconds,
                "threads", THREADS, "buyers", BUYERS, "store", storeDescription, "capacity", CAPACITY,
                "running", running,
                "points", pts, "holds", h.successes(), "refused", h.rejections(),
                "conflicts", h.conflicts() + r.conflicts(), "retries", h.retries() + r.retries(),
                "gaveUp", gaveUp.sum(), "meanPerSecond", mean, "peakPerSecond", peak,
                "audit", a == null ? null : OnSale.auditJson(a), "failure", failure);
    }
}

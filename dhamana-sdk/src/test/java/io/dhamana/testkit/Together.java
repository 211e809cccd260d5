package io.dhamana.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs many calls on a pool, released at one instant once every worker waits at the gate. The one way the tests
 * start threads together.
 */
public final class Together {
    /** Long enough that only a hang reaches it. */
    private static final Duration PATIENCE = Duration.ofMinutes(20);

    private Together() {}

    /** Runs the calls on {@code threads} threads and rethrows the first failure. */
    public static void run(List<Callable<Void>> calls, int threads) throws Exception {
        run(calls, threads, PATIENCE);
    }

    /**
     * Runs the calls on {@code threads} threads and rethrows the first failure (as the {@link
     * java.util.concurrent.ExecutionException} that carries it).
     *
     * @throws TimeoutException if the calls have not all finished {@code timeout} after their release; the workers
     *                          still running are interrupted
     */
    public static void run(List<Callable<Void>> calls, int threads, Duration timeout) throws Exception {
        int workers = Math.max(1, Math.min(threads, calls.size()));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            CountDownLatch ready = new CountDownLatch(workers);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Void>> futures = new ArrayList<>();
            for (Callable<Void> c : calls) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return c.call();
                }));
            }
            ready.await();
            go.countDown();
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Future<Void> f : futures) {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

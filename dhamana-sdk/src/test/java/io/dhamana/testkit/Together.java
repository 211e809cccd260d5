package io.dhamana.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs many calls on a pool, released at one instant once every worker waits at the gate. */
public final class Together {
    private Together() {}

    /** Runs the calls on {@code threads} threads and rethrows the first failure. */
    public static void run(List<Callable<Void>> calls, int threads) throws Exception {
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
            for (Future<Void> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

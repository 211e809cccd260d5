package io.dhamana.examples.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs a crowd: {@code people} small tasks on a few threads, all released at the same instant (an on-sale moment),
 * and waits for every one. Plumbing for the examples, not part of the SDK.
 */
public final class Crowd {

    /** What person {@code i} does. */
    @FunctionalInterface
    public interface Person {
        void act(int i) throws Exception;
    }

    private Crowd() {}

    /** Shuffles {@code order} in place with a fixed seed, so several kinds of people arrive mixed, and returns it. */
    public static int[] shuffle(int[] order, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Runs the crowd without progress reports. */
    public static Duration run(int people, int threads, Person person) throws InterruptedException {
        return run(people, threads, person, done -> { });
    }

    /**
     * Runs {@code person.act(0 .. people-1)} on {@code threads} threads and returns how long it took. Calls
     * {@code progress} with the number of people done about twice a second while the crowd is running.
     *
     * @throws IllegalStateException if a task threw; the first failure is its cause and the remaining people are
     *                               not started
     */
    public static Duration run(int people, int threads, Person person, IntConsumer progress)
            throws InterruptedException {
        if (people < 0 || threads < 1) {
            throw new IllegalArgumentException("people must be >= 0 and threads >= 1");
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < Math.min(threads, Math.max(1, people)); t++) {
            Thread w = new Thread(() -> {
                try {
                    go.await();
                    for (int i = next.getAndIncrement(); i < people && failure.get() == null;
                         i = next.getAndIncrement()) {
                        person.act(i);
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "crowd-" + t);
            w.setDaemon(true);
            w.start();
            workers.add(w);
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread w : workers) {
            while (w.isAlive()) {
                w.join(500);
                if (w.isAlive()) {
                    progress.accept(done.get());
                }
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a task failed: " + failure.get(), failure.get());
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}

package io.dhamana.internal;

import io.dhamana.testkit.Together;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static io.dhamana.testkit.Theories.qt;
import static io.dhamana.testkit.Theories.shrinkingAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The per-bucket admission gate, generated. Under a stampede of any size (many threads entering and leaving at
 * random, some holding the place long enough for others to fall asleep) nobody beyond the gate's places is ever
 * inside, every thread finishes (a lost wake-up would strand a sleeper, seen as a thread that never finishes), and
 * the gate ends as it began; places given back in a burst let in as many sleepers. Moves and gaps come from the
 * example's seed.
 */
class BucketGateProperties {
    private static final int TRIES = 25;
    /** Long enough that only a hang reaches it; nothing here is timed. */
    private static final Duration HANG = Duration.ofSeconds(60);
    /** A hang costs a minute per shrink candidate: one or two are enough to report it. */
    private static final Duration SHRINKING = Duration.ofMinutes(1);

    /** One stampede: the gate's places, the threads at it, the entries each makes, and the seed of their moves. */
    record Crowd(int places, int threads, int rounds, long seed) {}

    @Test
    void underAStampedeTheGateNeverAdmitsTooManyAndNeverStrandsASleeper() {
        qt(TRIES).forAll(crowds()).checkAssert(shrinkingAtMost(SHRINKING, BucketGateProperties::stampede));
    }

    private static void stampede(Crowd crowd) throws Exception {
        BucketGate gate = new BucketGate(crowd.places());
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger entries = new AtomicInteger();
        SplittableRandom seeds = new SplittableRandom(crowd.seed());
        List<Callable<Void>> threads = new ArrayList<>();
        for (int t = 0; t < crowd.threads(); t++) {
            SplittableRandom random = seeds.split();
            threads.add(() -> {
                for (int r = 0; r < crowd.rounds(); r++) {
                    boolean tookAFreePlace = random.nextInt(4) == 0 && gate.tryEnter();
                    if (!tookAFreePlace) {
                        gate.enter();
                    }
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    entries.incrementAndGet();
                    switch (random.nextInt(8)) {
                        case 0 -> LockSupport.parkNanos(20_000); // long enough for the others to sleep
                        case 1 -> Thread.yield();
                        default -> Thread.onSpinWait();
                    }
                    inside.decrementAndGet();
                    gate.leave();
                }
                return null;
            });
        }
        try {
            Together.run(threads, crowd.threads(), HANG);
        } catch (TimeoutException e) {
            String state = String.format("a thread is stranded: %d asleep, %d places free", gate.sleeping(),
                    gate.free());
            for (int t = 0; t < crowd.threads(); t++) {
                gate.leave(); // lets the stranded threads finish instead of outliving the example
            }
            throw new AssertionError(state, e);
        }
        assertThat(entries.get()).isEqualTo(crowd.threads() * crowd.rounds());
        assertThat(most.get()).as("most holders inside at once").isBetween(1, crowd.places());
        assertThat(gate.free()).as("places free at the end").isEqualTo(crowd.places());
        assertThat(gate.sleeping()).as("threads asleep at the end").isZero();
    }

    /**
     * Places given back while sleepers wait for them, all at once or spaced out: every sleeper a place was given back
     * for gets in. Those in stay in until all are counted, so that nobody's leave can wake the next sleeper in place of
     * the hand-on a burst needs (leaves in a row wake one sleeper, which must wake the next if places are left).
     */
    @Test
    void placesGivenBackInABurstLetInEverySleeperTheyCan() {
        qt(TRIES).forAll(bursts()).checkAssert(shrinkingAtMost(SHRINKING, BucketGateProperties::burst));
    }

    /** One burst: the gate's places (all taken), the sleepers waiting, and the seed of the gaps between leaves. */
    record Burst(int places, int sleepers, long seed) {}

    private static void burst(Burst burst) throws Exception {
        BucketGate gate = new BucketGate(burst.places());
        for (int p = 0; p < burst.places(); p++) {
            gate.enter();
        }
        AtomicInteger in = new AtomicInteger();
        CountDownLatch leave = new CountDownLatch(1);
        List<Callable<Void>> sleepers = new ArrayList<>();
        for (int t = 0; t < burst.sleepers(); t++) {
            sleepers.add(() -> {
                gate.enter();
                in.incrementAndGet();
                leave.await();
                gate.leave();
                return null;
            });
        }
        FutureTask<Void> crowd = new FutureTask<>(() -> {
            Together.run(sleepers, burst.sleepers(), HANG.multipliedBy(3)); // the waits below report a hang first
            return null;
        });
        new Thread(crowd, "gate-sleepers").start();
        int expected = Math.min(burst.places(), burst.sleepers());
        try {
            await(() -> gate.sleeping() == burst.sleepers(), () -> String.format("only %d of %d sleepers queued",
                    gate.sleeping(), burst.sleepers()));
            LockSupport.parkNanos(5_000_000); // queued is not yet asleep: let them park
            SplittableRandom random = new SplittableRandom(burst.seed());
            for (int p = 0; p < burst.places(); p++) {
                gate.leave();
                if (random.nextInt(3) == 0) {
                    LockSupport.parkNanos(random.nextInt(200_000)); // a gap: the woken one may get in meanwhile
                }
            }
            await(() -> in.get() >= expected, () -> String.format("a sleeper is stranded: %d places given back,"
                    + " %d of %d sleepers in, %d asleep, %d places free", burst.places(), in.get(), burst.sleepers(),
                    gate.sleeping(), gate.free()));
            assertThat(in.get()).as("sleepers in: no more than the places given back").isEqualTo(expected);
            leave.countDown();
            await(crowd::isDone, () -> String.format("a sleeper is stranded once those in left: %d of %d sleepers"
                    + " got in, %d asleep, %d places free", in.get(), burst.sleepers(), gate.sleeping(), gate.free()));
        } finally {
            leave.countDown();
            if (!crowd.isDone()) {
                for (int t = 0; t < burst.sleepers(); t++) {
                    gate.leave(); // lets the stranded sleepers finish instead of outliving the example
                }
            }
        }
        crowd.get(HANG.toSeconds(), TimeUnit.SECONDS); // rethrows what a sleeper threw
        assertThat(in.get()).as("every sleeper got in in the end").isEqualTo(burst.sleepers());
        assertThat(gate.free()).as("places free at the end").isEqualTo(burst.places());
        assertThat(gate.sleeping()).as("threads asleep at the end").isZero();
    }

    /** Waits for {@code done}; past {@link #HANG} fails with what {@code stranded} says. */
    private static void await(BooleanSupplier done, Supplier<String> stranded) {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(stranded.get());
            }
            Thread.onSpinWait();
        }
    }

    private static Gen<Burst> bursts() {
        return integers().between(1, 4).zip(integers().between(1, 8), longs().all(), Burst::new);
    }

    private static Gen<Crowd> crowds() {
        return integers().between(1, 4).zip(integers().between(2, 48), integers().between(50, 400), longs().all(),
                Crowd::new);
    }
}

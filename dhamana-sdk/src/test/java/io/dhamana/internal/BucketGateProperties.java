package io.dhamana.internal;

import io.dhamana.testkit.Together;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static io.dhamana.testkit.Theories.qt;
import static io.dhamana.testkit.Theories.shrinkingAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The per-bucket admission gate under a stampede of any size: many threads entering and leaving at random, some
 * holding the place long enough for others to fall asleep. Nobody beyond the gate's places is ever inside, every
 * thread finishes (a lost wake-up would strand a sleeper, seen as a thread that never finishes), and the gate ends
 * as it began. Each thread draws its moves from the example's seed.
 */
class BucketGateProperties {
    private static final int TRIES = 25;
    /** Long enough that only a hang reaches it; nothing here is timed. */
    private static final Duration HANG = Duration.ofSeconds(60);
    /** A hang costs a minute per shrink candidate: a few are enough to report it. */
    private static final Duration SHRINKING = Duration.ofMinutes(3);

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

    private static Gen<Crowd> crowds() {
        return integers().between(1, 4).zip(integers().between(2, 48), integers().between(50, 400), longs().all(),
                Crowd::new);
    }
}

package io.dhamana.internal;

import io.dhamana.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The per-bucket admission gate: never more holds inside than it has places, and no sleeper left asleep while a
 * place is free (a lost wake-up would hang the callers, which these tests would see as threads that never finish).
 * {@link BucketGateProperties} runs stampedes of every size.
 */
class BucketGateTest {
    /** Long enough that only a hang reaches it; nothing here is timed. */
    private static final long HANG_SECONDS = 60;

    @Test
    void tryEnterTakesOnlyFreePlacesAndLeavingGivesThemBack() {
        BucketGate gate = new BucketGate(2);
        assertThat(gate.tryEnter()).isTrue();
        assertThat(gate.tryEnter()).isTrue();
        assertThat(gate.tryEnter()).isFalse();
        assertThat(gate.free()).isZero();
        gate.leave();
        assertThat(gate.free()).isEqualTo(1);
        assertThat(gate.tryEnter()).isTrue();
    }

    @Test
    void aGateNeedsAtLeastOnePlace() {
        assertThatThrownBy(() -> new BucketGate(0)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("places");
    }

    @Test
    void aSleeperGetsInWhenThePlaceIsGivenBackAndNotBefore() throws Exception {
        BucketGate gate = new BucketGate(1);
        gate.enter();
        AtomicBoolean in = new AtomicBoolean();
        Thread sleeper = new Thread(() -> {
            gate.enter();
            in.set(true);
        });
        sleeper.start();
        awaitSleepers(gate, 1);
        assertThat(in).isFalse();
        gate.leave();
        sleeper.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
        assertThat(in).as("the sleeper got the place given back").isTrue();
        assertThat(gate.free()).isZero(); // it is inside now
        assertThat(gate.sleeping()).isZero();
    }

    @Test
    void anInterruptDoesNotLetASleeperInButIsKeptForIt() throws Exception {
        BucketGate gate = new BucketGate(1);
        gate.enter();
        AtomicBoolean in = new AtomicBoolean();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread sleeper = new Thread(() -> {
            gate.enter();
            in.set(true);
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        sleeper.start();
        awaitSleepers(gate, 1);
        sleeper.interrupt();
        // Still waiting, and asleep rather than spinning on its interrupt: it parks again and stays queued.
        for (int i = 0; i < 20; i++) {
            LockSupport.parkNanos(1_000_000);
            assertThat(in).isFalse();
            assertThat(gate.sleeping()).isEqualTo(1);
        }
        gate.leave();
        sleeper.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
        assertThat(in).isTrue();
        assertThat(interruptKept).isTrue();
    }

    @Test
    void everySleeperGetsInWhenPlacesAreGivenBackTogether() throws Exception {
        BucketGate gate = new BucketGate(3);
        for (int i = 0; i < 3; i++) {
            gate.enter();
        }
        AtomicInteger in = new AtomicInteger();
        List<Thread> sleepers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                gate.enter();
                in.incrementAndGet();
            });
            sleepers.add(t);
            t.start();
        }
        awaitSleepers(gate, 3);
        // Three leaves in a row: the first wakes one sleeper, the next two see it on its way and wake nobody, so
        // the woken one must hand the turn on when it finds places left over.
        gate.leave();
        gate.leave();
        gate.leave();
        for (Thread t : sleepers) {
            t.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
        }
        assertThat(in.get()).isEqualTo(3);
        assertThat(gate.free()).isZero();
    }

    private static void awaitSleepers(BucketGate gate, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS);
        while (gate.sleeping() < n) {
            assertThat(System.nanoTime()).as("%d threads never queued", n).isLessThan(deadline);
            Thread.onSpinWait();
        }
        // Queued is not yet asleep; a short wait lets them park (the tests hold either way, this only makes the
        // park path the one exercised).
        LockSupport.parkNanos(5_000_000);
    }
}

package io.dhamana.jmh;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The naive foil's sequence of drops: threads told "sold out" together put exactly one next drop on sale, built
 * ahead rather than by them, and only the drops put on sale are counted.
 */
class NaiveFoilBenchmarkTest {

    @Test
    void threadsSoldOutTogetherPutOneBuiltAheadDropOnSaleAndOnlyThatIsCounted() throws Exception {
        try (NaiveFoilBenchmark.DropLine line = new NaiveFoilBenchmark.DropLine(3)) {
            line.open();
            NaiveFoilBenchmark.Drop soldOut = line.current();
            awaitSpares(line);
            int builtBefore = line.built();

            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    line.replace(soldOut);
                });
                threads.add(thread);
                thread.start();
            }
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }

            NaiveFoilBenchmark.Drop next = line.current();
            assertThat(next).isNotSameAs(soldOut);
            assertThat(line.installed()).isEqualTo(2);
            assertThat(line.waits()).isZero();
            // The spare taken was already built; the builder refills one spare and the losers built nothing.
            awaitSpares(line);
            assertThat(line.built()).isEqualTo(builtBefore + 1);

            line.replace(soldOut); // a late thread still holding the old drop changes nothing
            assertThat(line.current()).isSameAs(next);
            assertThat(line.installed()).isEqualTo(2);
            assertThat(line.takeAll()).containsExactly(soldOut, next);
            assertThat(line.takeAll()).containsExactly(next);
            soldOut.close();
            next.close();
        }
    }

    @Test
    void aDropOnSaleIsAFreshEventOfItsCapacity() {
        try (NaiveFoilBenchmark.DropLine line = new NaiveFoilBenchmark.DropLine(2)) {
            line.open();
            NaiveFoilBenchmark.Drop drop = line.current();
            io.dhamana.BuyerId buyer = BuyerPool.buyer(0, 0);
            assertThat(drop.foil.holdUnits(drop.event, HoldWorkload.FLOOR, buyer, 1)).isTrue();
            assertThat(drop.foil.holdUnits(drop.event, HoldWorkload.FLOOR, buyer, 1)).isTrue();
            assertThat(drop.foil.holdUnits(drop.event, HoldWorkload.FLOOR, buyer, 1)).isFalse();
            line.replace(drop);
            NaiveFoilBenchmark.Drop next = line.current();
            assertThat(next.event).isNotEqualTo(drop.event);
            assertThat(next.client.audit(next.event).heldUnits()).isZero();
            for (NaiveFoilBenchmark.Drop d : line.takeAll()) {
                d.close();
            }
        }
    }

    private static void awaitSpares(NaiveFoilBenchmark.DropLine line) throws InterruptedException {
        // Full: the spares in the queue and one more the builder holds, blocked until a spare is taken.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (line.built() < line.installed() + NaiveFoilBenchmark.DropLine.SPARES + 1
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(line.built()).isEqualTo(line.installed() + NaiveFoilBenchmark.DropLine.SPARES + 1);
    }
}

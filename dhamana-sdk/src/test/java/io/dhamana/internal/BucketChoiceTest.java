package io.dhamana.internal;

import io.dhamana.BucketSelection;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.SectionRow;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a general-admission hold picks its bucket: spread first, move away after a conflict, and admission: callers
 * spread to buckets with room and wait only when all are full.
 */
class BucketChoiceTest {
    private static SectionState section(int buckets) {
        EventId e = EventId.of("e");
        return new SectionState(new EventRow(e, "e", 4, 11_000),
                new SectionRow(e, SectionId.of("s"), SectionKind.GENERAL_ADMISSION, buckets * 10, buckets, 100, 0));
    }

    @Test
    void aRetryNeverStaysOnTheBucketThatConflicted() {
        SectionState s = section(64);
        BuyerId fan = BuyerId.of("fan");
        for (int previous = 0; previous < 64; previous++) {
            for (int i = 0; i < 50; i++) {
                assertThat(s.chooseBucket(BucketSelection.LEAST_BUSY, fan, 2, previous)).isNotEqualTo(previous)
                        .isBetween(0, 63);
            }
        }
    }

    @Test
    void concurrentHoldsFromOneClientLandOnDifferentBuckets() {
        SectionState s = section(64);
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            int b = s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("fan-" + i), 1, -1);
            s.enter(b); // still in flight
            used.add(b);
        }
        assertThat(used).hasSize(64);
    }

    @Test
    void leastBusySkipsACrowdedBucket() {
        SectionState s = section(8);
        for (int i = 0; i < 8; i++) {
            s.enter(i);
        }
        s.leave(5);
        // Every bucket but 5 is busy; probing from anywhere within four of it must find it.
        int found = 0;
        for (int i = 0; i < 8; i++) {
            if (s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("x"), 1, -1) == 5) {
                found++;
            }
        }
        assertThat(found).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aThreadKeepsToItsOwnBucketWhileItIsIdle() throws Exception {
        SectionState s = section(64);
        int mine = s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("a"), 1, -1);
        for (int i = 0; i < 20; i++) {
            assertThat(s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("fan-" + i), 1, -1)).isEqualTo(mine);
        }
        // Other threads start from buckets of their own: 64 threads land on many different ones.
        Set<Integer> homes = ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[64];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> homes.add(s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("x"), 1, -1)));
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(homes).hasSizeGreaterThan(24); // 64 draws over 64 buckets give ~40 distinct; one shared start gives 1
    }

    @Test
    void aBucketSeenEmptyIsSkippedUntilAReadShowsStockAgain() {
        SectionState s = section(8);
        int mine = s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("a"), 1, -1);
        s.noteStock(mine, 0);
        int next = s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("a"), 1, -1);
        assertThat(next).isEqualTo((mine + 1) % 8);
        s.noteStock(mine, 3); // stock came back (a release or an expiry)
        assertThat(s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("a"), 1, -1)).isEqualTo(mine);
        // Every bucket empty: still a valid bucket (the hold then finds out it is sold out).
        for (int b = 0; b < 8; b++) {
            s.noteStock(b, 0);
        }
        assertThat(s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("a"), 1, -1)).isBetween(0, 7);
    }

    @Test
    void aBusyBucketWithStockIsChosenOverAnIdleEmptyOne() {
        SectionState s = section(4);
        for (int b = 0; b < 4; b++) {
            s.enter(b); // all busy
        }
        s.noteStock(2, 0);
        s.noteStock(3, 0);
        // Busy buckets with stock beat idle-looking empty ones; among the busy, the least loaded wins.
        s.leave(3);
        s.enter(0);
        int chosen = s.chooseBucket(BucketSelection.LEAST_BUSY, BuyerId.of("a"), 1, -1);
        assertThat(chosen).isEqualTo(1);
    }

    @Test
    void buyerAffinityIsStableAndOneBucketSectionsAlwaysUseBucketZero() {
        SectionState s = section(16);
        BuyerId fan = BuyerId.of("fan-42");
        int first = s.chooseBucket(BucketSelection.BUYER_AFFINITY, fan, 1, -1);
        for (int i = 0; i < 20; i++) {
            assertThat(s.chooseBucket(BucketSelection.BUYER_AFFINITY, fan, 1, -1)).isEqualTo(first);
        }
        SectionState one = section(1);
        assertThat(one.chooseBucket(BucketSelection.RANDOM, fan, 3, 0)).isZero();
    }

    @Test
    void aFullBucketSendsTheCallerToTheNextOneWithRoom() {
        SectionState s = section(4);
        assertThat(s.admit(1, 2)).isEqualTo(1);
        assertThat(s.admit(1, 2)).isEqualTo(1);
        assertThat(s.admit(1, 2)).isEqualTo(2); // bucket 1 is full
        assertThat(s.load(1)).isEqualTo(2);
        s.exit(1);
        assertThat(s.admit(1, 2)).isEqualTo(1);
    }

    @Test
    void whenEveryBucketIsFullCallersWaitAndNeverExceedTheLimit() throws Exception {
        SectionState s = section(1);
        int limit = 2;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger worst = new AtomicInteger();
        int threads = 16;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    int b = s.admit(0, limit);
                    int now = inside.incrementAndGet();
                    worst.accumulateAndGet(now, Math::max);
                    Thread.onSpinWait();
                    inside.decrementAndGet();
                    s.exit(b);
                }
                done.countDown();
            }).start();
        }
        done.await();
        assertThat(worst.get()).isBetween(1, limit);
        assertThat(s.load(0)).isZero();
    }
}

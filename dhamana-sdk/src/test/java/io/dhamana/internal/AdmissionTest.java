package io.dhamana.internal;

import io.dhamana.EventId;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.SectionRow;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-bucket admission: callers spread to buckets with room and wait only when all are full. */
class AdmissionTest {
    private static SectionState section(int buckets) {
        EventId e = EventId.of("e");
        return new SectionState(new EventRow(e, "e", 4, 11_000),
                new SectionRow(e, SectionId.of("s"), SectionKind.GENERAL_ADMISSION, buckets * 10, buckets, 100, 0));
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

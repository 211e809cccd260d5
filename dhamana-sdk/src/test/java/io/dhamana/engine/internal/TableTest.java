package io.dhamana.engine.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** A table split over several maps answers exactly like one map: same slots, same scan, same size. */
class TableTest {
    @ParameterizedTest(name = "initial capacity {0}")
    @ValueSource(ints = {64, Table.SPLIT_FROM, 1 << 20})
    void everyKeyHasOneSlotWhoeverInsertsItAndTheScanSeesEachVisibleRowOnce(int capacity) throws Exception {
        Table<Integer, String> table = new Table<>("t", capacity);
        int keys = 40_000;
        int threads = 4;
        // Several threads insert the same keys: each key must end with one slot, the same for every caller.
        List<ConcurrentHashMap<Integer, Slot<String>>> seen = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ConcurrentHashMap<Integer, Slot<String>> mine = new ConcurrentHashMap<>();
            seen.add(mine);
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < keys; k++) {
                    mine.put(k, k % 2 == 0 ? table.slotForInsert(k) : table.slotForWrite(k));
                }
            });
            w.start();
            workers.add(w);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        for (int k = 0; k < keys; k++) {
            Slot<String> slot = table.slot(k);
            assertThat(slot).as("key %d", k).isNotNull();
            for (ConcurrentHashMap<Integer, Slot<String>> mine : seen) {
                assertThat(mine.get(k)).as("key %d", k).isSameAs(slot);
            }
        }
        assertThat(table.size()).isEqualTo(keys);
        assertThat(table.slot(keys)).isNull();

        // Rows committed at ts 1 for even keys; the scan at ts 1 sees those once each, at ts 0 none.
        for (int k = 0; k < keys; k += 2) {
            table.slot(k).install("v" + k, 1, 0);
        }
        Set<String> visible = new HashSet<>();
        List<String> all = new ArrayList<>();
        table.scan(1, v -> {
            all.add(v);
            visible.add(v);
        });
        assertThat(all).hasSize(keys / 2);
        assertThat(visible).hasSize(keys / 2).contains("v0", "v" + (keys - 2)).doesNotContain("v1");
        List<String> before = new ArrayList<>();
        table.scan(0, before::add);
        assertThat(before).isEmpty();
    }
}

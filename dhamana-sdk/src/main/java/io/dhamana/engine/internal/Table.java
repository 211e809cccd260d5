package io.dhamana.engine.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A table: row keys to their version chains. */
final class Table<K, V> {
    final String name;
    private final ConcurrentHashMap<K, Slot<V>> rows = new ConcurrentHashMap<>(1024);

    Table(String name) {
        this.name = name;
    }

    Slot<V> slot(K key) {
        return rows.get(key);
    }

    Slot<V> slotForWrite(K key) {
        Slot<V> s = rows.get(key);
        return s != null ? s : rows.computeIfAbsent(key, k -> new Slot<>());
    }

    /** Every value visible at {@code snapshotTs}. */
    void scan(long snapshotTs, Consumer<V> sink) {
        for (Slot<V> s : rows.values()) {
            V v = s.visible(snapshotTs);
            if (v != null) {
                sink.accept(v);
            }
        }
    }

    int size() {
        return rows.size();
    }
}

package io.dhamana.engine.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A table: row keys to their version chains. */
final class Table<K, V> {
    final String name;
    private final ConcurrentHashMap<K, Slot<V>> rows;

    Table(String name, int initialCapacity) {
        this.name = name;
        this.rows = new ConcurrentHashMap<>(initialCapacity);
    }

    Slot<V> slot(K key) {
        return rows.get(key);
    }

    /** The key's slot, created empty if the key is new. */
    Slot<V> slotForWrite(K key) {
        Slot<V> s = rows.get(key);
        return s != null ? s : slotForInsert(key);
    }

    /** Like {@link #slotForWrite}, in one map operation when the key is expected to be new. */
    Slot<V> slotForInsert(K key) {
        Slot<V> fresh = new Slot<>();
        Slot<V> prior = rows.putIfAbsent(key, fresh);
        return prior != null ? prior : fresh;
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

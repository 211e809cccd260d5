package io.dhamana.engine.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A table: row keys to their version chains.
 *
 * <p>A table that grows with every hold is split over several maps by key hash. Each map keeps its own size count,
 * and every insert updates it: with one map, two cores inserting holds fought over that one count's cache line
 * (a quarter of the hold path's samples were in {@code ConcurrentHashMap.addCount}).
 */
final class Table<K, V> {
    /** Tables at least this big to start with are split. */
    static final int SPLIT_FROM = 1 << 14;
    private static final int STRIPE_BITS = 4;

    final String name;
    private final ConcurrentHashMap<K, Slot<V>>[] stripes;
    private final int shift;

    @SuppressWarnings("unchecked")
    Table(String name, int initialCapacity) {
        this.name = name;
        int bits = initialCapacity >= SPLIT_FROM ? STRIPE_BITS : 0;
        this.stripes = new ConcurrentHashMap[1 << bits];
        this.shift = 32 - bits;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ConcurrentHashMap<>(initialCapacity >> bits);
        }
    }

    private ConcurrentHashMap<K, Slot<V>> stripe(K key) {
        if (stripes.length == 1) {
            return stripes[0];
        }
        // The high bits of a multiplicative hash: each map indexes its bins by the low bits of the key's hash,
        // which must stay spread within a stripe.
        return stripes[(key.hashCode() * 0x9E3779B9) >>> shift];
    }

    Slot<V> slot(K key) {
        return stripe(key).get(key);
    }

    /** Takes a retired slot out, unless the key already maps to another one. */
    void remove(K key, Slot<V> retired) {
        stripe(key).remove(key, retired);
    }

    /** The key's slot, created empty if the key is new. */
    Slot<V> slotForWrite(K key) {
        ConcurrentHashMap<K, Slot<V>> rows = stripe(key);
        Slot<V> s = rows.get(key);
        return s != null ? s : insert(rows, key);
    }

    /** Like {@link #slotForWrite}, in one map operation when the key is expected to be new. */
    Slot<V> slotForInsert(K key) {
        return insert(stripe(key), key);
    }

    private static <K, V> Slot<V> insert(ConcurrentHashMap<K, Slot<V>> rows, K key) {
        Slot<V> fresh = new Slot<>();
        Slot<V> prior = rows.putIfAbsent(key, fresh);
        return prior != null ? prior : fresh;
    }

    /** Every value visible at {@code snapshotTs}. */
    void scan(long snapshotTs, Consumer<V> sink) {
        for (ConcurrentHashMap<K, Slot<V>> rows : stripes) {
            for (Slot<V> s : rows.values()) {
                V v = s.visible(snapshotTs);
                if (v != null) {
                    sink.accept(v);
                }
            }
        }
    }

    int size() {
        long n = 0;
        for (ConcurrentHashMap<K, Slot<V>> rows : stripes) {
            n += rows.size();
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }
}

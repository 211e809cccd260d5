package io.dhamana.engine.internal;

/** One committed value of a row, with the commit timestamp that made it visible. */
final class Version<V> {
    final V value;
    final long ts;
    /** Older version; cut (set to null) once no snapshot can need it. Readers never need what was cut. */
    Version<V> prev;

    Version(V value, long ts, Version<V> prev) {
        this.value = value;
        this.ts = ts;
        this.prev = prev;
    }
}

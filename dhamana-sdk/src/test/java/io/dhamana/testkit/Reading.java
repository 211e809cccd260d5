package io.dhamana.testkit;

import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.StoreTransaction;

import java.util.function.Function;

/** One read in a round of its own, for tests that look at a row inside a transaction. */
public final class Reading {
    private Reading() {}

    /** Names {@code query} in a new round of {@code tx}, fetches it, and returns its value. */
    public static <T> T read(StoreTransaction tx, Function<Reads, Read<T>> query) {
        Reads r = tx.reads();
        Read<T> value = query.apply(r);
        r.fetch();
        return value.get();
    }
}

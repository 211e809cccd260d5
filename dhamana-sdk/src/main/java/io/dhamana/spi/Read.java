package io.dhamana.spi;

/**
 * What one read of a {@link Reads} round produces, available once the round is {@linkplain Reads#fetch() fetched}.
 *
 * @param <T> the value read
 */
@FunctionalInterface
public interface Read<T> {

    /**
     * The value read.
     *
     * @throws IllegalStateException if the round this read belongs to has not been fetched
     *
     * @return the value
     */
    T get();

    /**
     * A read whose value is already known (a store that reads at once returns these).
     *
     * @param <T> the value's type
     * @param value the value
     * @return a read of it
     */
    static <T> Read<T> of(T value) {
        return () -> value;
    }
}

package io.dhamana.spi;

/**
 * The body of one transaction attempt. May run several times (once per attempt), so it must not have effects
 * outside the transaction.
 *
 * @param <T> what the work produces
 */
@FunctionalInterface
public interface TransactionWork<T> {
    /**
     * Does the work inside {@code tx}.
     *
     * @param tx the transaction
     * @return what the work produces
     */
    T run(StoreTransaction tx);
}

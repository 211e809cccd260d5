package io.dhamana.spi;

/**
 * A transactional store of events, stock, seats, holds, tickets, listings and the ledger. Implementations must be
 * thread-safe; one store may back several clients at once (for example two "regions" of one drop).
 */
public interface TicketStore extends AutoCloseable {

    /**
     * Runs {@code work} in one new transaction and commits it, unless the work called
     * {@link StoreTransaction#markRollbackOnly()} or threw, in which case the transaction is rolled back. This is one
     * attempt: the store never retries.
     *
     * @param <T>  what the work produces
     * @param mode read-only or read-write
     * @param work the work, run once per call of this method
     * @return what the work returned
     * @throws io.dhamana.ConflictException if the commit (or any statement) lost a serialization conflict
     * @throws io.dhamana.StoreException    if the store failed otherwise; transient when the connection was lost
     * @throws ConstraintViolationException if a last-line constraint refused a write
     * @throws RuntimeException             whatever the work threw, after rolling back
     */
    <T> T inTransaction(TxMode mode, TransactionWork<T> work);

    /**
     * Whether serving concurrent holds on one bucket with one transaction ({@code combining}) pays on this store.
     * Combining makes every waiting caller park and be woken, which costs tens of microseconds; that pays when a
     * transaction is a round trip to a database server, and loses when it is an in-process step of a few
     * microseconds. Clients built with combining on a store that says {@code false} run each hold on its own.
     * Default {@code true}.
     *
     * @return whether combining pays on this store
     */
    default boolean combiningPays() {
        return true;
    }

    /**
     * Which kind of UUID this store wants for the keys of write-heavy tables.
     *
     * @return the kind of key
     */
    KeyStrategy keyStrategy();

    /**
     * A short human description, for example {@code "PostgreSQL 16.4, SERIALIZABLE"}. Never holds secrets.
     *
     * @return the description
     */
    String description();

    /** Releases the store's resources (pools, threads). Idempotent. */
    @Override
    void close();
}

package io.dhamana.spi;

import io.dhamana.EventId;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One transaction of a {@link TicketStore}, in the shape that keeps it to two round trips on a remote database:
 * rounds of snapshot {@linkplain #reads() reads}, then {@linkplain #writes() writes} that the store sends together
 * with the commit. A call plans its writes from what it read; every guarded write's predicate was checked in the
 * snapshot, so under snapshot isolation the writes either all apply at commit or the transaction fails with a
 * conflict. A call that is refused marks the transaction {@linkplain #markRollbackOnly() rollback-only} and none of
 * its writes is sent.
 *
 * <p>Not thread-safe: a transaction belongs to the thread running its {@link TransactionWork}.
 */
public interface StoreTransaction {

    /** Makes the transaction roll back instead of committing when the work returns; its writes are never sent. */
    void markRollbackOnly();

    /**
     * The store's clock, as this transaction sees it: on a JDBC store the server's transaction time, read with the
     * transaction's first round. Hold expiry is judged by this clock, never the client's.
     *
     * @return the store's time for this transaction
     */
    Instant now();

    /**
     * A new round of reads.
     *
     * @return a round to name reads on; {@link Reads#fetch()} sends it
     */
    Reads reads();

    /**
     * The transaction's writes.
     *
     * @return where the writes are named
     */
    Writes writes();

    /**
     * Every row of a table, of one event or (empty) of all events, read in this transaction's snapshot; for the audit
     * and for tests, in read-only transactions. A large table is streamed, not held in memory.
     *
     * @param <R> the row type
     * @param table the table
     * @param event one event, or empty for all
     * @param sink receives each row
     */
    <R> void scan(Table<R> table, Optional<EventId> event, Consumer<? super R> sink);
}

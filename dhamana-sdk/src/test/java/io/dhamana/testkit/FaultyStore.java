package io.dhamana.testkit;

import io.dhamana.ConflictException;
import io.dhamana.StoreException;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real store and injects failures into the next transactions, in order: a conflict (the work ran and was
 * rolled back), a lost connection before commit (nothing committed), or a lost acknowledgement after a real commit
 * (the work is done but the caller hears a failure). Used to test retry policy and idempotency on any store.
 */
public final class FaultyStore extends ForwardingStore {

    /** What happens to one transaction. */
    public enum Fault {
        /** The work runs, is rolled back, and the caller gets a 40001 conflict. */
        CONFLICT,
        /** The work runs, is rolled back, and the caller gets a transient connection failure. */
        LOST_BEFORE_COMMIT,
        /** The work runs and commits, then the caller gets a transient connection failure. */
        LOST_AFTER_COMMIT,
        /** The work does not run; the caller gets a permanent failure. */
        PERMANENT
    }

    private final Deque<Fault> faults = new ArrayDeque<>();
    private final AtomicInteger transactions = new AtomicInteger();

    public FaultyStore(TicketStore delegate) {
        super(delegate);
    }

    /** Queues faults for the next read-write transactions, in order. */
    public synchronized FaultyStore next(Fault... upcoming) {
        for (Fault f : upcoming) {
            faults.addLast(f);
        }
        return this;
    }

    /** Read-write transactions started so far. */
    public int transactions() {
        return transactions.get();
    }

    private synchronized Fault take() {
        return faults.pollFirst();
    }

    @Override
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        if (mode == TxMode.READ_ONLY) {
            return delegate().inTransaction(mode, work);
        }
        transactions.incrementAndGet();
        Fault fault = take();
        if (fault == null) {
            return delegate().inTransaction(mode, work);
        }
        switch (fault) {
            case PERMANENT:
                throw new StoreException(false, "0A000", "injected permanent failure", null);
            case LOST_AFTER_COMMIT:
                delegate().inTransaction(mode, work);
                throw new StoreException(true, "08006", "injected: connection lost after commit", null);
            default:
                delegate().inTransaction(mode, tx -> {
                    work.run(tx);
                    tx.markRollbackOnly();
                    return null;
                });
                throw fault == Fault.CONFLICT
                        ? new ConflictException("40001", "injected conflict", null)
                        : new StoreException(true, "08006", "injected: connection lost before commit", null);
        }
    }


    @Override
    public String description() {
        return "faulty " + delegate().description();
    }

}

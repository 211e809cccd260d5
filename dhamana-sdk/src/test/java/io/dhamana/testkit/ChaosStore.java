package io.dhamana.testkit;

import io.dhamana.ConflictException;
import io.dhamana.StoreException;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a store and, at random, makes a writing transaction fail the ways a remote database does: a serialization
 * conflict (the work ran and was rolled back), a connection lost before the commit (rolled back; the caller hears a
 * transient failure), or a connection lost after the commit (the work is done, but the caller hears a transient
 * failure and cannot know). The randomness is per thread and seeded from the thread's name, so a single-threaded
 * run with the same seed injects the same faults in the same places. {@link FaultyStore} queues faults one by one
 * instead; this one is for long random runs.
 */
public final class ChaosStore extends ForwardingStore {
    private final long seed;
    private final int perMille;
    private final ThreadLocal<SplittableRandom> random;
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong lostBeforeCommit = new AtomicLong();
    private final AtomicLong lostAfterCommit = new AtomicLong();

    /**
     * @param perMille how many writing transactions in a thousand fail, split evenly over the three kinds
     */
    public ChaosStore(TicketStore delegate, long seed, int perMille) {
        super(delegate);
        this.seed = seed;
        this.perMille = perMille;
        this.random = ThreadLocal.withInitial(
                () -> new SplittableRandom(seed ^ (Thread.currentThread().getName().hashCode() * 0x9E3779B97F4A7C15L)));
    }

    @Override
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        if (mode == TxMode.READ_ONLY || perMille == 0) {
            return delegate().inTransaction(mode, work);
        }
        int dice = random.get().nextInt(1_000 * 3);
        if (dice >= perMille * 3) {
            return delegate().inTransaction(mode, work);
        }
        switch (dice % 3) {
            case 0 -> {
                delegate().inTransaction(mode, tx -> {
                    work.run(tx);
                    tx.markRollbackOnly();
                    return null;
                });
                conflicts.incrementAndGet();
                throw new ConflictException("40001", "injected conflict", null);
            }
            case 1 -> {
                delegate().inTransaction(mode, tx -> {
                    work.run(tx);
                    tx.markRollbackOnly();
                    return null;
                });
                lostBeforeCommit.incrementAndGet();
                throw new StoreException(true, "08006", "injected: connection lost before commit", null);
            }
            default -> {
                delegate().inTransaction(mode, work);
                lostAfterCommit.incrementAndGet();
                throw new StoreException(true, "08006", "injected: connection lost during commit; whether the"
                        + " transaction committed is unknown", null);
            }
        }
    }

    /** The seed the per-thread fault streams derive from. */
    public long seed() {
        return seed;
    }

    /** Faults injected so far: conflicts, losses before commit, losses after commit. */
    public String tally() {
        return conflicts.get() + " conflicts, " + lostBeforeCommit.get() + " lost before commit, "
                + lostAfterCommit.get() + " lost after commit";
    }


    @Override
    public String description() {
        return delegate().description() + " with injected faults (" + perMille + "‰)";
    }

}

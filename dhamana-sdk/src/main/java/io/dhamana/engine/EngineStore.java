package io.dhamana.engine;

import io.dhamana.engine.internal.Engine;
import io.dhamana.engine.internal.EngineTransaction;
import io.dhamana.internal.Checks;
import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-process, in-memory store with the concurrency semantics of Aurora DSQL: multi-version rows, snapshot reads
 * as of the transaction's start, writes buffered and validated at commit, first committer wins, and the loser gets
 * a {@link io.dhamana.ConflictException} with SQLSTATE 40001. Like DSQL (and unlike PostgreSQL SERIALIZABLE) it
 * allows write skew, so it exposes any design that leans on a read for safety.
 *
 * <p>Nothing is persisted: state lives as long as the store. Thread-safe; share one store between clients to model
 * several regions of one database.
 *
 * <p><b>Large drops.</b> Every hold inserts at a random key into tables of millions of entries, so for holds in the
 * millions size the tables up front ({@link Builder#expectedHolds}) and run the JVM with
 * {@code -XX:+UseTransparentHugePages}: with 4 KB pages most such inserts also miss the TLB (measured: 250 ns per
 * random-key insert into a two-million-entry map without huge pages, 120 ns with them).
 */
public final class EngineStore implements TicketStore {
    private final Engine engine;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EngineStore(Clock clock, long expectedHolds) {
        this.engine = new Engine(clock, expectedHolds);
    }

    /**
     * A store on the system clock.
     *
     * @return a new, empty store
     */
    public static EngineStore create() {
        return new EngineStore(Clock.systemUTC(), 0);
    }

    /**
     * A builder, to set the clock hold expiry is judged by.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        Checks.notNull("mode", mode);
        Checks.notNull("work", work);
        if (closed.get()) {
            throw new IllegalStateException("engine store is closed");
        }
        try (EngineTransaction tx = EngineTransaction.begin(engine, mode)) {
            T result;
            try {
                result = work.run(tx);
            } catch (RuntimeException | Error e) {
                tx.rollback();
                throw e;
            }
            if (tx.isRollbackOnly()) {
                tx.rollback();
            } else {
                tx.commit();
            }
            return result;
        }
    }

    @Override
    public KeyStrategy keyStrategy() {
        // No index pages to keep warm in memory; random keys are cheapest to make.
        return KeyStrategy.RANDOM;
    }

    /**
     * No: a hold here takes a few microseconds of CPU, less than parking a waiting caller and waking it, so
     * combined holds were measured at a quarter of the rate of uncombined ones on one hot bucket.
     */
    @Override
    public boolean combiningPays() {
        return false;
    }

    @Override
    public String description() {
        return "in-process OCC engine (snapshot isolation)";
    }

    /**
     * Transactions committed so far.
     *
     * @return transactions committed so far
     */
    public long commits() {
        return engine.commits();
    }

    /**
     * Commits lost to a write conflict so far.
     *
     * @return transactions that lost a conflict so far
     */
    public long conflicts() {
        return engine.conflicts();
    }

    @Override
    public void close() {
        closed.set(true);
    }

    @Override
    public String toString() {
        return "EngineStore[commits=" + commits() + ", conflicts=" + conflicts() + "]";
    }

    /** Builds an {@link EngineStore}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private long expectedHolds;

        private Builder() {}

        /**
         * The store's clock: hold creation and expiry are judged by it. Default UTC system clock.
         *
         * @param clock the clock that judges hold expiry
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Checks.notNull("clock", clock);
            return this;
        }

        /**
         * How many holds the store is expected to take, like a hash map's initial capacity: the tables that grow
         * with every hold start that big, so a large drop does not spend its time rehashing them. Costs memory up
         * front (about 16 bytes per expected hold) and makes full scans (audits) of a small store slower. Default
         * 0: start small and grow.
         *
         * @param holds about how many holds the store will keep; at least 1
         * @return this builder
         */
        public Builder expectedHolds(long holds) {
            this.expectedHolds = Checks.range("expectedHolds", holds, 0, 1L << 28);
            return this;
        }

        /** Builds an empty store.

@return the store */
        public EngineStore build() {
            return new EngineStore(clock, expectedHolds);
        }
    }
}

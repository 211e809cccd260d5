package io.dhamana.testkit;

import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Wraps a store so every read-write transaction takes at least {@code delay}, like one on a remote database: long
 * enough that concurrent callers really overlap, whatever else the machine is doing.
 */
public final class SlowStore extends ForwardingStore {
    private final long delayNanos;

    public SlowStore(TicketStore delegate, Duration delay) {
        super(delegate);
        this.delayNanos = delay.toNanos();
    }

    @Override
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        if (mode == TxMode.READ_WRITE) {
            // Park until the delay has passed: a leftover unpark permit would end a single park at once.
            long deadline = System.nanoTime() + delayNanos;
            for (long left = delayNanos; left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
        return delegate().inTransaction(mode, work);
    }


    @Override
    public String description() {
        return "slow " + delegate().description();
    }

}

package io.dhamana.testkit;

import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wraps a store so that, once {@link #gate()} is called, the next writing transaction waits at its start until
 * {@link #open()}: a test can hold one caller inside its transaction while others line up behind it (for example
 * to make the client combine their holds), without relying on timing.
 */
public final class GatedStore extends ForwardingStore {
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch entered = new CountDownLatch(1);

    public GatedStore(TicketStore delegate) {
        super(delegate);
    }

    /** The next writing transaction will wait at its start. */
    public void gate() {
        armed.set(true);
    }

    /** Waits until the gated transaction has arrived at the gate. */
    public boolean awaitEntered(long timeout, TimeUnit unit) throws InterruptedException {
        return entered.await(timeout, unit);
    }

    /** Lets the gated transaction go on. */
    public void open() {
        gate.countDown();
    }

    @Override
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        if (mode == TxMode.READ_WRITE && armed.compareAndSet(true, false)) {
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return delegate().inTransaction(mode, work);
    }


    @Override
    public String description() {
        return "gated " + delegate().description();
    }

}

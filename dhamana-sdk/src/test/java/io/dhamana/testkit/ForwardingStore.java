package io.dhamana.testkit;

import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;

/**
 * A store that hands everything to another: the base of the test decorators, which override the one or two methods
 * they change (usually {@link #inTransaction}) and describe themselves. {@link #combiningPays()} is left at the
 * contract's default (true) rather than forwarded: a decorator is a test's instrument, and tests of the combiner run
 * it over the in-process engine, which alone would decline it.
 */
public abstract class ForwardingStore implements TicketStore {
    private final TicketStore delegate;

    protected ForwardingStore(TicketStore delegate) {
        this.delegate = delegate;
    }

    /** The store this one hands to. */
    protected final TicketStore delegate() {
        return delegate;
    }

    @Override
    public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
        return delegate.inTransaction(mode, work);
    }

    @Override
    public KeyStrategy keyStrategy() {
        return delegate.keyStrategy();
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public void close() {
        delegate.close();
    }
}

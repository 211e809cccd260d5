package io.dhamana.examples.web;

import io.dhamana.engine.EngineStore;
import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

class GaDropTest {

    @Test
    void aBuyerThreadThatFailsFailsTheDrop() {
        // Once the buyers start, every write fails with a plain bug (not a DhamanaException).
        Watched store = new Watched(EngineStore.create(), 0, 0);
        GaDrop drop = new GaDrop(901, 4, 2, "t");
        drop.run(store, true);

        assertThat(drop.failure()).as("the failure is shown, not lost in a dead thread")
                .contains("a buyer thread failed").contains("injected bug");
        assertThat(drop.audit()).as("a failed drop reports no clean audit").isNull();
        assertThat(drop.running()).isFalse();
        assertThat(workersAlive(901)).isZero();
    }

    @Test
    void anInterruptedDropWaitsForItsBuyersBeforeClosingTheStore() throws Exception {
        Watched store = new Watched(EngineStore.create(), Integer.MAX_VALUE, TimeUnit.MILLISECONDS.toNanos(2));
        GaDrop drop = new GaDrop(902, 4, 20, "t");
        Thread runner = new Thread(() -> drop.run(store, true), "ga-drop-runner");
        runner.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.holds.get() < 100 && System.nanoTime() < until) {
            Thread.sleep(10); // the buyers are under way
        }
        assertThat(store.holds.get()).isGreaterThanOrEqualTo(100);
        runner.interrupt(); // the server shutting down
        runner.join(TimeUnit.SECONDS.toMillis(40));

        assertThat(runner.isAlive()).isFalse();
        assertThat(store.closed).isTrue();
        assertThat(store.inFlightAtClose).as("transactions in flight when the store closed").isZero();
        assertThat(store.startedAfterClose.get()).as("transactions started on a closed store").isZero();
        assertThat(workersAlive(902)).isZero();
        assertThat(drop.failure()).startsWith("InterruptedException");
    }

    private static long workersAlive(int id) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("ga-drop-" + id + "-")).count();
    }

    /**
     * A store that counts what runs on it around close, and can slow down the buyer threads' writes or break every
     * one after the first {@code healthyWrites}.
     */
    private static final class Watched implements TicketStore {
        private final TicketStore delegate;
        private final int healthyWrites;
        private final long delayNanos;
        private final AtomicInteger writes = new AtomicInteger();
        private final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger holds = new AtomicInteger();
        final AtomicInteger startedAfterClose = new AtomicInteger();
        volatile boolean closed;
        volatile int inFlightAtClose = -1;

        Watched(TicketStore delegate, int healthyWrites, long delayNanos) {
            this.delegate = delegate;
            this.healthyWrites = healthyWrites;
            this.delayNanos = delayNanos;
        }

        @Override
        public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
            if (closed) {
                startedAfterClose.incrementAndGet();
            }
            inFlight.incrementAndGet();
            try {
                if (mode == TxMode.READ_WRITE && Thread.currentThread().getName().startsWith("ga-drop-9")) {
                    if (writes.incrementAndGet() > healthyWrites) {
                        throw new IllegalStateException("injected bug");
                    }
                    if (delayNanos > 0) {
                        holds.incrementAndGet();
                        LockSupport.parkNanos(delayNanos);
                    }
                }
                return delegate.inTransaction(mode, work);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public KeyStrategy keyStrategy() {
            return delegate.keyStrategy();
        }

        @Override
        public boolean combiningPays() {
            return delegate.combiningPays();
        }

        @Override
        public String description() {
            return delegate.description();
        }

        @Override
        public void close() {
            inFlightAtClose = inFlight.get();
            closed = true;
            delegate.close();
        }
    }
}

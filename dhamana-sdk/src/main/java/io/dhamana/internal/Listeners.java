package io.dhamana.internal;

import io.dhamana.ConflictException;
import io.dhamana.DhamanaException;
import io.dhamana.Operation;
import io.dhamana.OperationListener;
import io.dhamana.Rejection;
import io.dhamana.TicketingClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Fans callbacks out to the configured listeners; a listener that throws is logged and skipped. */
final class Listeners implements OperationListener {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private final OperationListener[] listeners;

    private Listeners(List<OperationListener> listeners) {
        this.listeners = listeners.toArray(OperationListener[]::new);
    }

    static OperationListener of(List<OperationListener> listeners) {
        return listeners.isEmpty() ? new OperationListener() {} : new Listeners(listeners);
    }

    private interface Call {
        void on(OperationListener l);
    }

    private void each(Call call) {
        for (OperationListener l : listeners) {
            try {
                call.on(l);
            } catch (RuntimeException e) {
                LOG.warn("operation listener {} threw; ignoring", l.getClass().getName(), e);
            }
        }
    }

    @Override
    public void onClientStarted(TicketingClient client) {
        each(l -> l.onClientStarted(client));
    }

    @Override
    public void onClientClosed(TicketingClient client) {
        each(l -> l.onClientClosed(client));
    }

    @Override
    public void onCombinedHolds(int holds) {
        each(l -> l.onCombinedHolds(holds));
    }

    @Override
    public void onAttempt(Operation operation, int attempt) {
        each(l -> l.onAttempt(operation, attempt));
    }

    @Override
    public void onConflict(Operation operation, int attempt, ConflictException conflict) {
        each(l -> l.onConflict(operation, attempt, conflict));
    }

    @Override
    public void onRetry(Operation operation, int nextAttempt, long delayNanos, DhamanaException cause) {
        each(l -> l.onRetry(operation, nextAttempt, delayNanos, cause));
    }

    @Override
    public void onSuccess(Operation operation, int attempts, long latencyNanos) {
        each(l -> l.onSuccess(operation, attempts, latencyNanos));
    }

    @Override
    public void onRejected(Operation operation, Rejection rejection, int attempts, long latencyNanos) {
        each(l -> l.onRejected(operation, rejection, attempts, latencyNanos));
    }

    @Override
    public void onFailure(Operation operation, Throwable failure, int attempts, long latencyNanos) {
        each(l -> l.onFailure(operation, failure, attempts, latencyNanos));
    }
}

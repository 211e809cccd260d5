package io.dhamana;

import io.dhamana.internal.Checks;

/**
 * What a client is doing at one moment, for gauges and health checks. Reading it costs no store round trip: each
 * figure is counted inside the client.
 *
 * @param admissionWaiters callers waiting in the client for a place on a stock bucket (see
 *                         {@link TicketingClient.Builder#admissionPerBucket(int)}); a crowd that keeps this above
 *                         zero is queueing in the application rather than colliding in the database
 * @param holdsOutstanding {@link TicketingClient#hold} calls started and not yet returned: waiting for admission,
 *                         queued for a combined transaction, or in their transaction
 */
public record ClientActivity(int admissionWaiters, int holdsOutstanding) {
    /**
     * Checks the figures.
     *
     * @param admissionWaiters callers waiting for a place on a bucket, at least 0
     * @param holdsOutstanding hold calls not yet returned, at least 0
     */
    public ClientActivity {
        Checks.range("admissionWaiters", admissionWaiters, 0, Integer.MAX_VALUE);
        Checks.range("holdsOutstanding", holdsOutstanding, 0, Integer.MAX_VALUE);
    }
}

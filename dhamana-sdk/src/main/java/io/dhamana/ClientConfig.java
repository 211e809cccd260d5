package io.dhamana;

import io.dhamana.internal.Checks;
import io.dhamana.spi.TicketStore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A client's settings, copied out of the builder at {@link TicketingClient.Builder#build()} so later builder
 * changes never reach a running client.
 *
 * @param store               where state lives
 * @param ownsStore           whether {@link TicketingClient#close()} also closes the store
 * @param retryPolicy         how conflicts are retried
 * @param defaultHoldTtl      how long a hold lasts when the request names no time to live
 * @param bucketSelection     how a general-admission hold picks its first bucket
 * @param admissionPerBucket  the most general-admission holds this client runs at once on one bucket
 * @param combining           whether concurrent holds on one bucket are served by one transaction
 * @param maxCombinedHolds    the most holds one combined transaction serves
 * @param expirySweepInterval how often a background thread returns expired holds' stock; zero disables it
 * @param listeners           observers of every call
 * @param ticker              the clock that measures latency and retry deadlines
 * @param sleeper             how the client waits between retries
 * @param random              a fixed source of jitter, or empty for a per-thread generator
 * @param name                the client's name in logs and thread names
 */
public record ClientConfig(TicketStore store, boolean ownsStore, RetryPolicy retryPolicy, Duration defaultHoldTtl,
                           BucketSelection bucketSelection, int admissionPerBucket, boolean combining, int maxCombinedHolds,
                           Duration expirySweepInterval, List<OperationListener> listeners, Ticker ticker,
                           Sleeper sleeper, Optional<RandomGenerator> random, String name) {
    /**
     * Creates the value; lists are copied, so it stays immutable.
     *
     * @param store where state lives
     * @param ownsStore whether {@link TicketingClient#close()} also closes the store
     * @param retryPolicy how conflicts are retried
     * @param defaultHoldTtl how long a hold lasts when the request names no time to live
     * @param bucketSelection how a general-admission hold picks its first bucket
     * @param admissionPerBucket the most general-admission holds this client runs at once on one bucket
     * @param combining whether concurrent holds on one bucket are served by one transaction
     * @param maxCombinedHolds the most holds one combined transaction serves
     * @param expirySweepInterval how often a background thread returns expired holds' stock; zero disables it
     * @param listeners observers of every call
     * @param ticker the clock that measures latency and retry deadlines
     * @param sleeper how the client waits between retries
     * @param random a fixed source of jitter, or empty for a per-thread generator
     * @param name the client's name in logs and thread names
     */
    public ClientConfig {
        Checks.notNull("store", store);
        Checks.notNull("retryPolicy", retryPolicy);
        Checks.duration("defaultHoldTtl", defaultHoldTtl, Limits.MIN_HOLD_TTL, Limits.MAX_HOLD_TTL);
        Checks.notNull("bucketSelection", bucketSelection);
        Checks.range("admissionPerBucket", admissionPerBucket, 1, 1_024);
        Checks.range("maxCombinedHolds", maxCombinedHolds, 1, 500);
        Checks.duration("expirySweepInterval", expirySweepInterval, Duration.ZERO, Duration.ofDays(1));
        Checks.notNull("listeners", listeners);
        listeners.forEach(l -> Checks.notNull("listener", l));
        listeners = List.copyOf(listeners);
        Checks.notNull("ticker", ticker);
        Checks.notNull("sleeper", sleeper);
        Checks.notNull("random", random);
        Checks.text("name", name, 100);
    }
}

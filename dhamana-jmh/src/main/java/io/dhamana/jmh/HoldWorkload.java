package io.dhamana.jmh;

import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Limits;
import io.dhamana.Outcome;
import io.dhamana.RetriesExhaustedException;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.spi.TicketStore;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** The general-admission hold workload shared by the SDK benchmarks, whatever the store. */
final class HoldWorkload {
    static final SectionId FLOOR = SectionId.of("floor");
    /** Face value of a unit, in minor units. */
    static final long PRICE = 5_000;

    /** What a passed SDK audit means. */
    static final String CLEAN = "every report clean, nothing oversold, every reported hold in the rows";

    /**
     * Where the benchmark threads hold now; a new generation for every new client or event.
     *
     * @param verified whether every buyer of the trial is verified there already (else each thread verifies its own)
     */
    record Target(TicketingClient client, EventId event, long generation, boolean verified) {}

    private static final AtomicLong GENERATIONS = new AtomicLong();
    private static volatile Target target;

    private HoldWorkload() {}

    /** Points the benchmark threads (their {@link BuyerPool}s) at a client and event. */
    static void target(TicketingClient client, EventId event) {
        target = new Target(client, event, GENERATIONS.incrementAndGet(), false);
    }

    /** Points the benchmark threads at a client and event where all their buyers are verified already. */
    static void targetVerified(TicketingClient client, EventId event) {
        target = new Target(client, event, GENERATIONS.incrementAndGet(), true);
    }

    /**
     * Forgets the target, so the client and its store can be collected: JMH's collection before the next iteration
     * would otherwise find the last iteration's store still live and copy all of it, twice.
     */
    static void clearTarget() {
        target = null;
    }

    /** The current target, or null before the first or after {@link #clearTarget()}. */
    static Target target() {
        return target;
    }

    /**
     * A client as an application would build one, with the default retry policy and bucket selection, no
     * background expiry sweeper (holds last ten minutes, longer than any trial), and the counting listener.
     */
    static TicketingClient client(TicketStore store, boolean combining) {
        return TicketingClient.builder()
                .store(store)
                .combining(combining)
                .expirySweepInterval(Duration.ZERO)
                .listener(new HoldCounters.Listener())
                .name("bench")
                .build();
    }

    /** An event with one general-admission section and the highest per-buyer cap allowed. */
    static EventId createEvent(TicketingClient client, String id, int capacity, int buckets) {
        return client.createEvent(EventSpec.builder(id)
                .perBuyerCap(Limits.MAX_PER_BUYER_CAP)
                .generalAdmission(FLOOR.value(), capacity, buckets, PRICE)
                .build()).id();
    }

    /**
     * One hold of one unit by the thread's next buyer. A hold whose retries run out is counted as failed rather than
     * thrown, so one unlucky caller under heavy contention does not void the whole measurement; the report shows
     * the failures next to the throughput.
     */
    static Outcome<Hold> hold(TicketingClient client, EventId event, BuyerPool buyers, HoldCounters counters) {
        Outcome<Hold> outcome;
        try {
            outcome = client.hold(HoldRequest.units(event, FLOOR, buyers.next(), 1));
        } catch (RetriesExhaustedException e) {
            counters.failed++;
            return null;
        }
        counters.record(outcome);
        return outcome;
    }
}

package io.dhamana.micrometer;

import io.dhamana.ConflictException;
import io.dhamana.DhamanaException;
import io.dhamana.EventId;
import io.dhamana.Operation;
import io.dhamana.OperationListener;
import io.dhamana.Rejection;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.internal.Checks;
import io.dhamana.internal.OutcomeNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Records one client's calls in a Micrometer {@link MeterRegistry}, the way HikariCP's Micrometer tracker records a
 * pool. Register it when building the client; it binds itself to that client when the client starts and removes its
 * meters when the client closes.
 *
 * <pre>{@code
 * TicketingClient client = TicketingClient.builder()
 *         .ownedStore(store)
 *         .name("checkout")
 *         .listener(DhamanaMetrics.of(registry))
 *         .build();
 * }</pre>
 *
 * <p>Meters, each tagged {@code client} (the client's name), {@code store} ({@code engine}, {@code postgresql} or
 * {@code dsql}) and any common tags given to the builder:
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>more tags</th><th>what</th></tr>
 *   <tr><td>{@code dhamana.calls}</td><td>timer, percentile histogram</td><td>{@code operation}, {@code outcome}</td>
 *       <td>every finished call and its latency; {@code outcome} is {@code committed}, a rejection kind
 *       ({@code sold-out}, {@code seat-taken}, {@code not-verified}, {@code cap-reached}, {@code not-owner},
 *       {@code ask-above-cap}, {@code hold-expired}, {@code wrong-state}), {@code conflict} (retries ran out on
 *       conflicts) or {@code failure}</td></tr>
 *   <tr><td>{@code dhamana.conflicts}</td><td>counter</td><td>{@code operation}</td><td>attempts lost to a
 *       serialization conflict</td></tr>
 *   <tr><td>{@code dhamana.retries}</td><td>counter</td><td>{@code operation}</td><td>attempts started after a
 *       failed one</td></tr>
 *   <tr><td>{@code dhamana.admission.waiters}</td><td>gauge</td><td></td><td>callers waiting in the client for a
 *       place on a stock bucket</td></tr>
 *   <tr><td>{@code dhamana.holds.outstanding}</td><td>gauge</td><td></td><td>hold calls started and not yet
 *       returned</td></tr>
 *   <tr><td>{@code dhamana.combined.batch.size}</td><td>distribution summary and gauge ({@code .last})</td>
 *       <td></td><td>holds served per combined transaction</td></tr>
 *   <tr><td>{@code dhamana.units.left}</td><td>gauge, opt-in</td><td>{@code event}, {@code section}</td><td>units
 *       or seats on sale; each read is one read-only transaction, so only the sections named with
 *       {@link Builder#unitsLeft(EventId, SectionId)} get one</td></tr>
 * </table>
 *
 * <p>One instance serves one client: the callbacks do not say which client called. Thread-safe.
 */
public final class DhamanaMetrics implements OperationListener {
    /** Timer of finished calls. */
    public static final String CALLS = "dhamana.calls";
    /** Counter of attempts lost to conflicts. */
    public static final String CONFLICTS = "dhamana.conflicts";
    /** Counter of retries. */
    public static final String RETRIES = "dhamana.retries";
    /** Gauge of callers waiting for admission to a bucket. */
    public static final String ADMISSION_WAITERS = "dhamana.admission.waiters";
    /** Gauge of hold calls not yet returned. */
    public static final String HOLDS_OUTSTANDING = "dhamana.holds.outstanding";
    /** Summary of holds per combined transaction. */
    public static final String COMBINED_BATCH_SIZE = "dhamana.combined.batch.size";
    /** Gauge of the last combined transaction's size. */
    public static final String COMBINED_BATCH_LAST = "dhamana.combined.batch.last";
    /** Gauge of units left in a section (opt-in). */
    public static final String UNITS_LEFT = "dhamana.units.left";

    private final MeterRegistry registry;
    private final Tags commonTags;
    private final List<EventSection> unitsLeft;
    private final AtomicReference<TicketingClient> client = new AtomicReference<>();
    private volatile Tags tags;
    private final Map<Operation, Map<String, Timer>> timers = new ConcurrentHashMap<>();
    private final Map<Operation, Counter> conflicts = new ConcurrentHashMap<>();
    private final Map<Operation, Counter> retries = new ConcurrentHashMap<>();
    private final AtomicInteger lastBatch = new AtomicInteger();
    private volatile DistributionSummary batches;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    private record EventSection(EventId event, SectionId section) {}

    private DhamanaMetrics(Builder b) {
        this.registry = b.registry;
        this.commonTags = b.tags;
        this.unitsLeft = List.copyOf(b.unitsLeft);
        this.tags = commonTags.and("client", "unbound", "store", "unbound");
    }

    /**
     * Metrics with the defaults: no common tags, no units-left gauges.
     *
     * @param registry where the meters go
     * @return a listener to register with one client
     * @throws io.dhamana.InvalidRequestException if {@code registry} is null
     */
    public static DhamanaMetrics of(MeterRegistry registry) {
        return builder(registry).build();
    }

    /**
     * A builder, for common tags or units-left gauges.
     *
     * @param registry where the meters go
     * @return a new builder
     * @throws io.dhamana.InvalidRequestException if {@code registry} is null
     */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(Checks.notNull("registry", registry));
    }

    /**
     * Tags the meters with the client's name and store and registers the gauges.
     *
     * @param started the client this listener was registered with
     * @throws IllegalStateException if this instance already serves another client
     */
    @Override
    public void onClientStarted(TicketingClient started) {
        if (!client.compareAndSet(null, started)) {
            throw new IllegalStateException("these DhamanaMetrics already serve client '"
                    + client.get().config().name() + "'; make one per client");
        }
        tags = commonTags.and("client", started.config().name(),
                "store", OutcomeNames.storeKind(started.config().store()));
        meters.add(Gauge.builder(ADMISSION_WAITERS, started, c -> c.activity().admissionWaiters())
                .description("Callers waiting in the client for a place on a stock bucket").tags(tags)
                .register(registry));
        meters.add(Gauge.builder(HOLDS_OUTSTANDING, started, c -> c.activity().holdsOutstanding())
                .description("Hold calls started and not yet returned").tags(tags).register(registry));
        meters.add(Gauge.builder(COMBINED_BATCH_LAST, lastBatch, AtomicInteger::get)
                .description("Holds served by the last combined transaction").tags(tags).register(registry));
        DistributionSummary summary = DistributionSummary.builder(COMBINED_BATCH_SIZE)
                .description("Holds served per combined transaction").baseUnit("holds").tags(tags)
                .register(registry);
        meters.add(summary);
        batches = summary;
        for (EventSection es : unitsLeft) {
            meters.add(Gauge.builder(UNITS_LEFT, started, c -> unitsLeftNow(c, es))
                    .description("Units or seats on sale, read in a read-only transaction per scrape")
                    .tags(tags).tag("event", es.event().value()).tag("section", es.section().value())
                    .register(registry));
        }
    }

    /** NaN while the event does not exist yet or the client is closed, so a dashboard shows a gap, not a zero. */
    private static double unitsLeftNow(TicketingClient c, EventSection es) {
        try {
            return c.unitsLeft(es.event(), es.section());
        } catch (DhamanaException | IllegalStateException e) {
            return Double.NaN;
        }
    }

    /**
     * Removes this listener's meters from the registry, so a closed client is not kept alive by its gauges.
     *
     * @param closed the client that closed
     */
    @Override
    public void onClientClosed(TicketingClient closed) {
        for (Meter m : meters) {
            registry.remove(m);
        }
        for (Map<String, Timer> byOutcome : timers.values()) {
            byOutcome.values().forEach(registry::remove);
        }
        conflicts.values().forEach(registry::remove);
        retries.values().forEach(registry::remove);
        meters.clear();
        timers.clear();
        conflicts.clear();
        retries.clear();
    }

    @Override
    public void onConflict(Operation operation, int attempt, ConflictException conflict) {
        conflicts.computeIfAbsent(operation, op -> Counter.builder(CONFLICTS)
                .description("Attempts lost to a serialization conflict").tags(tags).tag("operation", op.label())
                .register(registry)).increment();
    }

    @Override
    public void onRetry(Operation operation, int nextAttempt, long delayNanos, DhamanaException cause) {
        retries.computeIfAbsent(operation, op -> Counter.builder(RETRIES)
                .description("Attempts started after a failed one").tags(tags).tag("operation", op.label())
                .register(registry)).increment();
    }

    @Override
    public void onSuccess(Operation operation, int attempts, long latencyNanos) {
        record(operation, OutcomeNames.COMMITTED, latencyNanos);
    }

    @Override
    public void onRejected(Operation operation, Rejection rejection, int attempts, long latencyNanos) {
        record(operation, OutcomeNames.of(rejection), latencyNanos);
    }

    @Override
    public void onFailure(Operation operation, Throwable failure, int attempts, long latencyNanos) {
        record(operation, OutcomeNames.ofFailure(failure), latencyNanos);
    }

    @Override
    public void onCombinedHolds(int holds) {
        lastBatch.set(holds);
        DistributionSummary s = batches;
        if (s != null) {
            s.record(holds);
        }
    }

    private void record(Operation operation, String outcome, long latencyNanos) {
        timers.computeIfAbsent(operation, op -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, o -> Timer.builder(CALLS)
                        .description("Finished client calls, by operation and outcome").tags(tags)
                        .tag("operation", operation.label()).tag("outcome", o)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /** Collects the options of a {@link DhamanaMetrics}. Not thread-safe. */
    public static final class Builder {
        private final MeterRegistry registry;
        private Tags tags = Tags.empty();
        private final List<EventSection> unitsLeft = new ArrayList<>();

        private Builder(MeterRegistry registry) {
            this.registry = registry;
        }

        /**
         * Tags added to every meter, for example the application or the Region.
         *
         * @param tags the tags
         * @return this builder
         * @throws io.dhamana.InvalidRequestException if {@code tags} is null
         */
        public Builder tags(Iterable<Tag> tags) {
            this.tags = this.tags.and(Checks.notNull("tags", tags));
            return this;
        }

        /**
         * Adds a gauge of the units left in one section ({@code dhamana.units.left}). Each scrape reads it in one
         * read-only transaction, which is why it is opt-in.
         *
         * @param event   the event
         * @param section the section
         * @return this builder
         * @throws io.dhamana.InvalidRequestException if an argument is null
         */
        public Builder unitsLeft(EventId event, SectionId section) {
            unitsLeft.add(new EventSection(Checks.notNull("event", event), Checks.notNull("section", section)));
            return this;
        }

        /**
         * Builds the listener; register it with exactly one client.
         *
         * @return the listener
         */
        public DhamanaMetrics build() {
            return new DhamanaMetrics(this);
        }
    }
}

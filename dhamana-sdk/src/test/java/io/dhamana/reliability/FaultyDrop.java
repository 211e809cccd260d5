package io.dhamana.reliability;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.RetryPolicy;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.reliability.History.Kind;
import io.dhamana.spi.TicketStore;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A drop run while something breaks the store: an oversubscribed event (general admission over 16 buckets and a
 * row of named seats), buyers who each hold units or a seat under a key of their own and then confirm (or release),
 * from many threads over two clients. The {@code east} client retries transient failures itself; on {@code west}
 * the callers repeat a failed call with the same key, as the SDK tells them to. Every call is recorded; afterwards
 * {@link #verify} checks the history against the committed rows and the audit.
 */
final class FaultyDrop {
    static final SectionId FLOOR = SectionId.of("floor");
    static final SectionId SEATS = SectionId.of("seats");
    static final int FLOOR_UNITS = 200;
    static final int SEAT_COUNT = 20;

    /** Conflicts retried for long; transient failures retried only where asked. */
    static TicketingClient client(TicketStore store, String name, boolean retryTransientFailures) {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(1_000).backoff(Duration.ofMillis(1), Duration.ofMillis(50))
                .deadline(Duration.ofMinutes(2)).retryTransientFailures(retryTransientFailures).build();
        return TicketingClient.builder().store(store).name(name).retryPolicy(policy)
                .expirySweepInterval(Duration.ZERO).build();
    }

    final EventId event;
    final History history = new History();
    final Queue<String> problems = new ConcurrentLinkedQueue<>();
    final AtomicInteger decided = new AtomicInteger();
    private final int buyers;
    private final long seed;
    private volatile boolean finished;
    private volatile int heldBackFrom = Integer.MAX_VALUE;
    private volatile CountDownLatch heldBackUntil = new CountDownLatch(0);

    FaultyDrop(String prefix, int buyers, long seed) {
        this.event = EventId.of(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
        this.buyers = buyers;
        this.seed = seed;
    }

    /** Creates the event and verifies every buyer, before any fault starts. */
    void setUp(TicketingClient client) {
        client.createEvent(EventSpec.builder(event).perBuyerCap(2)
                .generalAdmission("floor", FLOOR_UNITS, 16, 4_000)
                .reservedSeating("seats", SeatMap.grid(2, SEAT_COUNT / 2), 9_000).build());
        Caller setup = new Caller(client, "setup", history.recorder(-1), 10, 50, problems);
        for (int i = 0; i < buyers; i++) {
            BuyerId b = buyer(i);
            setup.call(Kind.VERIFY, op -> op.buyer = b,
                    () -> client.verifyFan(event, b, URI.create("https://id.example/" + b.value())));
        }
    }

    private static BuyerId buyer(int i) {
        return BuyerId.of("buyer-" + i);
    }

    /**
     * Makes buyers from index {@code from} on wait for {@code released} before they start, so a fault that is due
     * before then cannot find the drop already over.
     */
    void holdBackBuyersFrom(int from, CountDownLatch released) {
        this.heldBackFrom = from;
        this.heldBackUntil = released;
    }

    /** Whether every buyer's calls are decided. */
    boolean finished() {
        return finished;
    }

    /**
     * Runs the drop on {@code threads} threads (even ones on {@code east}, odd ones on {@code west}); a call whose
     * outcome is unknown is repeated with its key up to {@code repeats} times, {@code pauseMillis} apart.
     */
    void run(TicketingClient east, TicketingClient west, int threads, int repeats, long pauseMillis)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                boolean onEast = t % 2 == 0;
                Caller caller = new Caller(onEast ? east : west, onEast ? "east" : "west", history.recorder(t),
                        repeats, pauseMillis, problems);
                SplittableRandom random = new SplittableRandom(seed * 1_000 + t);
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < buyers; i = next.getAndIncrement()) {
                        if (i >= heldBackFrom && !heldBackUntil.await(2, TimeUnit.MINUTES)) {
                            problems.add("buyer " + i + " was held back and never released");
                        }
                        buy(caller, buyer(i), random);
                        decided.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            finished = true;
            pool.shutdownNow();
        }
    }

    private void buy(Caller caller, BuyerId buyer, SplittableRandom random) {
        HoldRequest request = random.nextInt(8) == 0
                ? HoldRequest.seat(event, SEATS, SeatId.of(SeatMap.rowName(random.nextInt(2)) + "-"
                + (1 + random.nextInt(SEAT_COUNT / 2))), buyer)
                : HoldRequest.units(event, FLOOR, buyer, 1 + random.nextInt(2));
        HoldRequest keyed = request.withHoldId(HoldId.of(new UUID(random.nextLong(), random.nextLong())));
        Object held = caller.call(Kind.HOLD, op -> {
            op.hold = keyed.holdId().orElseThrow();
            op.buyer = buyer;
            op.section = keyed.section();
            op.seat = keyed.seat().orElse(null);
            op.units = keyed.units();
        }, () -> caller.client.hold(keyed));
        if (held instanceof Hold hold) {
            if (random.nextInt(5) == 0) {
                caller.call(Kind.RELEASE, op -> op.hold = hold.id(), () -> caller.client.release(hold.id()));
            } else {
                caller.call(Kind.CONFIRM, op -> op.hold = hold.id(), () -> caller.client.confirm(hold.id()));
            }
        }
    }

    /**
     * The verdict: no unclear errors, no call left undecided, the history explained by the rows (every
     * acknowledged call done once, no refused call done at all), the audit clean and nothing oversold.
     */
    void verify(TicketStore store, TicketingClient auditor, String label) {
        HistoryChecker.Verdict verdict = HistoryChecker.check(history.operations(), HistoryChecker.Rows.read(store,
                event));
        AuditReport audit = auditor.audit(event);
        long unknown = history.operations().stream()
                .filter(op -> op.result == History.Result.INFO).count();
        long undecided = history.operations().stream()
                .filter(op -> op.result == History.Result.INFO && op.kind != Kind.VERIFY)
                .map(op -> op.repeatOf >= 0 ? op.repeatOf : op.index).distinct()
                .filter(first -> history.operations().stream().noneMatch(
                        o -> (o.index == first || o.repeatOf == first) && o.result != History.Result.INFO))
                .count();
        System.out.printf(Locale.ROOT, "[faults] %s: %d buyers, %d calls, %d of them with an unknown outcome"
                        + " (repeated by key); ok/fail/info: %s; audit: held %d, sold %d, remaining %d, oversold %d%n",
                label, buyers, history.size(), unknown, verdict.tally(), audit.heldUnits(), audit.soldUnits(),
                audit.remaining(), audit.oversoldUnits());
        assertThat(problems).as("unclear errors").isEmpty();
        assertThat(verdict.examples()).as("history against rows").isEmpty();
        assertThat(undecided).as("calls still unknown after every repeat").isZero();
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.oversoldUnits()).isZero();
        assertThat(audit.capacity()).isEqualTo(FLOOR_UNITS + SEAT_COUNT);
        assertThat(decided.get()).isEqualTo(buyers);
    }
}

package io.dhamana.examples.breakit;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.HoldRequest;
import io.dhamana.Operation;
import io.dhamana.OperationListener;
import io.dhamana.SeatId;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.foil.NaiveCountThenInsert;
import io.dhamana.spi.ConstraintViolationException;
import io.dhamana.spi.TicketStore;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The on-sale stampede: N buyers hit one named seat at the same instant from two "regions" (two clients on one
 * store). Guarded, the SDK's hold writes the seat row and exactly one buyer commits. Naive, each buyer counts the
 * claims on the seat and inserts a hold if it saw none; nothing is written that a rival also writes, so several
 * commit. Either way the holders are counted afterwards from committed rows by the audit, never from what the
 * callers were told.
 */
public final class BreakIt {

    /** How the buyers buy. */
    public enum Mode {
        /** The SDK's recipe: a guarded write to the seat row. */
        GUARDED,
        /** Count the seat's claims, then insert if none: the usual application code. */
        NAIVE
    }

    /**
     * What one run did. Every buyer ends in exactly one of three ways, so {@code appWinners + backedOff +
     * refusedByStore == buyers}.
     *
     * @param appWinners       buyers the application told "you got it"
     * @param backedOff        naive buyers who counted a claim on the seat and did not insert (0 when guarded)
     * @param refusedByStore   buyers whose commit the store refused: guarded, the seat row's guard (a rejection
     *                         such as {@code SeatTaken}); naive, a serialization conflict or a constraint
     * @param conflicts        serialization conflicts the store raised: guarded, the attempts the client retried;
     *                         naive, the commits it refused as conflicts
     * @param holders          buyers holding the seat according to committed rows
     * @param extraHolders     holders beyond the one seat (the oversell)
     * @param damageMinor      what the extra holders paid for a seat that does not exist, in minor units
     * @param audit            the event's audit after the run
     */
    public record Result(Mode mode, int buyers, int appWinners, int backedOff, int refusedByStore, int conflicts,
                         List<BuyerId> holders, int extraHolders, long damageMinor, AuditReport audit,
                         Duration elapsed) {
        public Result {
            holders = List.copyOf(holders);
        }
    }

    private BreakIt() {}

    /**
     * Runs one stampede against a seat of an existing event. Buyers are verified first (so the guarded path refuses
     * nobody for that reason); the naive path ignores verification anyway.
     *
     * @param runId          distinguishes this run's buyers from earlier runs' (buyer ids are {@code runId-i})
     * @param faceValueMinor the seat's price, for the damage figure
     * @param naiveGap       the naive app's time between its count and its insert (a network round trip)
     */
    public static Result run(TicketStore store, EventId event, SectionId section, SeatId seat, int buyers, Mode mode,
                             String runId, long faceValueMinor, Duration naiveGap) throws InterruptedException {
        if (buyers < 1 || buyers > 10_000) {
            throw new IllegalArgumentException("buyers must be between 1 and 10000, was " + buyers);
        }
        AtomicInteger guardedConflicts = new AtomicInteger();
        OperationListener countConflicts = new OperationListener() {
            @Override
            public void onConflict(Operation operation, int attempt, ConflictException conflict) {
                if (operation == Operation.HOLD) {
                    guardedConflicts.incrementAndGet();
                }
            }
        };
        try (TicketingClient east = client(store, "east", countConflicts);
             TicketingClient west = client(store, "west", countConflicts)) {
            List<BuyerId> fans = new ArrayList<>(buyers);
            for (int i = 0; i < buyers; i++) {
                BuyerId b = BuyerId.of(runId + "-" + i);
                east.verifyFan(event, b, URI.create("https://verify.example/" + b.value())).value();
                fans.add(b);
            }
            NaiveCountThenInsert naive = new NaiveCountThenInsert(store, naiveGap);
            ConcurrentLinkedQueue<BuyerId> told = new ConcurrentLinkedQueue<>();
            AtomicInteger backedOff = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger naiveConflicts = new AtomicInteger();
            int threads = Math.min(buyers, 64);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long start;
            try {
                // Every worker must be waiting at the gate before it opens: a worker still starting up would
                // otherwise run late and alone, and a lone naive buyer always "wins" honestly.
                CountDownLatch ready = new CountDownLatch(threads);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < buyers; i++) {
                    BuyerId b = fans.get(i);
                    TicketingClient region = i % 2 == 0 ? east : west;
                    futures.add(pool.submit(() -> {
                        ready.countDown();
                        go.await();
                        Try outcome = mode == Mode.GUARDED
                                ? guardedTry(region, event, section, seat, b)
                                : naiveTry(naive, event, section, seat, b);
                        switch (outcome) {
                            case WON -> told.add(b);
                            case BACKED_OFF -> backedOff.incrementAndGet();
                            case REFUSED -> refused.incrementAndGet();
                            case CONFLICT -> {
                                refused.incrementAndGet();
                                naiveConflicts.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                // Inside the try: if this wait is interrupted, the finally still shuts the pool down, which
                // interrupts the workers parked at the gate instead of leaving them there for good.
                ready.await();
                start = System.nanoTime();
                go.countDown();
                for (Future<?> f : futures) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("a buyer failed: " + e.getMessage(), e);
            } finally {
                pool.shutdownNow();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            AuditReport audit = east.audit(event);
            List<BuyerId> holders = east.holdersOf(event, section, seat);
            int extra = Math.max(0, holders.size() - 1);
            int conflicts = mode == Mode.GUARDED ? guardedConflicts.get() : naiveConflicts.get();
            return new Result(mode, buyers, told.size(), backedOff.get(), refused.get(), conflicts, holders, extra,
                    extra * faceValueMinor, audit, elapsed);
        }
    }

    /** How one buyer's attempt ended. */
    private enum Try {
        /** The app told the buyer the seat is theirs. */
        WON,
        /** Naive: the count saw a claim, so the app inserted nothing. */
        BACKED_OFF,
        /** The store refused the commit: the guard row, or a constraint. */
        REFUSED,
        /** The store refused the commit as a serialization conflict. */
        CONFLICT
    }

    private static Try guardedTry(TicketingClient region, EventId event, SectionId section, SeatId seat,
                                  BuyerId buyer) {
        return region.hold(HoldRequest.seat(event, section, seat, buyer)).isOk() ? Try.WON : Try.REFUSED;
    }

    /**
     * One naive purchase. Where the store itself refuses the commit (PostgreSQL SERIALIZABLE sees the read-write
     * conflict; a unique constraint would too), the buyer did not get the seat: that is the store saving the naive
     * app, and it is counted so the comparison can say so.
     */
    private static Try naiveTry(NaiveCountThenInsert naive, EventId event, SectionId section, SeatId seat,
                                BuyerId buyer) {
        try {
            return naive.holdSeat(event, section, seat, buyer) ? Try.WON : Try.BACKED_OFF;
        } catch (ConflictException refusedByTheStore) {
            return Try.CONFLICT;
        } catch (ConstraintViolationException refusedByTheStore) {
            return Try.REFUSED;
        }
    }

    private static TicketingClient client(TicketStore store, String region, OperationListener listener) {
        return TicketingClient.builder().store(store).name("break-it-" + region).listener(listener)
                .expirySweepInterval(Duration.ZERO).build();
    }
}

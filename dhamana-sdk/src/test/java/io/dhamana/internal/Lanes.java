package io.dhamana.internal;

import io.dhamana.testkit.Reading;
import io.dhamana.BucketSelection;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.RetryPolicy;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Puts combined-hold callers into one bucket's lane, for tests of the combiner. */
final class Lanes {
    private Lanes() {}

    /** A client that combines holds, choosing buckets by buyer so that {@link #sameLane}'s buyers share a lane. */
    static TicketingClient combiningClient(TicketStore store, RetryPolicy policy) {
        return TicketingClient.builder().store(store).combining(true).bucketSelection(BucketSelection.BUYER_AFFINITY)
                .expirySweepInterval(Duration.ZERO).retryPolicy(policy).build();
    }

    /** {@code n} verified buyers of the event's first section whose holds all land in the same bucket's lane. */
    static List<BuyerId> sameLane(EngineStore engine, TicketingClient admin, EventId event, int n) {
        SectionState section = new SectionState(
                engine.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.event(event))).orElseThrow(),
                engine.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.sections(event))).get(0));
        int lane = section.chooseBucket(BucketSelection.BUYER_AFFINITY, BuyerId.of("b-0"), 1, -1);
        List<BuyerId> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            BuyerId b = BuyerId.of("b-" + i);
            if (section.chooseBucket(BucketSelection.BUYER_AFFINITY, b, 1, -1) == lane) {
                out.add(b);
                admin.verifyFan(event, b, URI.create("https://id.example/" + b.value())).value();
            }
        }
        return out;
    }

    /**
     * Starts one hold per request, each on its own thread, and returns once every one of them waits in the lane.
     * With {@code interrupted}, each thread interrupts itself before calling; its future then also records whether
     * the interrupt status was set again when the call returned.
     */
    static List<CompletableFuture<Outcome<Hold>>> queueBehind(TicketingClient client, List<HoldRequest> requests,
                                                              boolean interrupted,
                                                              List<CompletableFuture<Boolean>> stillInterrupted) {
        List<CompletableFuture<Outcome<Hold>>> out = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (HoldRequest request : requests) {
            CompletableFuture<Outcome<Hold>> f = new CompletableFuture<>();
            CompletableFuture<Boolean> flag = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                try {
                    f.complete(client.hold(request));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
                flag.complete(Thread.currentThread().isInterrupted());
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
            out.add(f);
            stillInterrupted.add(flag);
        }
        for (Thread t : threads) {
            while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
                Thread.onSpinWait(); // queued in the lane and parked
            }
        }
        return out;
    }
}

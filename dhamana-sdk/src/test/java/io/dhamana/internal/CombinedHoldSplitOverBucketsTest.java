package io.dhamana.internal;

import io.dhamana.testkit.Reading;
import io.dhamana.AuditReport;
import io.dhamana.BucketSelection;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.GatedStore;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression, found by the soak: a combined hold whose member needs more units than any single bucket has (but no
 * more than the section has) is left out of the batch plan to be served on its own. The combiner handed such a
 * member a null outcome instead, so its caller waited forever, spinning. Now the member is served by the ordinary
 * single-hold path, which splits it over buckets.
 */
class CombinedHoldSplitOverBucketsTest {
    private static final EventId SHOW = EventId.of("split");
    private static final SectionId GA = SectionId.of("ga");

    @Test
    void aBatchMemberThatNeedsSeveralBucketsIsServedOnItsOwn() throws Exception {
        try (EngineStore engine = EngineStore.create()) {
            GatedStore store = new GatedStore(engine);
            try (TicketingClient client = TicketingClient.builder().store(store).combining(true)
                    .bucketSelection(BucketSelection.BUYER_AFFINITY).expirySweepInterval(Duration.ZERO).build()) {
                // 6 units over 3 buckets of 2.
                client.createEvent(EventSpec.builder(SHOW).perBuyerCap(4).generalAdmission("ga", 6, 3, 100).build());
                SectionState section = new SectionState(
                        engine.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.event(SHOW))).orElseThrow(),
                        engine.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.sections(SHOW))).get(0));
                // Three buyers whose holds all queue on the same bucket's lane.
                List<BuyerId> sameLane = new ArrayList<>();
                int lane = section.chooseBucket(BucketSelection.BUYER_AFFINITY, BuyerId.of("b-0"), 1, -1);
                for (int i = 0; sameLane.size() < 3; i++) {
                    BuyerId b = BuyerId.of("b-" + i);
                    if (section.chooseBucket(BucketSelection.BUYER_AFFINITY, b, 1, -1) == lane) {
                        sameLane.add(b);
                        client.verifyFan(SHOW, b, URI.create("https://id.example/" + b.value())).value();
                    }
                }

                // The first hold leads the lane alone and is held inside its transaction...
                store.gate();
                CompletableFuture<Outcome<Hold>> first = CompletableFuture.supplyAsync(
                        () -> client.hold(HoldRequest.units(SHOW, GA, sameLane.get(0), 1)));
                assertThat(store.awaitEntered(30, TimeUnit.SECONDS)).isTrue();
                // ...while a hold of 3 (more than any bucket will have: 1, 2, 2 left) and a hold of 1 queue behind
                // it, to be served together in one combined transaction.
                List<Thread> waiting = new ArrayList<>();
                List<CompletableFuture<Outcome<Hold>>> queued = new ArrayList<>();
                for (int i = 1; i <= 2; i++) {
                    BuyerId b = sameLane.get(i);
                    int units = i == 1 ? 3 : 1;
                    CompletableFuture<Outcome<Hold>> f = new CompletableFuture<>();
                    Thread t = new Thread(() -> {
                        try {
                            f.complete(client.hold(HoldRequest.units(SHOW, GA, b, units)));
                        } catch (RuntimeException e) {
                            f.completeExceptionally(e);
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                    waiting.add(t);
                    queued.add(f);
                }
                for (Thread t : waiting) {
                    while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
                        Thread.onSpinWait(); // queued in the lane and parked
                    }
                }
                store.open();

                assertThat(first.get(30, TimeUnit.SECONDS).isOk()).isTrue();
                assertThat(queued.get(0).get(30, TimeUnit.SECONDS).value().units()).isEqualTo(3);
                assertThat(queued.get(1).get(30, TimeUnit.SECONDS).value().units()).isEqualTo(1);
                AuditReport audit = client.audit(SHOW);
                assertThat(audit.isClean()).as(audit.summary()).isTrue();
                assertThat(audit.heldUnits()).isEqualTo(5);
                assertThat(client.unitsLeft(SHOW, GA)).isEqualTo(1);
            }
        }
    }
}

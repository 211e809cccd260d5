package io.dhamana.internal;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.RetryPolicy;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.testkit.FaultyStore;
import io.dhamana.testkit.GatedStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression, found by the soak with one writing transaction in twenty failing: a combined hold transaction planned
 * its members from a snapshot (allowances, stock) before looking at their keys. When the transaction committed but
 * its acknowledgement was lost and the client retried it, the retry saw the members' own charges and stock already
 * taken and refused them (cap reached, sold out) although their holds existed: callers were told "refused" about
 * holds that had been made. The same happened when a caller repeated a hold with its own id through the combiner.
 * A member whose key may already be in the log (on a retry, or with a caller-chosen id) is now looked up first and
 * answered with the hold it made.
 */
class CombinedHoldReplayTest {
    private static final EventId SHOW = EventId.of("batch-replay");
    private static final SectionId GA = SectionId.of("ga");

    @Test
    void aCombinedHoldRetriedAfterItsAcknowledgementWasLostAnswersWithTheHoldsItMade() throws Exception {
        try (EngineStore engine = EngineStore.create();
             TicketingClient admin = TicketingClient.builder().store(engine).expirySweepInterval(Duration.ZERO)
                     .build()) {
            GatedStore gated = new GatedStore(engine);
            FaultyStore faulty = new FaultyStore(gated);
            // Each buyer may hold one unit: a retry that ignored its own first attempt would find them at the cap.
            admin.createEvent(EventSpec.builder(SHOW).perBuyerCap(1).generalAdmission("ga", 6, 3, 100).build());
            List<BuyerId> lane = Lanes.sameLane(engine, admin, SHOW, 3);
            try (TicketingClient client = Lanes.combiningClient(faulty,
                    RetryPolicy.builder().retryTransientFailures(true).build())) {
                gated.gate();
                CompletableFuture<Outcome<Hold>> first = CompletableFuture.supplyAsync(
                        () -> client.hold(HoldRequest.units(SHOW, GA, lane.get(0), 1)));
                assertThat(gated.awaitEntered(30, TimeUnit.SECONDS)).isTrue();
                // The next writing transaction, the combined one, commits and then loses its acknowledgement.
                faulty.next(FaultyStore.Fault.LOST_AFTER_COMMIT);
                List<HoldId> ids = List.of(HoldId.of(UUID.randomUUID()), HoldId.of(UUID.randomUUID()));
                List<CompletableFuture<Outcome<Hold>>> queued = Lanes.queueBehind(client, List.of(
                        HoldRequest.units(SHOW, GA, lane.get(1), 1).withHoldId(ids.get(0)),
                        HoldRequest.units(SHOW, GA, lane.get(2), 1).withHoldId(ids.get(1))), false,
                        new ArrayList<>());
                gated.open();

                assertThat(first.get(30, TimeUnit.SECONDS).isOk()).isTrue();
                for (int i = 0; i < 2; i++) {
                    Outcome<Hold> o = queued.get(i).get(30, TimeUnit.SECONDS);
                    assertThat(o.rejectionIfAny()).as("member %d", i).isEmpty();
                    assertThat(o.value().id()).isEqualTo(ids.get(i));
                }
                // A caller repeating a hold it already made, through the combiner, is answered the same way.
                assertThat(client.hold(HoldRequest.units(SHOW, GA, lane.get(1), 1).withHoldId(ids.get(0))).value()
                        .id()).isEqualTo(ids.get(0));
            }
            AuditReport audit = admin.audit(SHOW);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.heldUnits()).isEqualTo(3);
            assertThat(audit.unitsHeldEver()).isEqualTo(3);
        }
    }
}

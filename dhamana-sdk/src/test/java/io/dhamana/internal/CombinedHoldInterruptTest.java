package io.dhamana.internal;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A combined hold is shared work: callers whose threads are interrupted while they wait in a lane still get their
 * own outcomes, and whichever of them leads must not let its own interrupt fail the members it serves (a backoff
 * cut short by the leader's interrupt used to fail the batch and then every member served after it). Each gets its
 * interrupt status back when its call returns.
 */
class CombinedHoldInterruptTest {
    private static final EventId SHOW = EventId.of("batch-interrupt");
    private static final SectionId GA = SectionId.of("ga");

    @Test
    void interruptedCallersInALaneAllGetTheirHoldsAndKeepTheirInterrupt() throws Exception {
        try (EngineStore engine = EngineStore.create();
             TicketingClient admin = TicketingClient.builder().store(engine).expirySweepInterval(Duration.ZERO)
                     .build()) {
            GatedStore gated = new GatedStore(engine);
            FaultyStore faulty = new FaultyStore(gated);
            admin.createEvent(EventSpec.builder(SHOW).perBuyerCap(1).generalAdmission("ga", 12, 3, 100).build());
            List<BuyerId> lane = Lanes.sameLane(engine, admin, SHOW, 4);
            try (TicketingClient client = Lanes.combiningClient(faulty,
                    RetryPolicy.builder().maxAttempts(10).build())) {
                gated.gate();
                CompletableFuture<Outcome<Hold>> first = CompletableFuture.supplyAsync(
                        () -> client.hold(HoldRequest.units(SHOW, GA, lane.get(0), 1)));
                assertThat(gated.awaitEntered(30, TimeUnit.SECONDS)).isTrue();
                // Whoever leads next backs off: its combined transaction and the single holds after it lose conflicts.
                faulty.next(FaultyStore.Fault.CONFLICT, FaultyStore.Fault.CONFLICT, FaultyStore.Fault.CONFLICT,
                        FaultyStore.Fault.CONFLICT);
                List<CompletableFuture<Boolean>> stillInterrupted = new ArrayList<>();
                List<CompletableFuture<Outcome<Hold>>> queued = Lanes.queueBehind(client, lane.subList(1, 4).stream()
                        .map(b -> HoldRequest.units(SHOW, GA, b, 1)).toList(), true, stillInterrupted);
                gated.open();

                assertThat(first.get(30, TimeUnit.SECONDS).isOk()).isTrue();
                for (int i = 0; i < queued.size(); i++) {
                    Outcome<Hold> o = queued.get(i).get(30, TimeUnit.SECONDS);
                    assertThat(o.rejectionIfAny()).as("member %d", i).isEmpty();
                    assertThat(stillInterrupted.get(i).get(30, TimeUnit.SECONDS)).as("member %d's interrupt", i)
                            .isTrue();
                }
                assertThat(faulty.transactions()).as("the injected conflicts were met").isGreaterThanOrEqualTo(5);
            }
            AuditReport audit = admin.audit(SHOW);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.heldUnits()).isEqualTo(4);
        }
    }
}

package io.dhamana.internal;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.KeyReusedException;
import io.dhamana.Operation;
import io.dhamana.OperationFailedException;
import io.dhamana.OperationStats;
import io.dhamana.Outcome;
import io.dhamana.RetryPolicy;
import io.dhamana.SectionId;
import io.dhamana.StoreException;
import io.dhamana.TicketingClient;
import io.dhamana.BucketSelection;
import io.dhamana.engine.EngineStore;
import io.dhamana.testkit.FaultyStore;
import io.dhamana.testkit.GatedStore;
import io.dhamana.testkit.StoreDump;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a combined hold fails. It falls back to serving its members one by one only when the failure may pass on its
 * own (a conflict, a lost connection); a failure a retry would meet again is every member's error, counted as each
 * member's failure, and nothing is written; a member whose own call is in error gets that error and the rest are
 * served. Each case puts a lone holder inside the store's gate, lines three more callers up behind it in the same
 * bucket's lane (so they share the next transaction), and injects the fault into that transaction.
 */
class CombinedHoldFailureTest {
    private static final EventId SHOW = EventId.of("batch-failure");
    private static final SectionId GA = SectionId.of("ga");

    private record Scene(EngineStore engine, TicketingClient admin, GatedStore gated, FaultyStore faulty,
                         TicketingClient client, OperationStats stats, List<BuyerId> lane) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
            admin.close();
            engine.close();
        }
    }

    private static Scene scene(RetryPolicy policy) {
        EngineStore engine = EngineStore.create();
        TicketingClient admin = TicketingClient.builder().store(engine).expirySweepInterval(Duration.ZERO).build();
        admin.createEvent(EventSpec.builder(SHOW).perBuyerCap(2).generalAdmission("ga", 12, 3, 100).build());
        List<BuyerId> lane = Lanes.sameLane(engine, admin, SHOW, 4);
        GatedStore gated = new GatedStore(engine);
        FaultyStore faulty = new FaultyStore(gated);
        OperationStats stats = new OperationStats();
        TicketingClient client = TicketingClient.builder().store(faulty).combining(true)
                .bucketSelection(BucketSelection.BUYER_AFFINITY).expirySweepInterval(Duration.ZERO)
                .retryPolicy(policy).listener(stats).build();
        return new Scene(engine, admin, gated, faulty, client, stats, lane);
    }

    /** Holds the lane with buyer 0, queues {@code behind} after it, injects {@code fault} into their transaction. */
    private static List<CompletableFuture<Outcome<Hold>>> combine(Scene s, FaultyStore.Fault fault,
                                                                  List<HoldRequest> behind) throws Exception {
        s.gated().gate();
        CompletableFuture<Outcome<Hold>> first = CompletableFuture.supplyAsync(
                () -> s.client().hold(HoldRequest.units(SHOW, GA, s.lane().get(0), 1)));
        assertThat(s.gated().awaitEntered(30, TimeUnit.SECONDS)).isTrue();
        if (fault != null) {
            s.faulty().next(fault); // the next writing transaction is the combined one
        }
        List<CompletableFuture<Outcome<Hold>>> queued = Lanes.queueBehind(s.client(), behind, false,
                new ArrayList<>());
        s.gated().open();
        assertThat(first.get(30, TimeUnit.SECONDS).isOk()).isTrue();
        return queued;
    }

    private static List<HoldRequest> threeBehind(Scene s) {
        return List.of(HoldRequest.units(SHOW, GA, s.lane().get(1), 1),
                HoldRequest.units(SHOW, GA, s.lane().get(2), 1), HoldRequest.units(SHOW, GA, s.lane().get(3), 1));
    }

    @Test
    void aPermanentFailureIsEveryMembersErrorAndWritesNothing() throws Exception {
        try (Scene s = scene(RetryPolicy.defaults())) {
            List<HoldRequest> behind = threeBehind(s);
            int transactionsBefore = s.faulty().transactions();
            List<String> before = new ArrayList<>();
            List<CompletableFuture<Outcome<Hold>>> queued;
            s.gated().gate();
            CompletableFuture<Outcome<Hold>> first = CompletableFuture.supplyAsync(
                    () -> s.client().hold(HoldRequest.units(SHOW, GA, s.lane().get(0), 1)));
            assertThat(s.gated().awaitEntered(30, TimeUnit.SECONDS)).isTrue();
            s.faulty().next(FaultyStore.Fault.PERMANENT);
            queued = Lanes.queueBehind(s.client(), behind, false, new ArrayList<>());
            before.addAll(StoreDump.of(s.engine())); // the lone holder is still at the gate: nothing changed yet
            s.gated().open();
            assertThat(first.get(30, TimeUnit.SECONDS).isOk()).isTrue();

            for (CompletableFuture<Outcome<Hold>> f : queued) {
                assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(OperationFailedException.class, e -> {
                            assertThat(e.isRetryable()).isFalse();
                            assertThat(e.getCause()).isInstanceOf(StoreException.class);
                            assertThat(e).hasMessageContaining("combined transaction");
                        });
            }
            // Two writing transactions: the lone hold and the combined one; no member was served alone after it.
            assertThat(s.faulty().transactions() - transactionsBefore).isEqualTo(2);
            assertThat(s.stats().snapshot(Operation.HOLD).failures()).isEqualTo(3);
            List<String> after = new ArrayList<>(StoreDump.of(s.engine()));
            after.removeAll(before);
            assertThat(after).as("rows changed: only the lone holder's hold, log row, allowance and bucket")
                    .hasSize(4);
            AuditReport audit = s.admin().audit(SHOW);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.heldUnits()).isEqualTo(1);
        }
    }

    @Test
    void aLostConnectionFallsBackToSingleHoldsAndServesEveryone() throws Exception {
        try (Scene s = scene(RetryPolicy.defaults())) { // transient failures are not retried by the batch itself
            int transactionsBefore = s.faulty().transactions();
            List<CompletableFuture<Outcome<Hold>>> queued = combine(s, FaultyStore.Fault.LOST_BEFORE_COMMIT,
                    threeBehind(s));
            for (CompletableFuture<Outcome<Hold>> f : queued) {
                assertThat(f.get(30, TimeUnit.SECONDS).isOk()).isTrue();
            }
            // The lone hold, the failed combined one, then one single hold per member.
            assertThat(s.faulty().transactions() - transactionsBefore).isEqualTo(5);
            AuditReport audit = s.admin().audit(SHOW);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.heldUnits()).isEqualTo(4);
            assertThat(audit.unitsHeldEver()).isEqualTo(4);
        }
    }

    @Test
    void aMemberWhoseKeyWasUsedForOtherWorkGetsThatErrorAndTheOthersAreServed() throws Exception {
        try (Scene s = scene(RetryPolicy.defaults())) {
            HoldId reused = HoldId.of(UUID.randomUUID());
            // The key already names a hold of another buyer.
            s.client().hold(HoldRequest.units(SHOW, GA, s.lane().get(3), 1).withHoldId(reused)).value();
            List<HoldRequest> behind = List.of(HoldRequest.units(SHOW, GA, s.lane().get(1), 1),
                    HoldRequest.units(SHOW, GA, s.lane().get(2), 1).withHoldId(reused),
                    HoldRequest.units(SHOW, GA, s.lane().get(3), 1));
            List<CompletableFuture<Outcome<Hold>>> queued = combine(s, null, behind);

            assertThat(queued.get(0).get(30, TimeUnit.SECONDS).isOk()).isTrue();
            assertThatThrownBy(() -> queued.get(1).get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(KeyReusedException.class);
            assertThat(queued.get(2).get(30, TimeUnit.SECONDS).isOk()).isTrue();
            AuditReport audit = s.admin().audit(SHOW);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.heldUnits()).isEqualTo(4); // the earlier hold, the lone one and two members
        }
    }
}

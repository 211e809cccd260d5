package io.dhamana.retry;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.Jitter;
import io.dhamana.Operation;
import io.dhamana.OperationFailedException;
import io.dhamana.OperationListener;
import io.dhamana.OperationStats;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.RetriesExhaustedException;
import io.dhamana.RetryPolicy;
import io.dhamana.SectionId;
import io.dhamana.StoreException;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.testkit.FaultyStore;
import io.dhamana.testkit.FaultyStore.Fault;
import io.dhamana.testkit.RecordingSleeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The retry loop, driven deterministically: injected randomness, a fake clock and a sleeper that records instead of
 * sleeping, over the real engine with injected faults.
 */
class RetryLoopTest {
    private static final EventId SHOW = EventId.of("show");
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final BuyerId FAN = BuyerId.of("fan");

    private final FaultyStore store = new FaultyStore(EngineStore.create());
    private final RecordingSleeper clock = new RecordingSleeper();
    private final OperationStats stats = new OperationStats();
    private TicketingClient client;

    private TicketingClient client(RetryPolicy policy, long seed) {
        client = TicketingClient.builder().ownedStore(store).retryPolicy(policy).random(new SplittableRandom(seed))
                .sleeper(clock).ticker(clock).listener(stats).expirySweepInterval(Duration.ZERO).build();
        client.createEvent(EventSpec.builder(SHOW).generalAdmission("floor", 100, 8, 1_000).build());
        client.verifyFan(SHOW, FAN, URI.create("https://id.example/fan"));
        stats.reset();
        return client;
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void conflictsAreRetriedAfterThePolicysJitteredDelays() {
        RetryPolicy policy = RetryPolicy.builder().jitter(Jitter.FULL)
                .backoff(Duration.ofMillis(2), Duration.ofMillis(50)).build();
        client(policy, 7);
        int before = store.transactions();
        store.next(Fault.CONFLICT, Fault.CONFLICT, Fault.CONFLICT);

        Hold hold = client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 1)).value();

        assertThat(store.transactions() - before).isEqualTo(4);
        SplittableRandom same = new SplittableRandom(7);
        List<Long> expected = new ArrayList<>();
        long previous = 0;
        for (int retry = 1; retry <= 3; retry++) {
            previous = policy.delayNanos(retry, previous, same);
            expected.add(previous);
        }
        assertThat(clock.delays()).containsExactlyElementsOf(expected);
        OperationStats.Snapshot s = stats.snapshot(Operation.HOLD);
        assertThat(s.attempts()).isEqualTo(4);
        assertThat(s.conflicts()).isEqualTo(3);
        assertThat(s.retries()).isEqualTo(3);
        assertThat(s.successes()).isEqualTo(1);
        // The three rolled-back attempts left nothing behind.
        AuditReport audit = client.audit();
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.unitsHeldEver()).isEqualTo(1);
        assertThat(client.findHold(hold.id())).isPresent();
    }

    @Test
    void aBusinessRejectionIsNeverRetried() {
        client(RetryPolicy.defaults(), 1);
        int before = store.transactions();
        Outcome<Hold> refused = client.hold(HoldRequest.units(SHOW, FLOOR, BuyerId.of("bot"), 1));
        assertThat(refused.rejectionIfAny()).get().isInstanceOf(Rejection.NotVerified.class);
        assertThat(store.transactions() - before).isEqualTo(1);
        assertThat(clock.delays()).isEmpty();
        assertThat(stats.snapshot(Operation.HOLD).rejections()).isEqualTo(1);
    }

    @Test
    void aPermanentStoreFailureIsNotRetried() {
        client(RetryPolicy.defaults(), 1);
        store.next(Fault.PERMANENT);
        assertThatThrownBy(() -> client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 1)))
                .isInstanceOfSatisfying(OperationFailedException.class, e -> {
                    assertThat(e).isNotInstanceOf(RetriesExhaustedException.class);
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.getCause()).isInstanceOf(StoreException.class);
                });
        assertThat(clock.delays()).isEmpty();
        assertThat(client.unitsLeft(SHOW, FLOOR)).isEqualTo(100);
    }

    @Test
    void aLostConnectionIsReportedWithTheKeyToRepeatTheCallSafely() {
        client(RetryPolicy.defaults(), 1);
        store.next(Fault.LOST_AFTER_COMMIT);
        HoldRequest request = HoldRequest.units(SHOW, FLOOR, FAN, 2);
        OperationFailedException failure = org.junit.jupiter.api.Assertions.assertThrows(
                OperationFailedException.class, () -> client.hold(request));
        assertThat(failure.isRetryable()).isTrue();
        assertThat(failure.operationKey()).isPresent();
        assertThat(failure.getMessage()).contains("hold failed");

        // The caller repeats the same call with the key it was given: the hold committed before the connection
        // dropped, so the repeat finds it instead of holding twice.
        HoldId id = HoldId.of(failure.operationKey().get().value());
        Hold hold = client.hold(request.withHoldId(id)).value();
        assertThat(hold.id()).isEqualTo(id);
        assertThat(client.unitsLeft(SHOW, FLOOR)).isEqualTo(98);
        assertThat(client.audit().unitsHeldEver()).isEqualTo(2);
    }

    @Test
    void transientFailuresAreRetriedOnlyWhenThePolicySaysSo() {
        client(RetryPolicy.builder().retryTransientFailures(true).build(), 3);
        store.next(Fault.LOST_BEFORE_COMMIT, Fault.LOST_AFTER_COMMIT);
        Hold hold = client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 3)).value();
        assertThat(hold.units()).isEqualTo(3);
        assertThat(clock.delays()).hasSize(2);
        AuditReport audit = client.audit();
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.unitsHeldEver()).isEqualTo(3); // done once, though committed on the second attempt
        assertThat(client.unitsLeft(SHOW, FLOOR)).isEqualTo(97);
    }

    @Test
    void exhaustionCarriesTheAttemptCountAndEarlierFailures() {
        client(RetryPolicy.builder().maxAttempts(3).build(), 5);
        store.next(Fault.CONFLICT, Fault.CONFLICT, Fault.CONFLICT);
        assertThatThrownBy(() -> client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 1)))
                .isInstanceOfSatisfying(RetriesExhaustedException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(3);
                    assertThat(e.operation()).isEqualTo(Operation.HOLD);
                    assertThat(e.getCause()).isInstanceOf(ConflictException.class);
                    assertThat(e.getSuppressed()).hasSize(2).allMatch(t -> t instanceof ConflictException);
                    assertThat(e.getMessage()).contains("gave up after 3 attempts");
                    assertThat(e.isRetryable()).isTrue();
                });
        assertThat(client.unitsLeft(SHOW, FLOOR)).isEqualTo(100);
        assertThat(stats.snapshot(Operation.HOLD).failures()).isEqualTo(1);
    }

    @Test
    void noRetryStartsAfterTheDeadline() {
        client(RetryPolicy.builder().jitter(Jitter.NONE).backoff(Duration.ofMillis(10), Duration.ofMillis(10))
                .deadline(Duration.ofMillis(25)).build(), 5);
        store.next(Fault.CONFLICT, Fault.CONFLICT, Fault.CONFLICT, Fault.CONFLICT);
        assertThatThrownBy(() -> client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 1)))
                .isInstanceOfSatisfying(RetriesExhaustedException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(3);
                    assertThat(e.getMessage()).contains("deadline");
                });
        assertThat(clock.delays()).containsExactly(10_000_000L, 10_000_000L);
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheCall() {
        client = TicketingClient.builder().ownedStore(store).expirySweepInterval(Duration.ZERO)
                .listener(new OperationListener() {
                    @Override
                    public void onAttempt(Operation operation, int attempt) {
                        throw new IllegalStateException("listener bug");
                    }
                }).listener(stats).build();
        client.createEvent(EventSpec.builder(SHOW).generalAdmission("floor", 10, 1, 1_000).build());
        client.verifyFan(SHOW, FAN, URI.create("https://id.example/fan"));
        assertThat(client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 1)).isOk()).isTrue();
        assertThat(stats.snapshot(Operation.HOLD).successes()).isEqualTo(1);
    }
}

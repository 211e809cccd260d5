package io.dhamana.internal;

import io.dhamana.testkit.Reading;
import io.dhamana.ConflictException;
import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.StoreDump;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One combined transaction serving several holds: each member gets its own outcome, refusals write nothing. The same
 * recipe on the engine and on a real PostgreSQL server, where its writes go out as batched statements.
 */
class HoldBatchTest {
    static Stream<Named<Supplier<TicketStore>>> stores() {
        return Stream.of(Named.of("engine", EngineStore::create), Named.of("PostgreSQL", () -> {
            PostgresServer.freshSchema("hold_batch");
            return PostgresServer.store("hold_batch", PostgresIsolation.SERIALIZABLE).build();
        }));
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("stores")
    void eachMemberOfABatchGetsItsOwnOutcome(Supplier<TicketStore> stores) {
        try (TicketStore store = stores.get(); TicketingClient client = clientOn(store)) {
            EventId e = EventId.of("batch");
            SectionId ga = SectionId.of("ga");
            gaEvent(client, e, 2, "a", "b", "c", "d");
            SectionState section = new SectionState(
                    store.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.event(e))).orElseThrow(),
                    store.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.sections(e))).get(0));
            List<HoldRecipes.BatchMember> members = List.of(
                    member("a", 2),    // fits
                    member("bot", 1),  // never verified
                    member("b", 3),    // fits: bucket 0 is full now, bucket 1 has 3
                    member("a", 2),    // a would hold 4 of a cap of 3
                    member("c", 1),    // the last unit, in bucket 0
                    member("d", 1));   // nothing left anywhere
            List<String> before = StoreDump.of(store);
            Map<BuyerId, AllowanceRow> allowancesBefore = allowances(store, e);
            List<BucketRow> bucketsBefore = store.inTransaction(TxMode.READ_ONLY,
                    tx -> Reading.read(tx, r -> r.buckets(e, ga)));

            List<Outcome<Hold>> outcomes = store.inTransaction(TxMode.READ_WRITE,
                    tx -> HoldRecipes.holdBatch(tx, section, 0, members, 1));

            assertThat(outcomes.get(0).isOk()).isTrue();
            assertThat(outcomes.get(1).rejectionIfAny()).get().isInstanceOf(Rejection.NotVerified.class);
            assertThat(outcomes.get(2).isOk()).isTrue();
            assertThat(outcomes.get(3).rejectionIfAny()).get().isEqualTo(
                    new Rejection.CapReached(e, BuyerId.of("a"), 3, 2, 2));
            assertThat(outcomes.get(4).isOk()).isTrue();
            assertThat(outcomes.get(5).rejectionIfAny()).get().isEqualTo(new Rejection.SoldOut(e, ga, 1, 0));

            // From the committed rows: the refused members left nothing behind, not even a charge or a log row...
            for (int refused : new int[] {1, 3, 5}) {
                HoldId id = members.get(refused).id();
                store.inTransaction(TxMode.READ_ONLY, tx -> {
                    Optional<HoldRow> holdRow = Reading.read(tx, r -> r.hold(id));
                    Optional<OperationRow> logRow = Reading.read(tx, r -> r.operation(OperationKey.of(id.value())));
                    assertThat(holdRow).as("hold row of refused member %s", id).isEmpty();
                    assertThat(logRow).as("log row of refused member %s", id).isEmpty();
                    return null;
                });
            }
            Map<BuyerId, AllowanceRow> allowancesAfter = allowances(store, e);
            assertThat(allowancesAfter).doesNotContainKey(BuyerId.of("bot"));
            assertThat(allowancesAfter).containsEntry(BuyerId.of("d"), allowancesBefore.get(BuyerId.of("d")));
            // ...and every row that changed is one the three served members account for: each one's hold (in the
            // bucket the plan chose) and log row, its buyer's charge, and the two buckets, now empty.
            List<String> expectedAdded = new ArrayList<>();
            List<String> expectedRemoved = new ArrayList<>();
            int[][] served = {{0, 0}, {2, 1}, {4, 0}}; // member, bucket
            for (int[] m : served) {
                HoldRecipes.BatchMember member = members.get(m[0]);
                HoldRow row = store.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.hold(member.id())))
                        .orElseThrow();
                assertThat(List.of(row.buyer(), row.units(), row.bucket(), row.status()))
                        .containsExactly(member.buyer(), member.units(), m[1], HoldStatus.HELD);
                expectedAdded.add(row.toString());
                expectedAdded.add(new OperationRow(OperationKey.of(member.id().value()), Operation.HOLD, e,
                        member.id().toString(), member.buyer().value(), member.units(), 0).toString());
            }
            for (String buyer : List.of("a", "b", "c")) {
                AllowanceRow was = allowancesBefore.get(BuyerId.of(buyer));
                int charged = Map.of("a", 2, "b", 3, "c", 1).get(buyer);
                expectedRemoved.add(was.toString());
                expectedAdded.add(new AllowanceRow(e, was.buyer(), was.status(), was.evidence(), was.used() + charged,
                        was.cap()).toString());
            }
            for (BucketRow b : bucketsBefore) {
                expectedRemoved.add(b.toString());
                expectedAdded.add(new BucketRow(e, ga, b.bucket(), 0).toString());
            }
            List<String> after = StoreDump.of(store);
            assertThat(minus(after, before)).as("rows the batch added")
                    .containsExactlyInAnyOrderElementsOf(expectedAdded);
            assertThat(minus(before, after)).as("rows the batch replaced")
                    .containsExactlyInAnyOrderElementsOf(expectedRemoved);

            AuditReport audit = client.audit(e);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.heldUnits()).isEqualTo(6);
            assertThat(audit.unitsHeldEver()).isEqualTo(6); // refused members logged nothing
            assertThat(client.unitsLeft(e, ga)).isZero();
            assertThat(client.findHold(outcomes.get(0).value().id())).isPresent();
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("stores")
    void aGatheredInsertOfLogRowsWithOneKeyTakenFailsWholeAsAConflict(Supplier<TicketStore> stores) {
        try (TicketStore store = stores.get(); TicketingClient client = clientOn(store)) {
            EventId e = EventId.of("log");
            gaEvent(client, e, 1);
            OperationKey done = OperationKey.of(UUID.randomUUID());
            OperationKey fresh = OperationKey.of(UUID.randomUUID());
            OperationKey other = OperationKey.of(UUID.randomUUID());
            store.inTransaction(TxMode.READ_WRITE, tx -> {
                tx.writes().insertOperation(logRow(done, e, "earlier"));
                return null;
            });
            List<String> before = StoreDump.of(store);

            // One statement on PostgreSQL (the rows are gathered), one step each on the engine: strict either way.
            assertThatThrownBy(() -> store.inTransaction(TxMode.READ_WRITE, tx -> {
                tx.writes().insertOperation(logRow(fresh, e, "first"));
                tx.writes().insertOperation(logRow(done, e, "again"));
                tx.writes().insertOperation(logRow(other, e, "other"));
                return null;
            })).isInstanceOf(ConflictException.class);

            assertThat(StoreDump.of(store)).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("stores")
    void aGuardedWriteWhoseGuardDoesNotHoldFailsTheTransactionAndWritesNothing(Supplier<TicketStore> stores) {
        try (TicketStore store = stores.get(); TicketingClient client = clientOn(store)) {
            EventId e = EventId.of("charges");
            gaEvent(client, e, 1, "a", "b");
            List<String> before = StoreDump.of(store);

            // b's cap is 3: the second charge's guard fails when applied, after a's charge and b's first.
            assertThatThrownBy(() -> store.inTransaction(TxMode.READ_WRITE, tx -> {
                tx.writes().chargeAllowance(e, BuyerId.of("a"), 2);
                tx.writes().chargeAllowance(e, BuyerId.of("b"), 2);
                tx.writes().chargeAllowance(e, BuyerId.of("b"), 2);
                return null;
            })).isInstanceOfSatisfying(ConflictException.class,
                    c -> assertThat(c.getMessage()).as(c.getMessage()).contains("no longer held"));
            assertThat(StoreDump.of(store)).as("the COMMIT sent behind the failed guard did not commit")
                    .isEqualTo(before);

            store.inTransaction(TxMode.READ_WRITE, tx -> {
                tx.writes().chargeAllowance(e, BuyerId.of("a"), 2);
                tx.writes().chargeAllowance(e, BuyerId.of("b"), 1);
                tx.writes().chargeAllowance(e, BuyerId.of("b"), 2);
                return null;
            });
            Map<BuyerId, AllowanceRow> after = allowances(store, e);
            assertThat(after.get(BuyerId.of("a")).used()).isEqualTo(2);
            assertThat(after.get(BuyerId.of("b")).used()).isEqualTo(3);
        }
    }

    private static Map<BuyerId, AllowanceRow> allowances(TicketStore store, EventId e) {
        return store.inTransaction(TxMode.READ_ONLY, tx -> {
            Map<BuyerId, AllowanceRow> rows = new HashMap<>();
            tx.scan(io.dhamana.spi.Table.ALLOWANCES, Optional.of(e), r -> rows.put(r.buyer(), r));
            return rows;
        });
    }

    private static List<String> minus(List<String> rows, List<String> taken) {
        List<String> left = new ArrayList<>(rows);
        left.removeAll(taken);
        return left;
    }

    /** An event with one general-admission section "ga" of six units over {@code buckets}, a cap of three each. */
    private static void gaEvent(TicketingClient client, EventId e, int buckets, String... verifiedBuyers) {
        client.createEvent(EventSpec.builder(e).perBuyerCap(3).generalAdmission("ga", 6, buckets, 500).build());
        for (String b : verifiedBuyers) {
            client.verifyFan(e, BuyerId.of(b), URI.create("https://id.example/" + b)).value();
        }
    }

    private static OperationRow logRow(OperationKey key, EventId e, String subject) {
        return new OperationRow(key, Operation.HOLD, e, subject, "actor", 1, 0);
    }

    private static TicketingClient clientOn(TicketStore store) {
        return TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO).build();
    }

    private static HoldRecipes.BatchMember member(String buyer, int units) {
        return new HoldRecipes.BatchMember(HoldId.of(UUID.randomUUID()), BuyerId.of(buyer), units, Duration.ofMinutes(5));
    }
}

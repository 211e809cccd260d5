package io.dhamana.postgres;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.Operation;
import io.dhamana.OperationFailedException;
import io.dhamana.OperationKey;
import io.dhamana.OperationStats;
import io.dhamana.RetryPolicy;
import io.dhamana.SectionId;
import io.dhamana.StoreException;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.KillSwitchDataSource;
import io.dhamana.testkit.KillSwitchDataSource.Moment;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection that dies in the middle of a transaction, or around its COMMIT, leaves the caller not knowing
 * whether the work was done. The backend is killed for real ({@code pg_terminate_backend}); the call is then
 * repeated with the same key, by the client itself (transient failures retried) or by the caller, and the committed
 * rows show the work done exactly once: units held once, one operation-log row, one pair of money legs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresAmbiguousCommitTest {
    private static final String SCHEMA = "ambiguous_commit";
    private static final SectionId FLOOR = SectionId.of("floor");
    /** The statement that takes stock, sent with the hold's other writes and its COMMIT. */
    private static final String TAKE_STOCK = "stock_bucket SET remaining = CASE";

    /** Who repeats the call after the connection was lost. */
    enum Recovery {
        /** The client, with {@link RetryPolicy#retryTransientFailures()} on. */
        CLIENT_RETRIES,
        /** The caller, calling again with the same hold id after the client gave up. */
        CALLER_REPEATS
    }

    private final KillSwitchDataSource dataSource = new KillSwitchDataSource();
    private PostgresStore store;

    @BeforeAll
    void openStore() {
        PostgresServer.freshSchema(SCHEMA);
        // A caller's data source: the store sets the isolation level per transaction on it.
        store = PostgresStore.builder().dataSource(dataSource).schema(SCHEMA).build();
    }

    @AfterAll
    void closeStore() {
        store.close();
    }

    static Stream<Arguments> holdCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Moment m : Moment.values()) {
            for (Recovery r : Recovery.values()) {
                cases.add(Arguments.of(m, r));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "killed {0}, {1}")
    @MethodSource("holdCases")
    void aHoldWhoseConnectionDiesIsDoneExactlyOnce(Moment moment, Recovery recovery) {
        EventId show = EventId.of("amb-hold-" + UUID.randomUUID().toString().substring(0, 8));
        OperationStats stats = new OperationStats();
        try (TicketingClient client = client(recovery, stats)) {
            client.createEvent(EventSpec.builder(show).perBuyerCap(4).generalAdmission("floor", 20, 4, 15_000)
                    .build());
            BuyerId fan = BuyerId.of("fan");
            client.verifyFan(show, fan, URI.create("https://id.example/fan")).value();
            HoldRequest request = HoldRequest.units(show, FLOOR, fan, 3).withHoldId(HoldId.of(UUID.randomUUID()));

            int killsBefore = dataSource.kills();
            dataSource.arm(moment, TAKE_STOCK);
            Hold hold = callSurvivingOneLoss(recovery, moment, () -> client.hold(request).value());
            assertThat(dataSource.kills()).isEqualTo(killsBefore + 1);
            assertThat(stats.snapshot(Operation.HOLD).attempts()).isEqualTo(2);
            assertThat(hold.id()).isEqualTo(request.holdId().orElseThrow());

            AuditReport audit = client.audit(show);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.unitsHeldEver()).isEqualTo(3);
            assertThat(audit.heldUnits()).isEqualTo(3);
            assertThat(audit.remaining()).isEqualTo(17);
            assertThat(client.verification(show, fan).orElseThrow().used()).isEqualTo(3);
            assertThat(operations(show, Operation.HOLD)).singleElement()
                    .extracting(OperationRow::key).isEqualTo(OperationKey.of(hold.id().value()));
        }
    }

    static Stream<Arguments> confirmCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Moment m : List.of(Moment.BEFORE_COMMIT, Moment.AFTER_COMMIT)) {
            for (Recovery r : Recovery.values()) {
                cases.add(Arguments.of(m, r));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "killed {0}, {1}")
    @MethodSource("confirmCases")
    void aConfirmWhoseCommitIsLostMovesTheMoneyExactlyOnce(Moment moment, Recovery recovery) {
        EventId show = EventId.of("amb-pay-" + UUID.randomUUID().toString().substring(0, 8));
        OperationStats stats = new OperationStats();
        try (TicketingClient client = client(recovery, stats)) {
            client.createEvent(EventSpec.builder(show).perBuyerCap(4).generalAdmission("floor", 20, 4, 15_000)
                    .build());
            BuyerId fan = BuyerId.of("payer");
            client.verifyFan(show, fan, URI.create("https://id.example/payer")).value();
            Hold hold = client.hold(HoldRequest.units(show, FLOOR, fan, 2)).value();

            int killsBefore = dataSource.kills();
            dataSource.arm(moment, "");
            List<Ticket> tickets = callSurvivingOneLoss(recovery, moment, () -> client.confirm(hold.id()).value());
            assertThat(dataSource.kills()).isEqualTo(killsBefore + 1);
            assertThat(stats.snapshot(Operation.CONFIRM).attempts()).isEqualTo(2);
            assertThat(tickets).hasSize(2);

            AuditReport audit = client.audit(show);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.soldUnits()).isEqualTo(2);
            assertThat(audit.heldUnits()).isZero();
            assertThat(client.ticketsOf(show, fan)).hasSize(2);
            assertThat(operations(show, Operation.CONFIRM)).hasSize(1);
            List<MoneyEntry> money = store.inTransaction(TxMode.READ_ONLY, tx -> {
                List<MoneyEntry> legs = new ArrayList<>();
                tx.scan(io.dhamana.spi.Table.MONEY, Optional.of(show), legs::add);
                return legs;
            });
            assertThat(money).hasSize(2);
            assertThat(money.stream().mapToLong(MoneyEntry::amountMinor).sum()).isZero();
            assertThat(money).anySatisfy(m -> assertThat(m.amountMinor()).isEqualTo(2 * 15_000L));
        }
    }

    private TicketingClient client(Recovery recovery, OperationStats stats) {
        RetryPolicy policy = RetryPolicy.builder().retryTransientFailures(recovery == Recovery.CLIENT_RETRIES)
                .build();
        return TicketingClient.builder().store(store).retryPolicy(policy).listener(stats)
                .expirySweepInterval(Duration.ZERO).build();
    }

    /**
     * Makes the call; if the client is not retrying transient failures, the first call must fail as a transient
     * store failure (during COMMIT: with the outcome called unknown), and the caller repeats it once.
     */
    private static <T> T callSurvivingOneLoss(Recovery recovery, Moment moment, Supplier<T> call) {
        if (recovery == Recovery.CLIENT_RETRIES) {
            return call.get();
        }
        assertThatThrownBy(call::get).isInstanceOf(OperationFailedException.class)
                .satisfies(e -> assertThat(((OperationFailedException) e).isRetryable()).isTrue())
                .cause().isInstanceOfSatisfying(StoreException.class, s -> {
                    assertThat(s.isTransient()).isTrue();
                    if (moment != Moment.BEFORE_STATEMENT) {
                        assertThat(s.getMessage()).startsWith("commit failed").contains("unknown");
                    }
                });
        return call.get();
    }

    private List<OperationRow> operations(EventId event, Operation kind) {
        return store.inTransaction(TxMode.READ_ONLY, tx -> {
            List<OperationRow> rows = new ArrayList<>();
            tx.scan(io.dhamana.spi.Table.OPERATIONS, Optional.of(event), op -> {
                if (op.operation() == kind) {
                    rows.add(op);
                }
            });
            return rows;
        });
    }
}

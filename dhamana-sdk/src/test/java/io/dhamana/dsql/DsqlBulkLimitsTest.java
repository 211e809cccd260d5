package io.dhamana.dsql;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Limits;
import io.dhamana.OperationFailedException;
import io.dhamana.Seat;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.StoreException;
import io.dhamana.TicketingClient;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Aurora DSQL allows 3,000 modified rows and 10 MiB per transaction. Every bulk operation of the SDK (creating an
 * event's buckets and seats, releasing an event's holds, the expiry sweep, refunding a cancelled event) must stay
 * below that in idempotent batches, whatever the size of the event. Counted here, transaction by transaction, on
 * PostgreSQL running the DSQL dialect: rows are what each statement reported modified (an update of a row already
 * updated in the same transaction counts again, so these are upper bounds), bytes are the parameter data of the
 * modifying statements. The figures are printed and asserted exactly, so a change in batch sizes shows here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DsqlBulkLimitsTest {
    private static final String SCHEMA = "dsql_bulk";
    private static final SectionId GA = SectionId.of("ga");
    private static final SectionId SEATS = SectionId.of("seats");

    private final DsqlConformance conformance = new DsqlConformance();
    private DsqlStore store;

    @BeforeAll
    void openStore() {
        PostgresServer.freshSchema(SCHEMA);
        store = DsqlStandIn.builder(SCHEMA, conformance).maxPoolSize(4).build();
    }

    @AfterAll
    void closeStore() {
        store.close();
    }

    private TicketingClient client() {
        return TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO).build();
    }

    /** Rows modified by each committed writing transaction since the log was cleared, in order. */
    private List<Long> rowsPerTransaction(String phase) {
        List<DsqlConformance.Tx> writes = DsqlStandIn.writing(conformance.transactions());
        List<Long> rows = writes.stream().map(t -> t.rows).toList();
        long maxBytes = writes.stream().mapToLong(t -> t.bytes).max().orElse(0);
        System.out.printf(Locale.ROOT, "[dsql limits] %s: %d writing transaction(s), rows per transaction %s,"
                + " largest %,d bytes of parameters%n", phase, rows.size(), rows, maxBytes);
        assertThat(writes).allSatisfy(t -> {
            assertThat(t.rows).isLessThanOrEqualTo(DsqlConformance.DSQL_ROW_LIMIT);
            assertThat(t.bytes).isLessThan(DsqlConformance.DSQL_BYTE_LIMIT / 10);
        });
        conformance.clearLog();
        return rows;
    }

    @Test
    void everyBulkOperationStaysFarBelowDsqlsLimitsInIdempotentBatches() {
        EventId event = EventId.of("bulk-" + UUID.randomUUID().toString().substring(0, 8));
        try (TicketingClient client = client()) {
            // 2,000 units over 256 buckets (the most a section may have) beside 2,500 named seats.
            conformance.clearLog();
            client.createEvent(EventSpec.builder(event).perBuyerCap(4)
                    .generalAdmission("ga", 2_000, Limits.MAX_BUCKETS, 1_000)
                    .reservedSeating("seats", SeatMap.grid(50, 50), 2_000).build());
            // Sections; the buckets; the seats in batches of 1,000; the event row and its log entry last.
            assertThat(rowsPerTransaction("create event (256 buckets, 2,500 seats)"))
                    .containsExactly(2L, 256L, 1_000L, 1_000L, 500L, 2L);
            // Each batch numbers its seats after the ones already there, so they read back as declared.
            assertThat(client.seats(event, SEATS).stream().map(Seat::id).toList())
                    .isEqualTo(SeatMap.grid(50, 50));
            conformance.clearLog();

            List<BuyerId> fans = new ArrayList<>();
            for (int i = 0; i < 260; i++) {
                BuyerId b = BuyerId.of("fan-" + i);
                client.verifyFan(event, b, URI.create("https://id.example/" + i)).value();
                fans.add(b);
            }
            // 250 general-admission holds and 10 seat holds, then the bulk release: 4 rows per hold (the hold, its
            // log entry, the bucket or seat, the allowance), 100 holds per transaction.
            for (int i = 0; i < 260; i++) {
                holdOne(client, event, fans.get(i), i, Duration.ofMinutes(10));
            }
            conformance.clearLog();
            assertThat(client.releaseHolds(event)).isEqualTo(260);
            assertThat(rowsPerTransaction("release holds (260)")).containsExactly(400L, 400L, 240L);

            // 150 holds that lapse, then the expiry sweep: the same 4 rows per hold.
            for (int i = 0; i < 150; i++) {
                holdOne(client, event, fans.get(i), i, Limits.MIN_HOLD_TTL);
            }
            LockSupport.parkNanos(Limits.MIN_HOLD_TTL.plusMillis(500).toNanos()); // the server's clock must pass
            conformance.clearLog();
            assertThat(client.expireHolds()).isEqualTo(150);
            assertThat(rowsPerTransaction("expire holds (150)")).containsExactly(400L, 200L);

            // 150 confirmed tickets, then the refunds of a cancelled event: 6 rows per ticket (the ticket, its log
            // entry, the bucket or seat, the allowance, two money legs).
            for (int i = 0; i < 150; i++) {
                client.confirm(holdOne(client, event, fans.get(i), i, Duration.ofMinutes(10)).id()).value();
            }
            conformance.clearLog();
            assertThat(client.refundAll(event)).isEqualTo(150);
            assertThat(rowsPerTransaction("refund all (150 tickets)")).containsExactly(600L, 300L);

            AuditReport audit = client.audit(event);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.remaining()).isEqualTo(4_500);
            assertThat(audit.unitsRefunded()).isEqualTo(150);
        }
        assertThat(conformance.violations()).isEmpty();
    }

    private static Hold holdOne(TicketingClient client, EventId event, BuyerId fan, int i, Duration ttl) {
        HoldRequest request = i % 26 == 25
                ? HoldRequest.seat(event, SEATS, SeatId.of("A-" + (i / 26 + 1)), fan)
                : HoldRequest.units(event, GA, fan, 1);
        return client.hold(request.withTtl(ttl)).value();
    }

    /**
     * A transaction over the row limit fails the way DSQL fails it (54000 at the statement that crosses), is not
     * retried, and says which limit it was. The stand-in's limit is lowered to 50 rows so that 60 seats cross it.
     */
    @Test
    void aTransactionOverTheRowLimitFailsOnceAndSaysWhy() {
        EventId event = EventId.of("over-" + UUID.randomUUID().toString().substring(0, 8));
        conformance.rowLimit(50);
        try (TicketingClient client = client()) {
            assertThatThrownBy(() -> client.createEvent(EventSpec.builder(event)
                    .reservedSeating("seats", SeatMap.grid(1, 60), 2_000).build()))
                    .isInstanceOfSatisfying(OperationFailedException.class, e -> {
                        assertThat(e.attempts()).isEqualTo(1);
                        assertThat(e.getCause()).isInstanceOfSatisfying(StoreException.class, s -> {
                            assertThat(s.isTransient()).isFalse();
                            assertThat(s.sqlState()).isEqualTo("54000");
                        });
                    })
                    .hasMessageContaining("transaction row limit exceeded: Aurora DSQL allows 3,000 modified rows"
                            + " per transaction");
            assertThat(client.event(event)).isEmpty(); // the event row goes in last, so nothing half-made shows

            // What the failed create left (its section) is finished by repeating the same create within the limit.
            conformance.rowLimit(DsqlConformance.DSQL_ROW_LIMIT);
            client.createEvent(EventSpec.builder(event).reservedSeating("seats", SeatMap.grid(1, 60), 2_000).build());
            assertThat(client.seats(event, SectionId.of("seats"))).hasSize(60);
            AuditReport audit = client.audit(event);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.capacity()).isEqualTo(60);
        } finally {
            conformance.rowLimit(DsqlConformance.DSQL_ROW_LIMIT);
            conformance.clearLog();
        }
    }
}

package io.dhamana.postgres;

import io.dhamana.testkit.Reading;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.InvalidRequestException;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingRequest;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.StoreException;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.spi.Constraint;
import io.dhamana.spi.ConstraintViolationException;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.PostgresServer;
import io.dhamana.testkit.StoreDump;
import io.dhamana.testkit.Together;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The PostgreSQL store beyond the shared contract: its builder, its schema installation, least privileges, and
 * how it reports what the server refused, each checked on a real server and against committed rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresStoreTest {
    private static final String SCHEMA = "store_test";
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId BALCONY = SectionId.of("balcony");
    private static final String PASSWORD = "Tr0ub4dor-and-3";

    private PostgresStore store;

    @BeforeAll
    void openStore() {
        PostgresServer.freshSchema(SCHEMA);
        store = PostgresServer.store(SCHEMA, PostgresIsolation.SERIALIZABLE).maxPoolSize(4).build();
    }

    @AfterAll
    void closeStore() {
        store.close();
    }

    // ------------------------------------------------------------------ builder

    @Test
    void theBuilderRefusesIncompleteOrContradictorySettings() {
        assertThatThrownBy(() -> PostgresStore.builder().build()).isInstanceOf(InvalidRequestException.class)
                .hasMessage("jdbcUrl or dataSource must be set");
        HikariDataSource unused = new HikariDataSource();
        assertThatThrownBy(() -> PostgresStore.builder().jdbcUrl("jdbc:postgresql://h/db").dataSource(unused)
                .build()).isInstanceOf(InvalidRequestException.class)
                .hasMessage("dataSource must not be combined with jdbcUrl");
        assertThatThrownBy(() -> PostgresStore.builder().dataSource(unused).maxPoolSize(4).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("maxPoolSize applies only");
        assertThatThrownBy(() -> PostgresStore.builder().schema("Dhamana; DROP TABLE x"))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("schema must match");
        assertThatThrownBy(() -> PostgresStore.builder().maxPoolSize(0)).isInstanceOf(InvalidRequestException.class);
        // A URL of another database is refused without echoing it: it may carry a password.
        assertThatThrownBy(() -> PostgresStore.builder().jdbcUrl("jdbc:mysql://h/db?password=" + PASSWORD))
                .isInstanceOf(InvalidRequestException.class).hasMessage("jdbcUrl must start with jdbc:postgresql:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        unused.close();
    }

    @Test
    void itDescribesItselfAndItsFailuresWithoutCredentials() {
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        try (PostgresStore s = PostgresStore.builder().jdbcUrl(e.jdbcUrl()).user(e.user()).password(e.password())
                .schema(SCHEMA).isolation(PostgresIsolation.REPEATABLE_READ).maxPoolSize(1).build()) {
            assertThat(s.description()).matches("PostgreSQL \\d+(\\.\\d+)*, REPEATABLE_READ, schema store_test");
            assertThat(s.toString()).contains(s.description());
            if (!e.password().isEmpty()) {
                assertThat(s.toString()).doesNotContain(e.password());
            }
            assertThat(s.keyStrategy()).isEqualTo(io.dhamana.spi.KeyStrategy.TIME_ORDERED);
        }
        // Nothing listens on port 1: a transient failure, and no password in what the caller sees.
        assertThatThrownBy(() -> PostgresStore.builder().jdbcUrl("jdbc:postgresql://127.0.0.1:1/db?connectTimeout=2")
                .user("someone").password(PASSWORD).build())
                .isInstanceOfSatisfying(StoreException.class, f -> {
                    assertThat(f.isTransient()).isTrue();
                    assertThat(f.sqlState()).startsWith("08");
                    assertThat(f.getMessage()).doesNotContain(PASSWORD);
                });
    }

    // ------------------------------------------------------------------ schema

    @Test
    void theSchemaIsInstalledOnceWhenSeveralProcessesStartTogether() throws Exception {
        String schema = "install_race";
        PostgresServer.freshSchema(schema);
        int starters = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<PostgresStore>> builds = new ArrayList<>();
        for (int i = 0; i < starters; i++) {
            builds.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return PostgresServer.store(schema, PostgresIsolation.SERIALIZABLE).maxPoolSize(1).build();
            }));
        }
        go.countDown();
        for (CompletableFuture<PostgresStore> b : builds) {
            b.get(2, TimeUnit.MINUTES).close();
        }
        assertThat(count("SELECT count(*) FROM " + schema + ".schema_version")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema + "'"))
                .isEqualTo(11);
        assertThat(count("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema + "'"))
                .isEqualTo(11 + 10); // a primary key per table, and ten secondary indexes
    }

    @Test
    void aMissingSchemaIsReportedWhenInstallingIsOff() throws SQLException {
        String schema = "never_installed";
        PostgresServer.freshSchema(schema);
        assertThatThrownBy(() -> PostgresServer.store(schema, PostgresIsolation.SERIALIZABLE).installSchema(false)
                .build()).isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.isTransient()).isFalse();
                    assertThat(e.getMessage()).contains("schema never_installed is not installed")
                            .contains("installSchema(true)");
                });
        assertThat(count("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")).isZero();
    }

    /** The grants docs/postgres.md gives a role that runs the SDK against a schema installed by another role. */
    @Test
    void itRunsWithTheLeastPrivilegesTheGuideGrants() throws SQLException {
        String schema = "least_privilege";
        String role = "dhamana_app_test";
        PostgresServer.freshSchema(schema); // also drops any grants a failed run left, so the role can go
        execute("DROP ROLE IF EXISTS " + role);
        PostgresServer.store(schema, PostgresIsolation.SERIALIZABLE).maxPoolSize(1).build().close();
        execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "'");
        try {
            execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);

            PostgresServer.Endpoint e = PostgresServer.endpoint();
            try (PostgresStore app = PostgresStore.builder().jdbcUrl(e.jdbcUrl()).user(role).password(PASSWORD)
                    .schema(schema).maxPoolSize(2).build();
                 TicketingClient client = TicketingClient.builder().store(app).expirySweepInterval(Duration.ZERO)
                         .build()) {
                EventId show = EventId.of("least-privilege");
                client.createEvent(EventSpec.builder(show).perBuyerCap(4).resaleCapPercent(110)
                        .generalAdmission("floor", 10, 2, 10_000).build());
                BuyerId seller = verify(client, show, "seller");
                BuyerId buyer = verify(client, show, "buyer");
                Ticket ticket = client.confirm(client.hold(HoldRequest.units(show, FLOOR, seller, 2)).value().id())
                        .value().get(0);
                Listing listing = client.listForResale(ListingRequest.of(ticket.id(), seller, 11_000)).value();
                client.buyListing(listing.id(), buyer).value();
                client.settle(listing.id()).value();
                Hold released = client.hold(HoldRequest.units(show, FLOOR, buyer, 1)).value();
                client.release(released.id()).value();
                client.expireHolds();
                AuditReport audit = client.audit(show);
                assertThat(audit.isClean()).as(audit.summary()).isTrue();
                assertThat(audit.soldUnits()).isEqualTo(2);
                assertThat(audit.unitsReleased()).isEqualTo(1);
            }
            // What the role was not given, it does not have: no DDL, no DELETE.
            assertThat(count("SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = '" + role
                    + "' AND privilege_type NOT IN ('SELECT', 'INSERT', 'UPDATE')")).isZero();
            assertThat(count("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema
                    + "' AND has_schema_privilege('" + role + "', oid, 'CREATE')")).isZero();
        } finally {
            execute("REVOKE ALL ON ALL TABLES IN SCHEMA " + schema + " FROM " + role);
            execute("REVOKE ALL ON SCHEMA " + schema + " FROM " + role);
            execute("DROP ROLE " + role);
        }
    }

    // ------------------------------------------------------------------ what the server refuses

    @Test
    void theLastLineConstraintsRefuseWhatTheGuardsWouldHavePrevented() {
        EventId show = EventId.of("constraints-" + UUID.randomUUID().toString().substring(0, 8));
        TicketRow seatTicket;
        TicketRow gaTicket;
        BuyerId fan = BuyerId.of("fan");
        try (TicketingClient client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                .build()) {
            client.createEvent(EventSpec.builder(show).perBuyerCap(4).resaleCapPercent(110)
                    .generalAdmission("floor", 10, 2, 10_000).reservedSeating("balcony", SeatMap.grid(1, 2), 20_000)
                    .build());
            verify(client, show, fan.value());
            Ticket seat = client.confirm(client.hold(HoldRequest.seat(show, BALCONY, SeatId.of("A-1"), fan)).value()
                    .id()).value().get(0);
            Ticket ga = client.confirm(client.hold(HoldRequest.units(show, FLOOR, fan, 1)).value().id()).value()
                    .get(0);
            seatTicket = store.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.ticket(seat.id())))
                    .orElseThrow();
            gaTicket = store.inTransaction(TxMode.READ_ONLY, tx -> Reading.read(tx, r -> r.ticket(ga.id())))
                    .orElseThrow();
        }
        List<String> before = StoreDump.of(store);

        assertRefusedBy(Constraint.STOCK_NOT_NEGATIVE, w -> w.returnUnits(show, FLOOR, 0, -1_000));
        assertRefusedBy(Constraint.ALLOWANCE_WITHIN_CAP, w -> w.creditAllowance(show, fan, -100));
        assertRefusedBy(Constraint.ASK_WITHIN_CAP,
                w -> w.insertListing(ListingId.of(UUID.randomUUID()), gaTicket.id(), fan, 11_001));
        assertRefusedBy(Constraint.ONE_ACTIVE_LISTING, w -> {
            w.insertListing(ListingId.of(UUID.randomUUID()), gaTicket.id(), fan, 11_000);
            w.insertListing(ListingId.of(UUID.randomUUID()), gaTicket.id(), fan, 10_000);
        });
        assertRefusedBy(Constraint.ONE_TICKET_PER_SEAT, w -> w.insertTickets(List.of(new TicketRow(
                TicketId.of(UUID.randomUUID()), seatTicket.hold(), show, BALCONY, seatTicket.seat(), -1,
                BuyerId.of("twin"), TicketState.VALID, "TWINCODE", 20_000))));
        // Each refusal rolled its transaction back whole.
        assertThat(StoreDump.of(store)).isEqualTo(before);
    }

    private void assertRefusedBy(Constraint constraint, java.util.function.Consumer<io.dhamana.spi.Writes> writes) {
        assertThatThrownBy(() -> store.inTransaction(TxMode.READ_WRITE, tx -> {
            writes.accept(tx.writes());
            return null;
        }))
                .isInstanceOfSatisfying(ConstraintViolationException.class,
                        e -> assertThat(e.constraint()).isEqualTo(constraint));
    }

    @Test
    void aLostWriteRaceIsAConflictAndOnlyTheWinnerCommits() throws Exception {
        try (PostgresStore rr = PostgresServer.store(SCHEMA, PostgresIsolation.REPEATABLE_READ).maxPoolSize(2)
                .build()) {
            EventId show = gaEvent(rr, 10, 1);
            ConflictException lost = loseAWriteRace(rr, show);
            assertThat(lost.sqlState()).isEqualTo("40001");
            assertThat(lost.isRetryable()).isTrue();
            assertThat(unitsLeft(show)).isEqualTo(9);
        }
    }

    @Test
    void aDeadlockIsAConflictAndTheSurvivorCommits() throws Exception {
        try (PostgresStore rc = PostgresServer.store(SCHEMA, PostgresIsolation.READ_COMMITTED).maxPoolSize(2)
                .build()) {
            EventId show = gaEvent(rc, 10, 2);
            String bucket = "UPDATE " + SCHEMA + ".stock_bucket SET remaining = remaining - 1"
                    + " WHERE event_id = '" + show.value() + "' AND section_id = 'floor' AND bucket = ";
            try (Connection rival = PostgresServer.connect(); Statement st = rival.createStatement()) {
                rival.setAutoCommit(false);
                st.executeUpdate(bucket + "1"); // the rival holds bucket 1
                CompletableFuture<Object> store = CompletableFuture.supplyAsync(() -> {
                    try {
                        // Sent with the commit: takes bucket 0, then waits for bucket 1.
                        return rc.inTransaction(TxMode.READ_WRITE, tx -> {
                            tx.writes().takeUnits(show, FLOOR, 0, 1);
                            tx.writes().takeUnits(show, FLOOR, 1, 1);
                            return "committed";
                        });
                    } catch (ConflictException e) {
                        return e;
                    }
                });
                // Wait until the store's transaction waits on bucket 1, then want bucket 0 too: a cycle. The store's
                // backend waited first, so its deadlock check runs first and it is the one PostgreSQL cancels.
                try (Connection watch = PostgresServer.connect(); Statement w = watch.createStatement()) {
                    for (int i = 0; i < 500; i++) {
                        try (ResultSet rs = w.executeQuery("SELECT count(*) FROM pg_stat_activity"
                                + " WHERE wait_event_type = 'Lock' AND query LIKE '%stock_bucket%'")) {
                            rs.next();
                            if (rs.getInt(1) > 0) {
                                break;
                            }
                        }
                        Thread.sleep(10);
                    }
                }
                st.executeUpdate(bucket + "0");
                rival.commit();
                Object outcome = store.get(1, TimeUnit.MINUTES);
                assertThat(outcome).isInstanceOfSatisfying(ConflictException.class,
                        e -> assertThat(e.sqlState()).isEqualTo("40P01"));
            }
            assertThat(unitsLeft(show)).isEqualTo(8); // the rival, the survivor, took one from each bucket
        }
    }

    @Test
    void onACallersDataSourceEachTransactionSetsItsIsolationAndLeavesTheSessionAlone() throws Exception {
        HikariConfig config = new HikariConfig();
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        config.setJdbcUrl(e.jdbcUrl());
        config.setUsername(e.user());
        config.setPassword(e.password());
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            try (PostgresStore rr = PostgresStore.builder().dataSource(pool).schema(SCHEMA)
                    .isolation(PostgresIsolation.REPEATABLE_READ).build()) {
                EventId show = gaEvent(rr, 10, 1);
                // The pool's sessions are READ COMMITTED, where this race would just wait and succeed.
                assertThat(loseAWriteRace(rr, show).sqlState()).isEqualTo("40001");
                assertThat(unitsLeft(show)).isEqualTo(9);
            }
            // The store is closed; the caller's pool is not, and its sessions are as they were.
            for (int i = 0; i < 2; i++) {
                try (Connection c = pool.getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SHOW transaction_isolation")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("read committed");
                    assertThat(c.getAutoCommit()).isTrue();
                    assertThat(c.isReadOnly()).isFalse();
                }
            }
        }
    }

    @Test
    void aReadOnlyTransactionCannotWrite() {
        List<String> before = StoreDump.of(store);
        assertThatThrownBy(() -> store.inTransaction(TxMode.READ_ONLY, tx -> {
            tx.writes().insertOperation(new OperationRow(OperationKey.of(UUID.randomUUID()), Operation.HOLD,
                    EventId.of("x"), "s", "a", 1, 0));
            return null;
        }))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo("25006");
                    assertThat(e.isTransient()).isFalse();
                });
        assertThat(StoreDump.of(store)).isEqualTo(before);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Two transactions take from the same bucket; the second took its snapshot before the first committed, so under
     * snapshot isolation its write must lose.
     */
    private static ConflictException loseAWriteRace(PostgresStore s, EventId show) throws Exception {
        CountDownLatch snapshotTaken = new CountDownLatch(1);
        CountDownLatch firstCommitted = new CountDownLatch(1);
        CompletableFuture<Object> second = CompletableFuture.supplyAsync(() -> {
            try {
                return s.inTransaction(TxMode.READ_WRITE, tx -> {
                    Reading.read(tx, r -> r.buckets(show, FLOOR)); // the snapshot is taken here
                    snapshotTaken.countDown();
                    await(firstCommitted);
                    tx.writes().takeUnits(show, FLOOR, 0, 1);
                    return null;
                });
            } catch (ConflictException e) {
                return e;
            }
        });
        await(snapshotTaken);
        s.inTransaction(TxMode.READ_WRITE, tx -> {
            tx.writes().takeUnits(show, FLOOR, 0, 1);
            return null;
        });
        firstCommitted.countDown();
        Object outcome = second.get(1, TimeUnit.MINUTES);
        assertThat(outcome).isInstanceOf(ConflictException.class);
        return (ConflictException) outcome;
    }

    private static EventId gaEvent(PostgresStore s, int capacity, int buckets) {
        EventId show = EventId.of("race-" + UUID.randomUUID().toString().substring(0, 8));
        try (TicketingClient client = TicketingClient.builder().store(s).expirySweepInterval(Duration.ZERO).build()) {
            client.createEvent(EventSpec.builder(show).generalAdmission("floor", capacity, buckets, 1_000).build());
        }
        return show;
    }

    private long unitsLeft(EventId show) {
        return store.inTransaction(TxMode.READ_ONLY,
                tx -> Reading.read(tx, r -> r.buckets(show, FLOOR)).stream().mapToLong(b -> b.remaining()).sum());
    }

    private static BuyerId verify(TicketingClient client, EventId show, String name) {
        BuyerId b = BuyerId.of(name);
        client.verifyFan(show, b, URI.create("https://id.example/" + name)).value();
        return b;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(1, TimeUnit.MINUTES)) {
                throw new AssertionError("timed out waiting for the other transaction");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static long count(String query) throws SQLException {
        try (Connection c = PostgresServer.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(String statement) throws SQLException {
        try (Connection c = PostgresServer.connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}

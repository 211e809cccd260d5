package io.dhamana.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.Operation;
import io.dhamana.OperationFailedException;
import io.dhamana.OperationKey;
import io.dhamana.RetriesExhaustedException;
import io.dhamana.RetryPolicy;
import io.dhamana.SectionId;
import io.dhamana.StoreException;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.BackendKiller;
import io.dhamana.testkit.KillSwitchDataSource;
import io.dhamana.testkit.PostgresServer;
import io.dhamana.testkit.RestartablePostgres;
import io.dhamana.testkit.StoreDump;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults on a real PostgreSQL server, under load. In each test many callers run a drop ({@link FaultyDrop}) from two
 * clients while the store is broken for real, and afterwards the committed rows must show that callers either
 * succeeded or got a clear error carrying the key, that repeating failed calls by their keys finished the work,
 * that every acknowledged call is in the rows exactly once (nothing lost, nothing done twice), that refused calls
 * left nothing, and that nothing was oversold.
 * <ul>
 *   <li>backends killed all along: {@code pg_terminate_backend} in the background every 50 to 150 ms and after every
 *       few calls, on one client's pool, while the other client's connections are killed at chosen moments
 *       (before a statement, before COMMIT, right after COMMIT) again and again;
 *   <li>the server restarted mid-drop, twice: cleanly (fast shutdown) or by a crash ({@code SIGKILL} of the
 *       postmaster, then recovery from the write-ahead log), on a server of the test's own;
 *   <li>a pool exhausted by long-held connections: callers get a transient error naming the key within the pool's
 *       timeout, nothing is half-written, and the same calls succeed once connections are free.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresFaultTest {
    private static final int BUYERS = Integer.getInteger("faults.buyers", 300);
    private static final int THREADS = 16;

    private RestartablePostgres restartable;

    @AfterAll
    void stopServer() throws IOException {
        if (restartable != null) {
            restartable.close();
        }
    }

    // ------------------------------------------------------------------ killed connections

    @ParameterizedTest(name = "at {0}")
    @EnumSource(value = PostgresIsolation.class, names = {"SERIALIZABLE", "REPEATABLE_READ"})
    void aDropWithBackendsKilledAllAlongLosesNothingAndDoesNothingTwice(PostgresIsolation isolation)
            throws Exception {
        String schema = "faults_killed_" + isolation.name().toLowerCase(Locale.ROOT);
        PostgresServer.freshSchema(schema);
        long seed = isolation.ordinal();
        BackendKiller killer = BackendKiller.onTestServer(seed, 50, 150).spareCurrentBackends();
        KillSwitchDataSource killSwitch = new KillSwitchDataSource();
        FaultyDrop drop = new FaultyDrop("killed", BUYERS, seed);
        try (PostgresStore pooled = PostgresServer.store(schema, isolation).maxPoolSize(THREADS / 2 + 2).build();
             PostgresStore switched = PostgresStore.builder().dataSource(killSwitch).schema(schema)
                     .isolation(isolation).build();
             TicketingClient east = FaultyDrop.client(pooled, "east", true);
             TicketingClient west = FaultyDrop.client(switched, "west", false)) {
            drop.setUp(east);
            killer.start();
            // Every few decided buyers: one more pooled backend killed, and the switch armed for the next moment.
            Thread driver = new Thread(() -> {
                KillSwitchDataSource.Moment[] moments = KillSwitchDataSource.Moment.values();
                String[] markers = {"INSERT INTO", "UPDATE", ""};
                int step = 0;
                int seen = 0;
                while (!drop.finished()) {
                    int now = drop.decided.get();
                    if (now >= seen + 5) {
                        seen = now;
                        killer.killOne();
                        if (!killSwitch.armed()) {
                            killSwitch.arm(moments[step % moments.length], markers[(step / 3) % markers.length]);
                            step++;
                        }
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            }, "fault-driver");
            driver.setDaemon(true);
            driver.start();
            try {
                drop.run(east, west, THREADS, 200, 20);
            } finally {
                killer.close();
                driver.join(30_000);
            }
            System.out.printf("[faults] killed at %s: %d pooled backends killed (%d at work); the switch killed %d"
                            + " before a statement, %d before COMMIT, %d right after COMMIT%n", isolation,
                    killer.kills(), killer.killsInTransaction(), killSwitch.kills(KillSwitchDataSource.Moment
                            .BEFORE_STATEMENT), killSwitch.kills(KillSwitchDataSource.Moment.BEFORE_COMMIT),
                    killSwitch.kills(KillSwitchDataSource.Moment.AFTER_COMMIT));
            assertThat(killer.kills()).isPositive();
            for (KillSwitchDataSource.Moment m : KillSwitchDataSource.Moment.values()) {
                assertThat(killSwitch.kills(m)).as("kills %s", m).isPositive();
            }
        }
        // Judged through a store of its own: the attacked pools may still hold connections killed at the end.
        try (PostgresStore judge = PostgresServer.store(schema, isolation).maxPoolSize(2).build();
             TicketingClient auditor = FaultyDrop.client(judge, "auditor", false)) {
            drop.verify(judge, auditor, "killed at " + isolation);
        }
    }

    // ------------------------------------------------------------------ restarted server

    enum Restart { CLEAN, CRASH }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Restart.class)
    void aDropSurvivesItsServerRestartingTwice(Restart how) throws Exception {
        if (restartable == null) {
            restartable = RestartablePostgres.start();
        }
        String schema = "faults_restart_" + how.name().toLowerCase(Locale.ROOT);
        FaultyDrop drop = new FaultyDrop("restart", BUYERS, 10 + how.ordinal());
        AtomicInteger restarts = new AtomicInteger();
        try (PostgresStore eastStore = restartableStore(schema, THREADS / 2 + 2);
             PostgresStore westStore = restartableStore(schema, THREADS / 2 + 2);
             TicketingClient east = FaultyDrop.client(eastStore, "east", true);
             TicketingClient west = FaultyDrop.client(westStore, "west", false)) {
            drop.setUp(east);
            // The last tenth of the buyers start only after both restarts, so the drop cannot end before them.
            CountDownLatch restartsDone = new CountDownLatch(1);
            drop.holdBackBuyersFrom(9 * BUYERS / 10, restartsDone);
            Thread driver = new Thread(() -> {
                try {
                    for (int milestone : new int[] {BUYERS / 3, 2 * BUYERS / 3}) {
                        while (!drop.finished() && drop.decided.get() < milestone) {
                            LockSupport.parkNanos(1_000_000);
                        }
                        if (drop.finished()) {
                            return;
                        }
                        if (how == Restart.CLEAN) {
                            restartable.restart();
                        } else {
                            restartable.crashAndRestart();
                        }
                        restarts.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("could not restart the server", e);
                } finally {
                    restartsDone.countDown();
                }
            }, "restarter");
            driver.setDaemon(true);
            driver.start();
            drop.run(east, west, THREADS, 200, 50);
            driver.join(60_000);
            System.out.printf("[faults] %s restarts: %d%n", how, restarts.get());
            assertThat(restarts.get()).isEqualTo(2);
        }
        try (PostgresStore judge = restartableStore(schema, 2);
             TicketingClient auditor = FaultyDrop.client(judge, "auditor", false)) {
            drop.verify(judge, auditor, how + " restarts");
        }
    }

    private PostgresStore restartableStore(String schema, int pool) {
        return PostgresStore.builder().jdbcUrl(restartable.jdbcUrl()).user("postgres").schema(schema)
                .maxPoolSize(pool).build();
    }

    // ------------------------------------------------------------------ exhausted pool

    @Test
    void anExhaustedPoolGivesCallersAClearTransientErrorAndWritesNothing() throws Exception {
        String schema = "faults_pool";
        PostgresServer.freshSchema(schema);
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(e.jdbcUrl());
        config.setUsername(e.user());
        config.setPassword(e.password());
        config.setMaximumPoolSize(2);
        config.setConnectionTimeout(250);
        config.setPoolName("exhausted");
        EventId show = EventId.of("pool-" + UUID.randomUUID().toString().substring(0, 8));
        SectionId floor = SectionId.of("floor");
        BuyerId fan = BuyerId.of("fan");
        ExecutorService pins = Executors.newFixedThreadPool(2);
        try (HikariDataSource pool = new HikariDataSource(config);
             PostgresStore store = PostgresStore.builder().dataSource(pool).schema(schema).build();
             TicketingClient client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                     .build();
             // A second client, whose catalog is cold: its hold must first read the event, and fails there.
             TicketingClient retrying = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                     .retryPolicy(RetryPolicy.builder().retryTransientFailures(true).maxAttempts(3)
                             .backoff(Duration.ofMillis(5), Duration.ofMillis(20)).build()).build()) {
            client.createEvent(EventSpec.builder(show).perBuyerCap(4).generalAdmission("floor", 10, 2, 1_000)
                    .build());
            client.verifyFan(show, fan, URI.create("https://id.example/fan")).value();
            Hold held = client.hold(HoldRequest.units(show, floor, fan, 1)).value();
            List<String> before = StoreDump.of(store);

            // Two long transactions hold both connections of the pool.
            CountDownLatch pinned = new CountDownLatch(2);
            CountDownLatch letGo = new CountDownLatch(1);
            List<Future<?>> holders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                holders.add(pins.submit(() -> store.inTransaction(TxMode.READ_ONLY, tx -> {
                    pinned.countDown();
                    await(letGo);
                    return null;
                })));
            }
            assertThat(pinned.await(30, TimeUnit.SECONDS)).isTrue();

            HoldRequest hold = HoldRequest.units(show, floor, fan, 2).withHoldId(HoldId.of(UUID.randomUUID()));
            OperationFailedException holdFailed = transientFailure(() -> client.hold(hold), Operation.HOLD);
            assertThat(holdFailed.operationKey()).contains(OperationKey.of(hold.holdId().orElseThrow().value()));
            OperationFailedException confirmFailed = transientFailure(() -> client.confirm(held.id()),
                    Operation.CONFIRM);
            assertThat(confirmFailed.operationKey()).isPresent();
            OperationFailedException exhausted = transientFailure(() -> retrying.hold(hold), Operation.HOLD);
            assertThat(exhausted).isInstanceOf(RetriesExhaustedException.class);
            assertThat(exhausted.attempts()).isEqualTo(3);
            assertThat(exhausted.operationKey()).isEqualTo(holdFailed.operationKey());
            assertThat(exhausted.getSuppressed()).hasSize(2);

            letGo.countDown();
            for (Future<?> f : holders) {
                f.get(30, TimeUnit.SECONDS);
            }
            // Nothing was half-written while callers waited for a connection.
            assertThat(StoreDump.of(store)).isEqualTo(before);

            // The same calls, repeated with the same keys, now do the work, once.
            Hold second = client.hold(hold).value();
            assertThat(client.hold(hold).value().id()).isEqualTo(second.id());
            List<Ticket> tickets = client.confirm(held.id()).value();
            assertThat(tickets).hasSize(1);
            var audit = client.audit(show);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.unitsHeldEver()).isEqualTo(3);
            assertThat(audit.soldUnits()).isEqualTo(1);
            assertThat(audit.heldUnits()).isEqualTo(2);
            List<OperationRow> holdsLogged = store.inTransaction(TxMode.READ_ONLY, tx -> {
                List<OperationRow> rows = new ArrayList<>();
                tx.scan(io.dhamana.spi.Table.OPERATIONS, Optional.of(show), op -> {
                    if (op.operation() == Operation.HOLD) {
                        rows.add(op);
                    }
                });
                return rows;
            });
            assertThat(holdsLogged).hasSize(2);
        } finally {
            pins.shutdownNow();
        }
    }

    /** The call fails with a clear, retryable error whose cause is a transient store failure of the pool. */
    private static OperationFailedException transientFailure(ThrowingSupplier<?> call, Operation operation) {
        Throwable thrown = null;
        try {
            call.get();
        } catch (Throwable t) {
            thrown = t;
        }
        assertThat(thrown).isInstanceOf(OperationFailedException.class);
        OperationFailedException failure = (OperationFailedException) thrown;
        assertThat(failure.operation()).isEqualTo(operation);
        assertThat(failure.isRetryable()).isTrue();
        assertThat(failure.getMessage()).contains(operation.label()).contains("request timed out");
        assertThat(failure.getCause()).isInstanceOfSatisfying(StoreException.class,
                s -> assertThat(s.isTransient()).isTrue());
        return failure;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

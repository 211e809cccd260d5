package io.dhamana.postgres;

import io.dhamana.EventId;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.StoreException;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A batched write (a combined hold's log rows and allowance charges go as JDBC batches) on a connection whose backend
 * the server has just terminated fails as a lost connection, which the retry loop treats as transient, and writes
 * nothing. The tests run with assertions enabled, as an application's may: there, pgjdbc before 42.7.13 threw an
 * {@link AssertionError} out of {@code executeBatch} instead of an SQL error, which no caller can classify.
 */
class PostgresKilledBatchTest {
    private static final String SCHEMA = "killed_batch_test";
    private static final EventId EVENT = EventId.of("killed-batch");

    @Test
    void aBatchOnATerminatedBackendIsALostConnectionAndWritesNothing() throws Exception {
        PostgresServer.freshSchema(SCHEMA);
        try (PostgresStore store = PostgresServer.store(SCHEMA, PostgresIsolation.SERIALIZABLE).maxPoolSize(1)
                .build()) {
            List<OperationRow> rows = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                rows.add(new OperationRow(OperationKey.of(UUID.randomUUID()), Operation.HOLD, EVENT, "hold-" + i,
                        "buyer-" + i, 1, 0));
            }

            Throwable thrown = catchThrowable(() -> store.inTransaction(TxMode.READ_WRITE, tx -> {
                tx.operation(rows.get(0).key()); // the transaction is open on its backend now
                terminateTheOpenTransactionsBackend();
                return tx.insertOperations(rows);
            }));

            assertThat(thrown).isInstanceOf(StoreException.class);
            assertThat(((StoreException) thrown).isTransient())
                    .as("a terminated backend is a lost connection: %s", thrown).isTrue();
            // The pool replaces the dead connection; the log has none of the batch's rows.
            long logged = store.inTransaction(TxMode.READ_ONLY, tx -> rows.stream()
                    .filter(r -> tx.operation(r.key()).isPresent()).count());
            assertThat(logged).isZero();
        }
    }

    /** Ends the one SDK backend that is inside a transaction, and waits until the server has let it go. */
    private static void terminateTheOpenTransactionsBackend() {
        try (Connection side = PostgresServer.connect()) {
            int pid;
            try (PreparedStatement ps = side.prepareStatement("SELECT pid FROM pg_stat_activity"
                    + " WHERE application_name = 'dhamana' AND state = 'idle in transaction'"
                    + " AND pid <> pg_backend_pid()");
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("the store's backend, idle in its transaction").isTrue();
                pid = rs.getInt(1);
                assertThat(rs.next()).as("exactly one backend in a transaction").isFalse();
            }
            try (PreparedStatement ps = side.prepareStatement("SELECT pg_terminate_backend(?)")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next() && rs.getBoolean(1)).as("terminated backend %s", pid).isTrue();
                }
            }
            for (int i = 0; i < 500 && backendAlive(side, pid); i++) {
                Thread.sleep(10);
            }
            assertThat(backendAlive(side, pid)).as("backend %s gone", pid).isFalse();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean backendAlive(Connection side, int pid) throws SQLException {
        try (PreparedStatement ps = side.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}

package io.dhamana.postgres;

import io.dhamana.testkit.Reading;
import io.dhamana.EventId;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.StoreException;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.BackendKiller;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.Test;

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
    void aBatchOnATerminatedBackendIsALostConnectionAndWritesNothing() {
        PostgresServer.freshSchema(SCHEMA);
        // Not started: it only kills on demand, and spares every backend older than the store's.
        try (BackendKiller killer = BackendKiller.onTestServer(0, 0, 0).spareCurrentBackends();
             PostgresStore store = PostgresServer.store(SCHEMA, PostgresIsolation.SERIALIZABLE).maxPoolSize(1)
                     .build()) {
            List<OperationRow> rows = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                rows.add(new OperationRow(OperationKey.of(UUID.randomUUID()), Operation.HOLD, EVENT, "hold-" + i,
                        "buyer-" + i, 1, 0));
            }

            Throwable thrown = catchThrowable(() -> store.inTransaction(TxMode.READ_WRITE, tx -> {
                Reading.read(tx, r -> r.operation(rows.get(0).key())); // the transaction is open on its backend
                killer.killTheBackendInTransaction();
                rows.forEach(tx.writes()::insertOperation); // sent with the commit, into the dead backend
                return null;
            }));

            assertThat(thrown).isInstanceOf(StoreException.class);
            assertThat(((StoreException) thrown).isTransient())
                    .as("a terminated backend is a lost connection: %s", thrown).isTrue();
            // The pool replaces the dead connection; the log has none of the batch's rows.
            long logged = store.inTransaction(TxMode.READ_ONLY, tx -> rows.stream()
                    .filter(r -> Reading.read(tx, q -> q.operation(r.key())).isPresent()).count());
            assertThat(logged).isZero();
        }
    }
}

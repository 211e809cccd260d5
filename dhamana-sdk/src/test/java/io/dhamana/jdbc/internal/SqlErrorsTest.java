package io.dhamana.jdbc.internal;

import io.dhamana.ConflictException;
import io.dhamana.DhamanaException;
import io.dhamana.StoreException;
import io.dhamana.spi.Constraint;
import io.dhamana.spi.ConstraintViolationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How failures are sorted into conflicts, constraint violations and transient or permanent store failures. The
 * server produces these SQLSTATEs in the PostgreSQL tests; here each rule is pinned down on its own, including the
 * shapes a real server rarely shows on demand (a conflict wrapped twice, one hidden behind getNextException).
 */
class SqlErrorsTest {

    @ParameterizedTest
    @ValueSource(strings = {"40001", "40P01"})
    void serializationFailuresAndDeadlocksAreConflictsWhereverTheyHide(String state) {
        SQLException root = new SQLException("ERROR: could not serialize access", state);
        assertThat(SqlErrors.classify(root, "commit")).isInstanceOfSatisfying(ConflictException.class,
                c -> assertThat(c.sqlState()).isEqualTo(state));
        RuntimeException wrapped = new RuntimeException("pool", new IllegalStateException("driver", root));
        assertThat(SqlErrors.classify(wrapped, "commit")).isInstanceOf(ConflictException.class);
        BatchUpdateException batch = new BatchUpdateException("batch entry 0 failed", "42000", 0, new int[0]);
        batch.setNextException(root);
        assertThat(SqlErrors.classify(batch, "insert")).isInstanceOf(ConflictException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"08006", "08001", "08003", "57P01", "57P02", "57P03", "53300"})
    void lostConnectionsAndUnavailableServersAreTransient(String state) {
        DhamanaException e = SqlErrors.classify(new SQLException("FATAL: terminating connection", state), "insert");
        assertThat(e).isInstanceOfSatisfying(StoreException.class, s -> {
            assertThat(s.isTransient()).isTrue();
            assertThat(s.sqlState()).isEqualTo(state);
        });
        assertThat(SqlErrors.classify(new SQLException("gone", state), "commit").getMessage())
                .contains("whether the transaction committed is unknown");
    }

    @Test
    void aRefusedLoginIsPermanentEvenWhenAPoolReportsItAsItsOwnTimeout() {
        SQLException login = new SQLException("FATAL: password authentication failed for user \"admin\"", "28P01");
        // HikariCP reports a failed connect as its own timeout, with the driver's state and failure as the cause.
        SQLTransientConnectionException pooled = new SQLTransientConnectionException(
                "pool - Connection is not available, request timed out after 10000ms", "28P01", login);
        for (SQLException e : List.of(login, pooled)) {
            assertThat(SqlErrors.isTransientFailure(e)).isFalse();
            assertThat(SqlErrors.classify(e, "get a connection")).isInstanceOfSatisfying(StoreException.class, s -> {
                assertThat(s.isTransient()).isFalse();
                assertThat(s.sqlState()).isEqualTo("28P01");
                assertThat(s.getMessage()).contains("refused the login");
            });
        }
        assertThat(SqlErrors.isTransientFailure(new SQLTransientConnectionException("request timed out"))).isTrue();
    }

    @Test
    void aPoolThatTimesOutIsTransient() {
        assertThat(SqlErrors.classify(new SQLTransientConnectionException("Connection is not available"),
                "get a connection")).isInstanceOfSatisfying(StoreException.class,
                s -> assertThat(s.isTransient()).isTrue());
    }

    @Test
    void knownConstraintsMapToTheirNamesAndOthersArePermanent() {
        SQLException check = new SQLException("ERROR: new row for relation \"listing\" violates check constraint "
                + "\"listing_ask_within_cap\"\n  Detail: Failing row contains (secret-code)", "23514");
        assertThat(SqlErrors.classify(check, "insert listing")).isInstanceOfSatisfying(
                ConstraintViolationException.class, c -> {
                    assertThat(c.constraint()).isEqualTo(Constraint.ASK_WITHIN_CAP);
                    assertThat(c.getMessage()).doesNotContain("secret-code");
                });
        SQLException unique = new SQLException("ERROR: duplicate key value violates unique constraint "
                + "\"ticket_one_live_per_seat\"", "23505");
        assertThat(SqlErrors.classify(unique, "insert tickets")).isInstanceOfSatisfying(
                ConstraintViolationException.class, c -> assertThat(c.constraint())
                        .isEqualTo(Constraint.ONE_TICKET_PER_SEAT));
        SQLException other = new SQLException("ERROR: duplicate key value violates unique constraint "
                + "\"money_entry_pkey\"", "23505");
        assertThat(SqlErrors.classify(other, "insert money")).isInstanceOfSatisfying(StoreException.class, s -> {
            assertThat(s.isTransient()).isFalse();
            assertThat(s.getMessage()).contains("money_entry_pkey").contains("23505");
        });
    }

    @Test
    void everythingElseIsPermanentAndSaysWhatFailedWithoutRowDetail() {
        SQLException e = new SQLException("ERROR: permission denied for table hold\n  Detail: row (A-1, CODE123)",
                "42501");
        assertThat(SqlErrors.classify(e, "insert hold")).isInstanceOfSatisfying(StoreException.class, s -> {
            assertThat(s.isTransient()).isFalse();
            assertThat(s.sqlState()).isEqualTo("42501");
            assertThat(s.getMessage()).isEqualTo("insert hold failed (SQLSTATE 42501): ERROR: permission denied for "
                    + "table hold");
        });
        assertThat(SqlErrors.classify(new IllegalStateException("no state"), "begin"))
                .isInstanceOfSatisfying(StoreException.class, s -> assertThat(s.sqlState()).isNull());
    }
}

package io.dhamana.dsql;

import io.dhamana.ConflictException;
import io.dhamana.DhamanaException;
import io.dhamana.StoreException;
import io.dhamana.jdbc.internal.SqlErrors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How Aurora DSQL's failures are classified, with the messages DSQL sends (old and current wordings, as AWS
 * documents them and as a cluster has sent them). The SQLSTATE decides: 40001 is a conflict the client retries, whatever the OCC label says;
 * 54000 and 0A000 are permanent and say why, since repeating the same work fails the same way.
 */
class DsqlErrorsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "ERROR: change conflicts with another transaction (OC000)",
            "ERROR: mutation conflicts with another transaction, retry as needed (OC000)",
            "ERROR: schema has been updated by another transaction (OC001)",
            "ERROR: schema has been updated by another transaction, please retry: (OC001)",
            "ERROR: some future wording without a label"})
    void every40001IsAConflictAndTheLabelOnlyNamesTheCause(String message) {
        DhamanaException e = SqlErrors.classify(new SQLException(message, "40001"), "commit");
        assertThat(e).isInstanceOfSatisfying(ConflictException.class, c -> {
            assertThat(c.sqlState()).isEqualTo("40001");
            assertThat(c.isRetryable()).isTrue();
        });
        if (message.contains("OC000")) {
            assertThat(e.getMessage()).contains("OC000: a concurrent transaction committed a write to the same row");
        } else if (message.contains("OC001")) {
            assertThat(e.getMessage()).contains("OC001: the schema changed");
        }
        // Wrapped by a pool or framework, it is still a conflict.
        assertThat(SqlErrors.classify(new RuntimeException("pool", new SQLException(message, "40001")), "commit"))
                .isInstanceOf(ConflictException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"OC000", "OC001"})
    void anOccLabelReportedAsTheSqlstateIsAConflictToo(String state) {
        assertThat(SqlErrors.classify(new SQLException("ERROR: conflict", state), "update"))
                .isInstanceOf(ConflictException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ERROR: transaction row limit exceeded|Aurora DSQL allows 3,000 modified rows per transaction",
            "ERROR: transaction size limit 10mb exceeded|Aurora DSQL allows 10 MiB of modified data per transaction",
            "ERROR: transaction age limit of 300s exceeded|Aurora DSQL allows a transaction 5 minutes",
            "ERROR: maximum row size exceeded|2 MiB per row",
            "ERROR: key size too large|1 KiB per primary key",
            "ERROR: stack depth limit exceeded|a limit of the database was exceeded"})
    void limitsArePermanentAndSayWhichLimit(String message, String explanation) {
        DhamanaException e = SqlErrors.classify(new SQLException(message, "54000"), "insert seats");
        assertThat(e).isInstanceOfSatisfying(StoreException.class, s -> {
            assertThat(s.isTransient()).isFalse();
            assertThat(s.isRetryable()).isFalse();
            assertThat(s.sqlState()).isEqualTo("54000");
        });
        assertThat(e.getMessage()).startsWith("insert seats exceeded a database limit (SQLSTATE 54000): ")
                .contains(explanation).contains("not retried");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ERROR: ddl and dml are not supported in the same transaction|one DDL statement per transaction",
            "ERROR: multiple ddl statements not supported in a transaction|one DDL statement per transaction",
            "ERROR: unsupported mode. please use CREATE INDEX ASYNC.|CREATE INDEX ASYNC",
            "ERROR: setting configuration parameter \"TRANSACTION\" not supported|TRANSACTION"})
    void unsupportedStatementsArePermanentAndSayWhat(String message, String hint) {
        DhamanaException e = SqlErrors.classify(new SQLException(message, "0A000"), "begin");
        assertThat(e).isInstanceOfSatisfying(StoreException.class, s -> assertThat(s.isTransient()).isFalse());
        assertThat(e.getMessage()).contains("SQLSTATE 0A000").contains(hint).contains("not retried");
    }
}

package io.dhamana.postgres;

import io.dhamana.InvalidRequestException;
import io.dhamana.SchemaMode;
import io.dhamana.StoreException;
import io.dhamana.dsql.DsqlStore;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The schema as files an adopter can own, and what a validating store says when it is not what it needs. */
class SchemaOwnershipTest {

    @Test
    void theShippedScriptsAreTheStatementsTheStoresRun() throws Exception {
        assertThat(PostgresFlywayContractTest.shippedScript("postgresql.sql"))
                .isEqualTo(PostgresStore.schemaSql("dhamana"));
        assertThat(PostgresFlywayContractTest.shippedScript("dsql.sql")).isEqualTo(DsqlStore.schemaSql("dhamana"));
        assertThat(PostgresStore.schemaSql("box_office")).contains("CREATE TABLE IF NOT EXISTS box_office.hold (")
                .doesNotContain("dhamana.").endsWith("ON CONFLICT (version) DO NOTHING;\n");
        assertThat(DsqlStore.schemaSql("dhamana")).contains("CREATE INDEX ASYNC").doesNotContain("fillfactor");
        assertThatThrownBy(() -> PostgresStore.schemaSql("Bad-Name")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aValidatingStoreNamesAMissingSchemaAndCreatesNothing() throws SQLException {
        String schema = "owned_missing";
        PostgresServer.freshSchema(schema);
        assertThatThrownBy(() -> PostgresServer.store(schema, PostgresIsolation.SERIALIZABLE)
                .schemaMode(SchemaMode.VALIDATE).build())
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("schema owned_missing is not installed")
                .hasMessageContaining("PostgresStore.schemaSql(\"owned_missing\")")
                .hasMessageContaining("SchemaMode.CREATE");
        assertThat(schemaExists(schema)).isFalse();
    }

    @Test
    void aValidatingStoreNamesAnOlderSchema() throws SQLException {
        String schema = "owned_older";
        PostgresServer.freshSchema(schema);
        try (Connection c = PostgresServer.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".schema_version (version integer PRIMARY KEY,"
                    + " installed_at timestamptz NOT NULL)");
            st.execute("INSERT INTO " + schema + ".schema_version VALUES (0, now())");
        }
        assertThatThrownBy(() -> PostgresServer.store(schema, PostgresIsolation.SERIALIZABLE)
                .schemaMode(SchemaMode.VALIDATE).build())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema owned_older is at version 0, older than the version 1 this SDK needs");
    }

    @Test
    void leavingTheSchemaAloneBuildsWithoutLookingAndFailsOnFirstUse() {
        String schema = "owned_none";
        PostgresServer.freshSchema(schema);
        try (PostgresStore store = PostgresServer.store(schema, PostgresIsolation.SERIALIZABLE)
                .schemaMode(SchemaMode.NONE).maxPoolSize(1).build()) {
            assertThat(schemaExists(schema)).isFalse();
            assertThatThrownBy(() -> io.dhamana.TicketingClient.builder().store(store).build()
                    .event(io.dhamana.EventId.of("any"))).isInstanceOf(io.dhamana.DhamanaException.class);
        }
    }

    private static boolean schemaExists(String schema) {
        try (Connection c = PostgresServer.connect(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")) {
            rs.next();
            return rs.getInt(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.dhamana.postgres;

import io.dhamana.SchemaMode;
import io.dhamana.contract.TicketStoreContract;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A schema the adopter owns: the SQL the SDK ships, applied by Flyway to an empty database as a migration tool
 * would, then a store that only validates it, passing the whole store contract. Its own database, since the shipped
 * script is for the default schema {@code dhamana}.
 */
class PostgresFlywayContractTest extends TicketStoreContract {
    private static final String DATABASE = "dhamana_flyway";
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private PostgresStore store;
    private MigrateResult migrated;

    @BeforeAll
    void migrateWithFlywayThenOpenAValidatingStore() throws Exception {
        PostgresServer.Endpoint server = PostgresServer.endpoint();
        try (Connection c = PostgresServer.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + DATABASE);
        }
        String url = server.jdbcUrl().replaceFirst("/[^/?]*(\\?|$)", "/" + DATABASE + "$1");
        Path migrations = Files.createTempDirectory("dhamana-migrations");
        Files.writeString(migrations.resolve("V1__dhamana_schema.sql"), shippedScript("postgresql.sql"));
        migrated = Flyway.configure().dataSource(url, server.user(), server.password())
                .locations("filesystem:" + migrations).load().migrate();
        store = PostgresStore.builder().jdbcUrl(url).user(server.user()).password(server.password())
                .schemaMode(SchemaMode.VALIDATE).meterRegistry(registry).maxPoolSize(8).build();
    }

    static String shippedScript(String name) throws IOException {
        String resource = "META-INF/dhamana/schema/" + name;
        try (InputStream in = PostgresStore.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource + " in the SDK jar").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void flywayAppliedTheShippedScriptAndThePoolReportsToTheRegistry() {
        assertThat(migrated.success).isTrue();
        assertThat(migrated.migrationsExecuted).isEqualTo(1);
        assertThat(store.description()).contains("schema dhamana");
        assertThat(registry.find("hikaricp.connections.max").gauge()).isNotNull();
        assertThat(registry.get("hikaricp.connections.max").gauge().value()).isEqualTo(8);
        assertThat(registry.get("hikaricp.connections.max").gauge().getId().getTag("pool"))
                .startsWith("dhamana-postgres-");
    }

    @Override
    protected TicketStore store() {
        return store;
    }

    @Override
    protected void passStoreTime(Duration duration) {
        waitForServerClock(duration);
    }

    @AfterAll
    void closeStore() throws SQLException {
        store.close();
        try (Connection c = PostgresServer.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }
}

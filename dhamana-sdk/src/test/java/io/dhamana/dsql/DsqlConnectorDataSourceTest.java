package io.dhamana.dsql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.dsql.jdbc.AuroraDsqlCredentialsManager;
import software.amazon.dsql.jdbc.DSQLConnector;

import java.net.URI;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store takes a pool the caller built over AWS's Aurora DSQL JDBC connector ({@code jdbc:aws-dsql:postgresql://},
 * driver {@code software.amazon.dsql.jdbc.DSQLConnector}, version 1.0.0, the one Maven Central serves here), which
 * makes the IAM tokens itself. The connector is pointed at the test server: it signs a token with static test
 * credentials and hands it to pgjdbc as the password, which a server that trusts local connections ignores.
 */
class DsqlConnectorDataSourceTest {
    private static final Pattern LOCAL = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/(\\w+)");

    @Test
    void aPoolOverAwssConnectorBacksTheStore() throws SQLException {
        PostgresServer.Endpoint pg = PostgresServer.endpoint();
        Matcher m = LOCAL.matcher(pg.jdbcUrl());
        Assumptions.assumeTrue(pg.password().isEmpty() && m.lookingAt(), "AWS's connector sends an IAM token as the"
                + " password, so this test needs a test server that trusts local connections (the embedded one"
                + " does): unset DHAMANA_TEST_JDBC_URL, or point it at a trust-authenticated server");
        DsqlStandIn.CountingCredentials credentials = new DsqlStandIn.CountingCredentials(false);
        AuroraDsqlCredentialsManager.setProvider(credentials);
        String schema = "dsql_connector";
        PostgresServer.freshSchema(schema);
        String url = "jdbc:aws-dsql:postgresql://" + m.group(1) + ":" + m.group(2) + "/" + m.group(3);
        Properties properties = new Properties();
        properties.setProperty("user", pg.user());
        properties.setProperty("region", DsqlStandIn.EAST); // the host is not a DSQL name to read it from
        // Stand-in only: REPEATABLE READ from the startup packet, as DSQL's fixed level; no SET is ever sent.
        properties.setProperty("options", "-c default_transaction_isolation=repeatable\\ read");
        Driver connector = new DSQLConnector();
        assertThat(connector.acceptsURL(url)).isTrue();
        // The connector opens every connection (and signs its token); the conformance wrapper holds what is sent
        // to DSQL's rules and builds CREATE INDEX ASYNC on the stand-in.
        DsqlConformance conformance = new DsqlConformance();
        HikariConfig config = new HikariConfig();
        config.setPoolName("aws-connector");
        config.setDataSource(DsqlStandIn.dataSource(() -> conformance.wrap(connector.connect(url, properties),
                DsqlStandIn.EAST)));
        config.setMaximumPoolSize(4);
        try (HikariDataSource pool = new HikariDataSource(config);
             DsqlStore store = DsqlStore.builder().dataSource(DsqlStandIn.EAST, pool).schema(schema).build();
             TicketingClient client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                     .build()) {
            assertThat(store.description()).contains("us-east-1 (caller's data source)");
            EventId event = EventId.of("connector-" + UUID.randomUUID().toString().substring(0, 8));
            client.createEvent(EventSpec.builder(event).perBuyerCap(2).generalAdmission("floor", 10, 2, 1_000)
                    .build());
            BuyerId fan = BuyerId.of("fan");
            client.verifyFan(event, fan, URI.create("https://id.example/fan")).value();
            Hold hold = client.hold(HoldRequest.units(event, SectionId.of("floor"), fan, 2)).value();
            client.confirm(hold.id()).value();
            AuditReport audit = client.audit(event);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.soldUnits()).isEqualTo(2);
            assertThat(credentials.resolved.get()).as("tokens the connector signed").isPositive();
            assertThat(pool.isClosed()).isFalse();
            assertThat(conformance.violations()).isEmpty();
        } finally {
            AuroraDsqlCredentialsManager.resetProvider();
        }
    }
}

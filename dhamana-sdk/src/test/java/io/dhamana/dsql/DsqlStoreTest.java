package io.dhamana.dsql;

import com.zaxxer.hikari.HikariDataSource;
import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.InvalidRequestException;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.StoreException;
import io.dhamana.TicketingClient;
import io.dhamana.jdbc.internal.SchemaDdl;
import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.PostgresServer;
import io.dhamana.testkit.Together;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DSQL store beyond the shared contract: its builder, how it installs the schema under DSQL's DDL rules (also
 * with several installers at once), the connections it makes (TLS, tokens, pool lifetime), that tokens never leak,
 * and how it routes between Regions. On PostgreSQL standing in for a two-Region cluster ({@link DsqlStandIn}).
 */
class DsqlStoreTest {
    private static final SectionId FLOOR = SectionId.of("floor");

    private static EventId newEvent(String prefix) {
        return EventId.of(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Waits until every pool the store built holds its minimum of connections, so none is being added. */
    private static void awaitPoolsFilled(DsqlStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (javax.sql.DataSource ds : store.pools()) {
            HikariDataSource pool = (HikariDataSource) ds;
            while (pool.getHikariPoolMXBean().getTotalConnections() < pool.getMinimumIdle()) {
                assertThat(System.nanoTime()).as("pool %s still filling", pool.getPoolName()).isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    /** Creates an event, verifies a fan, holds and confirms: a small lifecycle on {@code store}. */
    private static AuditReport smallDrop(TicketStore store) {
        try (TicketingClient client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                .build()) {
            EventId e = newEvent("small");
            client.createEvent(EventSpec.builder(e).perBuyerCap(2).generalAdmission("floor", 10, 2, 1_000)
                    .reservedSeating("balcony", SeatMap.grid(1, 3), 2_000).build());
            BuyerId fan = BuyerId.of("fan");
            client.verifyFan(e, fan, URI.create("https://id.example/fan")).value();
            Hold hold = client.hold(HoldRequest.units(e, FLOOR, fan, 2)).value();
            client.confirm(hold.id()).value();
            AuditReport audit = client.audit(e);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.soldUnits()).isEqualTo(2);
            return audit;
        }
    }

    // ------------------------------------------------------------------ builder

    @Test
    void theBuilderRefusesWhatCannotWork() {
        assertThatThrownBy(() -> DsqlStore.builder().build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("endpoint");
        assertThatThrownBy(() -> DsqlStore.builder().endpoint("https://abc.dsql.us-east-1.on.aws", "us-east-1"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("host name");
        assertThatThrownBy(() -> DsqlStore.builder().endpoint("abc.dsql.us-east-1.on.aws:5432", "us-east-1"))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> DsqlStore.builder().endpoint("abc.dsql.us-east-1.on.aws", "us-east-2"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("us-east-1");
        assertThatThrownBy(() -> DsqlStore.builder().endpoint("abc.dsql.us-east-1.on.aws", "US East"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Region name");
        assertThatThrownBy(() -> DsqlStore.builder().endpoint("abc.dsql.us-east-1.on.aws", "us-east-1")
                .endpoint("def.dsql.us-east-1.on.aws", "us-east-1")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("one per Region");
        assertThatThrownBy(() -> DsqlStore.builder().endpoint("abc.dsql.us-east-1.on.aws", "us-east-1")
                .routing(DsqlRouting.home("eu-west-1")).build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("eu-west-1 has no endpoint");
        HikariDataSource unused = new HikariDataSource();
        try {
            assertThatThrownBy(() -> DsqlStore.builder().endpoint("abc.dsql.us-east-1.on.aws", "us-east-1")
                    .dataSource("us-east-2", unused).build()).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("must not be combined");
            assertThatThrownBy(() -> DsqlStore.builder().dataSource("us-east-1", unused).user("admin").build())
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("configure your DataSource");
        } finally {
            unused.close();
        }
        assertThatThrownBy(() -> DsqlStore.builder().tokenExpiry(Duration.ofDays(8)))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> DsqlStore.builder().schema("Dhamana; DROP")).isInstanceOf(
                InvalidRequestException.class);
        assertThat(DsqlRouting.home("us-east-1")).isEqualTo(DsqlRouting.home("us-east-1"))
                .hasToString("home us-east-1");
        assertThat(DsqlRouting.spread().isSpread()).isTrue();
    }

    // ------------------------------------------------------------------ schema

    @Test
    void installationRunsOneDdlStatementPerTransactionWaitsForEveryIndexAndWritesTheVersionLast() throws Exception {
        String schema = "dsql_install";
        PostgresServer.freshSchema(schema);
        DsqlConformance c = new DsqlConformance();
        try (DsqlStore store = DsqlStandIn.builder(schema, c).maxPoolSize(1).build()) {
            assertThat(store.keyStrategy()).isEqualTo(KeyStrategy.RANDOM);
            List<DsqlConformance.Tx> log = c.transactions();
            assertThat(c.violations()).isEmpty();
            List<DsqlConformance.Tx> ddl = log.stream().filter(t -> t.ddl > 0).toList();
            assertThat(ddl).hasSize(1 + SchemaDdl.TABLES.size() + SchemaDdl.INDEXES.size())
                    .allSatisfy(t -> {
                        assertThat(t.statements).hasSize(1);
                        assertThat(t.committed).isTrue();
                    });
            List<String> statements = log.stream().flatMap(t -> t.statements.stream()).toList();
            assertThat(statements.stream().filter(s -> s.contains(" INDEX "))).hasSize(SchemaDdl.INDEXES.size())
                    .allMatch(s -> s.contains(" INDEX ASYNC IF NOT EXISTS "));
            assertThat(statements.stream().filter(s -> s.startsWith("CALL sys.wait_for_job('")))
                    .hasSize(SchemaDdl.INDEXES.size());
            int version = indexOf(log, "schema_version (version");
            assertThat(log.get(version).statements).hasSize(1);
            assertThat(log.get(version).ddl).isZero();
            assertThat(version).isGreaterThan(lastIndexOf(log, "wait_for_job"));
            assertValidIndexes(schema);
        }
        // Installed: the next store recognises the version row and runs no DDL at all.
        DsqlConformance again = new DsqlConformance();
        try (DsqlStore store = DsqlStandIn.builder(schema, again).maxPoolSize(1).installSchema(false).build()) {
            assertThat(again.transactions()).noneMatch(t -> t.ddl > 0);
            smallDrop(store);
        }
    }

    private static int indexOf(List<DsqlConformance.Tx> log, String fragment) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).statements.stream().anyMatch(s -> s.contains(fragment))) {
                return i;
            }
        }
        throw new AssertionError("no statement with " + fragment);
    }

    private static int lastIndexOf(List<DsqlConformance.Tx> log, String fragment) {
        int last = -1;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).statements.stream().anyMatch(s -> s.contains(fragment))) {
                last = i;
            }
        }
        return last;
    }

    private static void assertValidIndexes(String schema) throws SQLException {
        try (Connection c = PostgresServer.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE i.indisvalid), count(*)"
                     + " FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
                     + " JOIN pg_namespace n ON n.oid = x.relnamespace"
                     + " WHERE n.nspname = '" + schema + "' AND NOT i.indisprimary")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(SchemaDdl.INDEXES.size());
            assertThat(rs.getInt(2)).isEqualTo(SchemaDdl.INDEXES.size());
        }
    }

    /** No advisory locks on DSQL: installers run side by side, and all of them must end with one complete schema. */
    @Test
    void concurrentInstallersAllSucceedAndInstallOnce() throws Exception {
        String schema = "dsql_install_race";
        PostgresServer.freshSchema(schema);
        DsqlConformance c = new DsqlConformance();
        List<DsqlStore> stores = Collections.synchronizedList(new ArrayList<>());
        List<Callable<Void>> installers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            installers.add(() -> {
                stores.add(DsqlStandIn.builder(schema, c).maxPoolSize(1).build());
                return null;
            });
        }
        try {
            Together.run(installers, installers.size());
            assertThat(stores).hasSize(4);
            assertThat(c.violations()).isEmpty();
            try (Connection conn = PostgresServer.connect(); Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            assertValidIndexes(schema);
            smallDrop(stores.get(3));
        } finally {
            stores.forEach(DsqlStore::close);
        }
    }

    @Test
    void aMissingSchemaIsAPermanentFailureWhenInstallingIsNotAllowed() {
        String schema = "dsql_missing";
        PostgresServer.freshSchema(schema);
        assertThatThrownBy(() -> DsqlStandIn.builder(schema, new DsqlConformance()).maxPoolSize(1)
                .installSchema(false).build()).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.isTransient()).isFalse()).hasMessageContaining("not installed");
    }

    // ------------------------------------------------------------------ connections and tokens

    @Test
    void everyPhysicalConnectionOpensWithANewTokenOverVerifiedTls() throws Exception {
        String schema = "dsql_tokens";
        PostgresServer.freshSchema(schema);
        DsqlConformance c = new DsqlConformance();
        Queue<DsqlStandIn.Connect> connects = new ConcurrentLinkedQueue<>();
        // Each resolution hands out another access key id, so a token made twice can never look the same.
        DsqlStandIn.CountingCredentials rotating = new DsqlStandIn.CountingCredentials(true);
        try (DsqlStore store = DsqlStandIn.builder(schema, c, connects).credentialsProvider(rotating)
                .maxPoolSize(2).build()) {
            smallDrop(store);
            // A connection still being added when the pools are evicted would join them afterwards, unevicted.
            awaitPoolsFilled(store);
            int before = connects.size();
            store.evictConnections();
            smallDrop(store); // every connection it borrows must be new
            List<DsqlStandIn.Connect> seen = List.copyOf(connects);
            assertThat(seen.size()).isGreaterThan(before);
            assertThat(seen.stream().map(DsqlStandIn.Connect::token)).doesNotHaveDuplicates();
            assertThat(rotating.resolved.get()).isGreaterThanOrEqualTo(seen.size());
            for (DsqlStandIn.Connect connect : seen) {
                String host = connect.url().substring("jdbc:postgresql://".length(), connect.url().indexOf(":5432"));
                assertThat(host).isIn(DsqlStandIn.EAST_HOST, DsqlStandIn.WEST_HOST);
                assertThat(connect.url()).endsWith(":5432/postgres");
                DsqlTokensTest.Token token = DsqlTokensTest.Token.parse(connect.token());
                assertThat(token.host()).isEqualTo(host);
                assertThat(token.query()).containsEntry("Action", "DbConnectAdmin");
                assertThat(token.scope()[2]).isEqualTo(host.contains("us-east-1") ? "us-east-1" : "us-east-2");
                assertThat(DsqlTokensTest.signatureValid(token, DsqlStandIn.SECRET_KEY)).isTrue();
                assertThat(connect.properties()).containsEntry("user", "admin")
                        .containsEntry("sslmode", "verify-full")
                        .containsEntry("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory")
                        .containsEntry("sslNegotiation", "direct")
                        .containsEntry("logServerErrorDetail", "false")
                        .containsEntry("assumeMinServerVersion", "16") // no SET application_name at connect
                        .doesNotContainKey("options");
            }
            for (javax.sql.DataSource ds : store.pools()) {
                HikariDataSource pool = (HikariDataSource) ds;
                assertThat(Duration.ofMillis(pool.getMaxLifetime())).isLessThan(Duration.ofMinutes(60))
                        .isGreaterThanOrEqualTo(Duration.ofMinutes(50));
                assertThat(pool.getTransactionIsolation()).isNull();
                assertThat(pool.getConnectionInitSql()).isNull();
                assertThat(pool.isReadOnly()).isFalse();
            }
            assertThat(c.violations()).isEmpty();
            assertThat(c.isolations()).containsOnly("repeatable read");
        }
    }

    @Test
    void aCustomRoleGetsPlainDbConnectTokens() {
        String schema = "dsql_role";
        PostgresServer.freshSchema(schema);
        Queue<DsqlStandIn.Connect> connects = new ConcurrentLinkedQueue<>();
        try (DsqlStore store = DsqlStandIn.builder(schema, new DsqlConformance(), connects).user("dhamana_app")
                .maxPoolSize(1).build()) {
            smallDrop(store);
        }
        assertThat(connects).isNotEmpty().allSatisfy(connect -> {
            assertThat(connect.properties()).containsEntry("user", "dhamana_app");
            assertThat(DsqlTokensTest.Token.parse(connect.token()).query()).containsEntry("Action", "DbConnect");
        });
    }

    @Test
    void tokensAndSecretsNeverReachLogsDescriptionsOrExceptionMessages() {
        String schema = "dsql_secrets";
        PostgresServer.freshSchema(schema);
        Queue<DsqlStandIn.Connect> connects = new ConcurrentLinkedQueue<>();
        List<String> texts = new ArrayList<>();
        String output = capturingOutput(() -> {
            try (DsqlStore store = DsqlStandIn.builder(schema, new DsqlConformance(), connects).maxPoolSize(1)
                    .build()) {
                smallDrop(store);
                texts.add(store.description());
                texts.add(store.toString());
                texts.add(store.pinnedTo(DsqlStandIn.WEST).description());
            }
            // A server that refuses the login: the token went out with the attempt, and must not come back.
            ConnectionOpener refusing = (url, properties) -> {
                connects.add(new DsqlStandIn.Connect(url, properties));
                throw new SQLException("FATAL: password authentication failed for user \"admin\"", "28P01");
            };
            Throwable refused = catching(() -> DsqlStandIn.builder(schema, new DsqlConformance(), connects)
                    .connectionOpener(refusing).connectionTimeout(Duration.ofMillis(250)).maxPoolSize(1).build());
            assertThat(refused).isInstanceOf(StoreException.class);
            texts.addAll(messages(refused));
            // No credentials at all: the token cannot be made, and the message says so without the secret.
            AwsCredentialsProvider none = () -> {
                throw SdkClientException.create("Unable to load credentials from any provider in the chain");
            };
            Throwable noCredentials = catching(() -> DsqlStandIn.builder(schema, new DsqlConformance(), connects)
                    .credentialsProvider(none).connectionTimeout(Duration.ofMillis(250)).maxPoolSize(1).build());
            assertThat(messages(noCredentials)).anyMatch(m -> m.contains("could not make an IAM auth token"));
            texts.addAll(messages(noCredentials));
        });
        texts.add(output);
        assertThat(connects).isNotEmpty();
        String all = String.join("\n", texts);
        assertThat(all).contains(DsqlStandIn.EAST_HOST).doesNotContain(DsqlStandIn.SECRET_KEY)
                .doesNotContain("X-Amz-Signature").doesNotContain("X-Amz-Credential");
        for (DsqlStandIn.Connect connect : connects) {
            assertThat(all).doesNotContain(connect.token());
        }
    }

    private static Throwable catching(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    /** The messages of a failure, its causes and everything suppressed along the way. */
    private static List<String> messages(Throwable failure) {
        List<String> out = new ArrayList<>();
        List<Throwable> todo = new ArrayList<>(List.of(failure));
        while (!todo.isEmpty() && out.size() < 100) {
            Throwable t = todo.remove(0);
            out.add(String.valueOf(t));
            if (t.getCause() != null && t.getCause() != t) {
                todo.add(t.getCause());
            }
            todo.addAll(List.of(t.getSuppressed()));
            if (t instanceof SQLException s && s.getNextException() != null) {
                todo.add(s.getNextException());
            }
        }
        return out;
    }

    /** Runs {@code r} while copying everything written to standard output and error (where the logs go). */
    private static String capturingOutput(Runnable r) {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(new PrintStream(tee(out, copy), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(tee(err, copy), true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return copy.toString(StandardCharsets.UTF_8);
    }

    private static OutputStream tee(OutputStream a, OutputStream b) {
        return new OutputStream() {
            @Override
            public synchronized void write(int x) throws java.io.IOException {
                b.write(x);
                a.write(x);
            }

            @Override
            public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
                b.write(bytes, off, len);
                a.write(bytes, off, len);
            }
        };
    }

    // ------------------------------------------------------------------ routing

    @Test
    void whenTheHomeRegionHandsOutNoConnectionTransactionsStartInTheOther() {
        String schema = "dsql_failover";
        PostgresServer.freshSchema(schema);
        DsqlConformance c = new DsqlConformance();
        ConnectionOpener standIn = DsqlStandIn.opener(c, new ConcurrentLinkedQueue<>());
        AtomicBoolean eastDown = new AtomicBoolean(true);
        ConnectionOpener eastUnreachable = (url, properties) -> {
            if (url.contains(DsqlStandIn.EAST_HOST) && eastDown.get()) {
                throw new SQLException("Connection to " + DsqlStandIn.EAST_HOST + ":5432 refused", "08001");
            }
            return standIn.open(url, properties);
        };
        try (DsqlStore store = DsqlStandIn.builder(schema, c).connectionOpener(eastUnreachable)
                .routing(DsqlRouting.home(DsqlStandIn.EAST)).connectionTimeout(Duration.ofMillis(500))
                .maxPoolSize(2).build()) {
            smallDrop(store);
            assertThat(c.transactions()).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.region).isEqualTo(DsqlStandIn.WEST));
            assertThat(c.connectionsPerRegion()).doesNotContainKey(DsqlStandIn.EAST);
            // Pinned to the unreachable Region, there is nowhere else to go: a transient failure for the caller.
            assertThatThrownBy(() -> store.pinnedTo(DsqlStandIn.EAST).inTransaction(
                    io.dhamana.spi.TxMode.READ_ONLY, tx -> tx.now())).isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e.isTransient()).isTrue());
        }
    }

    @Test
    void aPinnedViewRunsInItsRegionOnlyAndClosingItLeavesTheStoreOpen() {
        String schema = "dsql_pinned";
        PostgresServer.freshSchema(schema);
        DsqlConformance c = new DsqlConformance();
        try (DsqlStore store = DsqlStandIn.builder(schema, c).routing(DsqlRouting.spread()).maxPoolSize(2)
                .build()) {
            assertThat(store.regions()).containsExactly(DsqlStandIn.EAST, DsqlStandIn.WEST);
            TicketStore west = store.pinnedTo(DsqlStandIn.WEST);
            assertThat(west.description()).contains("endpoint us-east-2 (" + DsqlStandIn.WEST_HOST + ")")
                    .doesNotContain(DsqlStandIn.EAST_HOST);
            c.clearLog();
            smallDrop(west);
            assertThat(c.transactions()).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.region).isEqualTo(DsqlStandIn.WEST));
            west.close();
            smallDrop(store);
            assertThatThrownBy(() -> store.pinnedTo("eu-west-1")).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("us-east-1, us-east-2");
        }
    }

    @Test
    void theCallersDataSourcesAreUsedAsTheyAreAndLeftOpen() {
        String schema = "dsql_callers";
        PostgresServer.freshSchema(schema);
        DsqlConformance c = new DsqlConformance();
        try (HikariDataSource east = DsqlStandIn.callerPool(c, DsqlStandIn.EAST, 4);
             HikariDataSource west = DsqlStandIn.callerPool(c, DsqlStandIn.WEST, 4)) {
            try (DsqlStore store = DsqlStore.builder().dataSource(DsqlStandIn.EAST, east)
                    .dataSource(DsqlStandIn.WEST, west).routing(DsqlRouting.spread()).schema(schema).build()) {
                assertThat(store.description()).contains("us-east-1 (caller's data source)")
                        .contains("routing spread");
                assertThat(store.pools()).isEmpty();
                smallDrop(store);
            }
            assertThat(east.isClosed()).isFalse();
            assertThat(west.isClosed()).isFalse();
            assertThat(c.violations()).isEmpty();
            assertThat(c.connectionsPerRegion()).containsKeys(DsqlStandIn.EAST, DsqlStandIn.WEST);
        }
    }
}

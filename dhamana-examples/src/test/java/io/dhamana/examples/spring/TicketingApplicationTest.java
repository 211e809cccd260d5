package io.dhamana.examples.spring;

import io.dhamana.AuditReport;
import io.dhamana.EventId;
import io.dhamana.TicketingClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.json.Json;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring Boot service, started for real on the in-process engine and on PostgreSQL and driven over HTTP: the
 * REST API, the Actuator's metrics and health. What was sold is checked from committed rows (the audit).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TicketingApplicationTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private EmbeddedPostgres postgres;

    @BeforeAll
    void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
    }

    @AfterAll
    void stopPostgres() throws IOException {
        postgres.close();
    }

    private ConfigurableApplicationContext start(String store) throws Exception {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--dhamana.store=" + store,
                "--dhamana.name=spring-test", "--logging.level.root=warn", "--dhamana.events[0].id=spring-show",
                "--dhamana.events[0].capacity=5", "--dhamana.events[0].buckets=2",
                "--dhamana.events[0].face-value-minor=2500", "--dhamana.events[0].per-buyer-cap=4"));
        if (store.equals("postgresql")) {
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS spring_example CASCADE");
            }
            args.addAll(List.of("--dhamana.postgres.jdbc-url=jdbc:postgresql://localhost:" + postgres.getPort()
                            + "/postgres", "--dhamana.postgres.user=postgres", "--dhamana.postgres.password=",
                    "--dhamana.postgres.schema=spring_example", "--dhamana.postgres.max-pool-size=4"));
        }
        return SpringApplication.run(TicketingApplication.class, args.toArray(String[]::new));
    }

    private record Answer(int status, Map<String, Object> json) {}

    private Answer post(String base, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), new Json().toType(r.body(), Map.class));
    }

    private Answer get(String base, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), new Json().toType(r.body(), Map.class));
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @ValueSource(strings = {"engine", "postgresql"})
    void holdConfirmReleaseOverHttpWithMetricsAndHealth(String store) throws Exception {
        try (ConfigurableApplicationContext app = start(store)) {
            String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");

            assertThat(post(base, "/events/spring-show/fans/ana", "{\"evidence\":\"https://id.example/ana\"}")
                    .status()).isEqualTo(200);
            // Not verified: refused by the store, with its code.
            Answer unverified = post(base, "/events/spring-show/holds",
                    "{\"section\":\"floor\",\"buyer\":\"bob\",\"units\":1}");
            assertThat(unverified.status()).isEqualTo(409);
            assertThat(unverified.json()).containsEntry("code", "NOT_VERIFIED");

            String twoForAna = "{\"section\":\"floor\",\"buyer\":\"ana\",\"units\":2}";
            Answer first = post(base, "/events/spring-show/holds", twoForAna);
            assertThat(first.status()).isEqualTo(201);
            Answer confirmed = post(base, "/holds/" + first.json().get("id") + "/confirm", "");
            assertThat(confirmed.status()).isEqualTo(200);
            assertThat((List<Object>) confirmed.json().get("tickets")).hasSize(2);

            Answer second = post(base, "/events/spring-show/holds", twoForAna);
            assertThat(second.status()).isEqualTo(201);
            Answer released = post(base, "/holds/" + second.json().get("id") + "/release", "");
            assertThat(released.status()).isEqualTo(200);
            assertThat(released.json()).containsEntry("status", "RELEASED");
            // Released twice is still released; confirming a released hold is refused.
            assertThat(post(base, "/holds/" + second.json().get("id") + "/confirm", "").json())
                    .containsEntry("code", "WRONG_STATE");
            // Bad input is a 400 before anything is written.
            assertThat(post(base, "/events/spring-show/holds", "{\"section\":\"floor\",\"buyer\":\"ana\",\"units\":0}")
                    .status()).isEqualTo(400);

            // The Actuator serves the client's metrics, tagged with its name and store.
            Answer calls = get(base, "/actuator/metrics/dhamana.calls?tag=operation:hold&tag=outcome:committed");
            assertThat(calls.status()).isEqualTo(200);
            Map<String, Object> count = ((List<Map<String, Object>>) calls.json().get("measurements")).stream()
                    .filter(m -> m.get("statistic").equals("COUNT")).findFirst().orElseThrow();
            assertThat(((Number) count.get("value")).longValue()).isEqualTo(2);
            Answer tags = get(base, "/actuator/metrics/dhamana.calls");
            assertThat(tags.json().get("availableTags").toString()).contains("spring-test")
                    .contains(store.equals("engine") ? "engine" : "postgresql").contains("not-verified");
            if (store.equals("postgresql")) {
                assertThat(get(base, "/actuator/metrics/hikaricp.connections.max").status()).isEqualTo(200);
            }

            Answer health = get(base, "/actuator/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json()).containsEntry("status", "UP");
            Map<String, Object> storeHealth = (Map<String, Object>) ((Map<String, Object>) health.json()
                    .get("components")).get("store");
            assertThat(storeHealth).containsEntry("status", "UP");

            // Committed rows agree: two sold, two released, nothing held, a clean audit.
            AuditReport audit = app.getBean(TicketingClient.class).audit(EventId.of("spring-show"));
            assertThat(audit.isClean()).isTrue();
            assertThat(audit.soldUnits()).isEqualTo(2);
            assertThat(audit.heldUnits()).isZero();
            assertThat(audit.unitsReleased()).isEqualTo(2);
        }
    }
}

package io.dhamana.examples.web;

import io.dhamana.engine.EngineStore;
import io.dhamana.testkit.StoreDump;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command center's JSON endpoints over real HTTP, without a browser: what each answers, that bad input is a 400
 * with a clear message and leaves every row of the store as it was, and that the store's refusals come back as 409
 * with their reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandCenterHttpTest {
    private EngineStore store;
    private CommandCenter center;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** One answer: status, raw body, and the body parsed as a JSON object. */
    record Answer(int status, String body, Map<String, Object> json, HttpResponse<String> raw) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map(String key) {
            return (Map<String, Object>) json.get(key);
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list(String key) {
            return (List<Map<String, Object>>) json.get(key);
        }

        long number(String key) {
            return ((Number) json.get(key)).longValue();
        }

        String errorCode() {
            return (String) map("error").get("code");
        }

        String errorMessage() {
            return (String) map("error").get("message");
        }
    }

    @BeforeAll
    void start() throws IOException {
        store = EngineStore.create();
        center = CommandCenter.start(store, "127.0.0.1", 0);
    }

    @AfterAll
    void stop() {
        center.close();
        store.close();
    }

    private Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(center.uri().resolve(path)).GET());
    }

    private Answer post(String path, String form) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(center.uri().resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(request.timeout(Duration.ofMinutes(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> json = Map.of();
        String type = res.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/json")) {
            json = new Json().toType(res.body(), Json.MAP_TYPE);
        }
        return new Answer(res.statusCode(), res.body(), json, res);
    }

    /** Everything a caller can observe of the store's state, as text, to compare before and after. */
    private String observable() throws IOException, InterruptedException {
        return get("/api/audit?scope=floor").body() + get("/api/floor").body() + get("/api/tickets").body()
                + get("/api/breakit").body() + get("/api/drop").body();
    }

    /**
     * The store as it is: every committed row (a refused request must not leave a log row, a money leg or a charge
     * behind, which no page shows) and what the pages show of it.
     */
    private record Snapshot(List<String> rows, String observable) {}

    private Snapshot snapshot() throws IOException, InterruptedException {
        return new Snapshot(StoreDump.of(store), observable());
    }

    private void assertNothingChangedSince(Snapshot before) throws IOException, InterruptedException {
        Snapshot now = snapshot();
        assertThat(now.rows()).as("committed rows (added: %s, gone: %s)", minus(now.rows(), before.rows()),
                minus(before.rows(), now.rows())).isEqualTo(before.rows());
        assertThat(now.observable()).as("what the pages show").isEqualTo(before.observable());
    }

    private static List<String> minus(List<String> rows, List<String> taken) {
        List<String> left = new ArrayList<>(rows);
        left.removeAll(taken);
        return left;
    }

    @Test
    void theFloorIsEightRowsOfTwelveSeats() throws Exception {
        Answer floor = get("/api/floor");
        assertThat(floor.status()).isEqualTo(200);
        assertThat(floor.number("rows")).isEqualTo(8);
        assertThat(floor.number("seatsPerRow")).isEqualTo(12);
        assertThat(floor.list("seats")).hasSize(96);
        assertThat(floor.list("seats").get(0).get("id")).isEqualTo("A-1");
        assertThat(floor.list("seats").get(95).get("id")).isEqualTo("H-12");
        // Other fans bought and hold some seats before the page opened: every state shows.
        assertThat(floor.list("seats")).extracting(s -> s.get("state")).contains("AVAILABLE", "HELD", "SOLD");
    }

    @Test
    void aSeatSomeoneElseBoughtIsRefusedByTheStore() throws Exception {
        Snapshot before = snapshot();
        Answer taken = post("/api/buy", "seat=A-7");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.errorCode()).isEqualTo("SEAT_TAKEN");
        assertThat(taken.errorMessage()).contains("A-7").contains("already taken");
        assertNothingChangedSince(before);
    }

    @Test
    void buyingASeatGivesACodeAndTheTicketIsMine() throws Exception {
        Answer bought = post("/api/buy", "seat=B-3");
        assertThat(bought.status()).as(bought.body()).isEqualTo(200);
        String code = (String) bought.map("ticket").get("code");
        assertThat(code).isNotBlank();
        assertThat(bought.list("steps")).hasSize(3);

        Answer mine = get("/api/tickets");
        assertThat(mine.list("tickets")).anySatisfy(t -> {
            assertThat(t.get("seat")).isEqualTo("B-3");
            assertThat(t.get("code")).isEqualTo(code);
            assertThat(t.get("state")).isEqualTo("VALID");
        });
        assertThat(get("/api/floor").list("seats")).anySatisfy(s -> {
            assertThat(s.get("id")).isEqualTo("B-3");
            assertThat(s.get("state")).isEqualTo("SOLD");
            assertThat(s.get("mine")).isEqualTo(true);
        });

        Answer again = post("/api/buy", "seat=B-3");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("SEAT_TAKEN");
        assertThat(get("/api/audit?scope=floor").json().get("clean")).isEqualTo(true);
    }

    @Test
    void anAskAboveTheCapIsRefusedByTheStoreAndOneWithinItIsListed() throws Exception {
        Answer bought = post("/api/buy", "seat=G-9");
        assertThat(bought.status()).as(bought.body()).isEqualTo(200);
        String ticket = (String) bought.map("ticket").get("id");

        Answer tooHigh = post("/api/resale", "ticket=" + ticket + "&askMinor=20000");
        assertThat(tooHigh.status()).isEqualTo(409);
        assertThat(tooHigh.errorCode()).isEqualTo("ASK_ABOVE_CAP");
        assertThat(tooHigh.errorMessage()).contains("20000").contains("16500");

        Answer fair = post("/api/resale", "ticket=" + ticket + "&askMinor=16500");
        assertThat(fair.status()).as(fair.body()).isEqualTo(200);
        assertThat(fair.map("listing").get("state")).isEqualTo("ACTIVE");
        assertThat(get("/api/tickets").list("tickets")).anySatisfy(t -> {
            assertThat(t.get("id")).isEqualTo(ticket);
            assertThat(t.get("state")).isEqualTo("LISTED");
        });

        assertThat(post("/api/withdraw", "ticket=" + ticket).status()).isEqualTo(200);
        Answer refunded = post("/api/refund", "ticket=" + ticket);
        assertThat(refunded.status()).as(refunded.body()).isEqualTo(200);
        Answer audit = get("/api/audit?scope=floor");
        assertThat(audit.json().get("clean")).isEqualTo(true);
        assertThat(audit.json().get("reconciles")).isEqualTo(true);
        assertThat(audit.number("unitsRefunded")).isPositive();
    }

    @Test
    void aGuardedStampedeHasOneHolderAndTheNaiveFoilOversells() throws Exception {
        String floorAudit = get("/api/audit?scope=floor").body();

        Answer guarded = post("/api/breakit", "seat=E-7&buyers=60&mode=guarded");
        assertThat(guarded.status()).as(guarded.body()).isEqualTo(200);
        assertThat(guarded.number("holderCount")).isEqualTo(1);
        assertThat(guarded.number("extraHolders")).isZero();
        assertThat(guarded.map("audit").get("clean")).isEqualTo(true);

        Answer naive = post("/api/breakit", "seat=E-7&buyers=60&mode=naive");
        assertThat(naive.status()).as(naive.body()).isEqualTo(200);
        assertThat(naive.number("holderCount")).isGreaterThan(1);
        assertThat(naive.number("extraHolders")).isEqualTo(naive.number("holderCount") - 1);
        assertThat(naive.number("damageMinor")).isEqualTo(naive.number("extraHolders") * 15_000);
        assertThat(naive.list("holders")).allSatisfy(h -> assertThat(h.get("region")).isIn("east", "west"));

        // The damage is in the scratch copy the run used; the real floor is untouched.
        Answer scratch = get("/api/audit?scope=breakit");
        assertThat(scratch.json().get("event")).isEqualTo(naive.json().get("event"));
        assertThat(scratch.number("oversold")).isEqualTo(naive.number("extraHolders"));
        assertThat(scratch.json().get("clean")).isEqualTo(false);
        assertThat(get("/api/audit?scope=floor").body()).isEqualTo(floorAudit);
    }

    @Test
    void aDropReportsItsRateAndAnotherCannotStartWhileItRuns() throws Exception {
        Answer started = post("/api/drop", "buckets=8&seconds=3");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long id = started.number("id");
        Answer second = post("/api/drop", "buckets=2");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.errorCode()).isEqualTo("BUSY");

        Map<String, Object> run = awaitDrop(id);
        assertThat(run.get("failure")).isNull();
        assertThat(((Number) run.get("buckets")).intValue()).isEqualTo(8);
        assertThat((List<?>) run.get("points")).isNotEmpty();
        assertThat(((Number) run.get("holds")).longValue()).isPositive();
        @SuppressWarnings("unchecked")
        Map<String, Object> audit = (Map<String, Object>) run.get("audit");
        assertThat(audit.get("clean")).isEqualTo(true);
        assertThat(audit.get("reconciles")).isEqualTo(true);
        assertThat(get("/api/audit?scope=drop").json().get("clean")).isEqualTo(true);
    }

    private Map<String, Object> awaitDrop(long id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            for (Map<String, Object> run : get("/api/drop").list("runs")) {
                if (((Number) run.get("id")).longValue() == id && run.get("running").equals(false)) {
                    return run;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("drop " + id + " did not finish");
    }

    @ParameterizedTest(name = "{0} {1} [{2}] -> 400")
    @CsvSource(delimiter = '|', value = {
        "POST | /api/buy      | seat=Z-9",
        "POST | /api/buy      | seat=A-13",
        "POST | /api/buy      | seat=A-0",
        "POST | /api/buy      | seat=a-1",
        "POST | /api/buy      | seat=A-1%27%20OR%201%3D1",
        "POST | /api/buy      | seat=",
        "POST | /api/buy      | ''",
        "POST | /api/buy      | seat=A-1&seat=A-2",
        "POST | /api/buy      | seat=A-1&buyer=someone-else",
        "POST | /api/buy      | seat=%zz",
        "POST | /api/breakit  | seat=A-1&buyers=0&mode=guarded",
        "POST | /api/breakit  | seat=A-1&buyers=61&mode=guarded",
        "POST | /api/breakit  | seat=A-1&buyers=abc&mode=guarded",
        "POST | /api/breakit  | seat=A-1&buyers=1e3&mode=guarded",
        "POST | /api/breakit  | seat=A-1&buyers=99999999999999999999&mode=naive",
        "POST | /api/breakit  | seat=A-1&buyers=10&mode=evil",
        "POST | /api/breakit  | seat=X-1&buyers=10&mode=naive",
        "POST | /api/drop     | buckets=0",
        "POST | /api/drop     | buckets=65",
        "POST | /api/drop     | buckets=-1",
        "POST | /api/drop     | buckets=8&seconds=31",
        "POST | /api/drop     | ''",
        "POST | /api/resale   | ticket=not-a-uuid&askMinor=100",
        "POST | /api/resale   | ticket=00000000-0000-0000-0000-000000000000&askMinor=0",
        "POST | /api/resale   | ticket=00000000-0000-0000-0000-000000000000&askMinor=-5",
        "POST | /api/resale   | ticket=00000000-0000-0000-0000-000000000000&askMinor=1000001",
        "POST | /api/resale   | ticket=00000000-0000-0000-0000-000000000000&askMinor=12.50",
        "POST | /api/refund   | ticket=../../etc/passwd",
        "POST | /api/withdraw | ticket=",
        "GET  | /api/audit    | scope=everything",
        "GET  | /api/floor    | x=1",
    })
    void badInputIsRefusedWithA400AndChangesNothing(String method, String path, String params) throws Exception {
        Snapshot before = snapshot();
        Answer a = method.equals("GET") ? get(path + "?" + params) : post(path, params);
        assertThat(a.status()).as(a.body()).isEqualTo(400);
        assertThat(a.errorCode()).isEqualTo("BAD_REQUEST");
        assertThat(a.errorMessage()).isNotBlank();
        assertNothingChangedSince(before);
    }

    @Test
    void badInputMessagesSayWhatWasExpected() throws Exception {
        assertThat(post("/api/breakit", "seat=A-1&buyers=61&mode=guarded").errorMessage())
                .isEqualTo("buyers must be from 1 to 60, was 61");
        assertThat(post("/api/drop", "buckets=65").errorMessage()).isEqualTo("buckets must be from 1 to 64, was 65");
        assertThat(post("/api/buy", "seat=Z-9").errorMessage())
                .isEqualTo("seat must name a seat of the map, A-1 to H-12, was 'Z-9'");
        assertThat(post("/api/buy", "seat=A-1&buyer=x").errorMessage())
                .isEqualTo("unknown parameter 'buyer'; this endpoint takes seat");
    }

    @Test
    void aTicketThatIsNotMineIsNotFoundAndNothingChanges() throws Exception {
        Snapshot before = snapshot();
        Answer a = post("/api/resale", "ticket=00000000-0000-0000-0000-000000000000&askMinor=100");
        assertThat(a.status()).isEqualTo(404);
        assertNothingChangedSince(before);
    }

    @Test
    void malformedRequestsAreRefusedAndChangeNothing() throws Exception {
        Snapshot before = snapshot();
        // Parameters of a POST belong in its body.
        assertThat(send(HttpRequest.newBuilder(center.uri().resolve("/api/buy?seat=A-2"))
                .POST(HttpRequest.BodyPublishers.noBody())).status()).isEqualTo(400);
        // Only form bodies.
        assertThat(send(HttpRequest.newBuilder(center.uri().resolve("/api/buy"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"seat\":\"A-2\"}"))).status()).isEqualTo(400);
        // Bodies larger than any valid request.
        assertThat(post("/api/buy", "seat=A-2&pad=" + "x".repeat(5_000)).status()).isEqualTo(413);
        // A page elsewhere posting to this server.
        assertThat(send(HttpRequest.newBuilder(center.uri().resolve("/api/buy"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("seat=A-2"))).status()).isEqualTo(403);
        // A request for another host name (DNS rebinding).
        assertThat(rawStatus("POST /api/buy HTTP/1.1\r\nHost: evil.example\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\nConnection: close\r\n\r\n"
                + "seat=A-2")).isEqualTo(403);
        assertNothingChangedSince(before);
    }

    private int rawStatus(String request) throws IOException {
        try (Socket s = new Socket(center.uri().getHost(), center.uri().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void routesMethodsAndStaticFiles() throws Exception {
        Answer page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.raw().headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'self'");
        assertThat(page.body()).contains("<title>").doesNotContain("http://").doesNotContain("https://");
        assertThat(get("/app.js").status()).isEqualTo(200);
        assertThat(get("/app.css").status()).isEqualTo(200);
        assertThat(get("/app.js").body()).doesNotContain("innerHTML");

        assertThat(get("/api/nothing").status()).isEqualTo(404);
        assertThat(get("/index.htm").status()).isEqualTo(404);
        assertThat(get("/%2e%2e/%2e%2e/etc/passwd").status()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(URI.create(center.uri() + "io/dhamana/examples/web/app.js")).GET())
                .status()).isEqualTo(404);
        Answer wrongMethod = get("/api/buy");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.raw().headers().firstValue("Allow")).hasValue("POST");
        assertThat(send(HttpRequest.newBuilder(center.uri().resolve("/"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody())).status()).isEqualTo(405);
    }
}

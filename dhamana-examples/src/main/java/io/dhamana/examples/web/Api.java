package io.dhamana.examples.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.dhamana.InvalidRequestException;
import io.dhamana.NotFoundException;
import io.dhamana.OperationFailedException;
import io.dhamana.examples.breakit.BreakIt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The HTTP face of {@link OnSale}: a fixed table of routes, each naming the method, the parameters it accepts and
 * how it validates them, plus three static files from the class path. Nothing the caller sends reaches the SDK
 * before it has been checked: unknown paths are 404, wrong methods 405, unknown, repeated or malformed parameters
 * 400 with a message that says what was expected, bodies over 2 KB 413.
 *
 * <p>When the server listens on a loopback address, requests must name a loopback host (so a page elsewhere cannot
 * reach it through DNS rebinding), and a POST that carries an {@code Origin} must come from this server's own page.
 */
final class Api implements HttpHandler {
    private static final System.Logger LOG = System.getLogger(Api.class.getName());
    private static final int MAX_BODY_BYTES = 2_048;
    private static final int MAX_QUERY_CHARS = 2_048;
    private static final long MAX_ASK_MINOR = 1_000_000;
    private static final String RESOURCES = "/io/dhamana/examples/web/";
    private static final String PAGE_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    /** One endpoint's work, given its validated parameters. */
    @FunctionalInterface
    private interface Action {
        Map<String, Object> run(Params params) throws InterruptedException;
    }

    private record Route(Set<String> params, int status, Action action) {}

    private record StaticFile(String contentType, byte[] body) {}

    private final Map<String, Route> routes = new HashMap<>();
    private final Map<String, StaticFile> files = new HashMap<>();
    private final boolean loopbackOnly;

    Api(OnSale onSale, boolean loopbackOnly) {
        this.loopbackOnly = loopbackOnly;
        get("/api/floor", Set.of(), p -> onSale.floorJson());
        get("/api/tickets", Set.of(), p -> onSale.ticketsJson());
        get("/api/breakit", Set.of(), p -> onSale.lastBreakIts());
        get("/api/drop", Set.of(), p -> onSale.dropsJson());
        get("/api/audit", Set.of("scope"),
                p -> onSale.audit(p.choice("scope", Set.of("floor", "drop", "breakit"), "floor")));
        post("/api/buy", Set.of("seat"), 200, p -> onSale.buy(onSale.seat(p.required("seat"))));
        post("/api/refund", Set.of("ticket"), 200, p -> onSale.refund(onSale.myTicket(p.uuid("ticket"))));
        post("/api/withdraw", Set.of("ticket"), 200, p -> onSale.withdraw(onSale.myTicket(p.uuid("ticket"))));
        post("/api/resale", Set.of("ticket", "askMinor"), 200, p -> {
            long ask = p.longValue("askMinor", 1, MAX_ASK_MINOR);
            return onSale.listForResale(onSale.myTicket(p.uuid("ticket")), ask);
        });
        post("/api/breakit", Set.of("seat", "buyers", "mode"), 200, p -> {
            var seat = onSale.seat(p.required("seat"));
            int buyers = p.integer("buyers", 1, OnSale.MAX_STAMPEDE);
            var mode = BreakIt.Mode.valueOf(p.choice("mode", Set.of("guarded", "naive"), "guarded")
                    .toUpperCase(Locale.ROOT));
            return onSale.breakIt(seat, buyers, mode);
        });
        post("/api/drop", Set.of("buckets", "seconds"), 202, p -> onSale.startDrop(
                p.integer("buckets", 1, OnSale.MAX_BUCKETS), p.integer("seconds", 1, OnSale.MAX_DROP_SECONDS, 10)));
        file("/", "index.html", "text/html; charset=utf-8");
        file("/app.css", "app.css", "text/css; charset=utf-8");
        file("/app.js", "app.js", "text/javascript; charset=utf-8");
    }

    private void get(String path, Set<String> params, Action action) {
        routes.put("GET " + path, new Route(params, 200, action));
    }

    private void post(String path, Set<String> params, int status, Action action) {
        routes.put("POST " + path, new Route(params, status, action));
    }

    private void file(String path, String name, String contentType) {
        try (InputStream in = Api.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCES + name);
            }
            files.put(path, new StaticFile(contentType, in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                serve(ex);
            } catch (ApiError e) {
                error(ex, e.status(), e.code(), e.getMessage());
            } catch (InvalidRequestException e) {
                error(ex, 400, "BAD_REQUEST", e.getMessage());
            } catch (NotFoundException e) {
                error(ex, 404, "NOT_FOUND", e.getMessage());
            } catch (OperationFailedException e) {
                LOG.log(System.Logger.Level.WARNING, "store call failed", e);
                error(ex, 503, "STORE_BUSY", "the store could not finish the call; try again");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(ex, 503, "SHUTTING_DOWN", "the server is shutting down");
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "unexpected failure on " + ex.getRequestURI().getRawPath(), e);
                error(ex, 500, "INTERNAL", "unexpected server error; see the server log");
            }
        }
    }

    private void serve(HttpExchange ex) throws IOException, InterruptedException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        checkHost(ex);
        StaticFile file = files.get(path);
        if (file != null) {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                notAllowed(ex, "GET, HEAD");
                return;
            }
            Headers h = ex.getResponseHeaders();
            h.set("Content-Security-Policy", PAGE_POLICY);
            send(ex, 200, file.contentType(), method.equals("HEAD") ? null : file.body());
            return;
        }
        Route route = routes.get(method + " " + path);
        if (route == null) {
            Set<String> allowed = new TreeSet<>();
            for (String key : routes.keySet()) {
                if (key.endsWith(" " + path)) {
                    allowed.add(key.substring(0, key.indexOf(' ')));
                }
            }
            if (!allowed.isEmpty()) {
                notAllowed(ex, String.join(", ", allowed));
                return;
            }
            throw ApiError.notFound("no such page or endpoint: " + Params.shorten(path));
        }
        String raw;
        if (method.equals("POST")) {
            checkOrigin(ex);
            if (ex.getRequestURI().getRawQuery() != null) {
                throw ApiError.badRequest("send the parameters of a POST in its body, not in the URL");
            }
            raw = body(ex);
        } else {
            raw = ex.getRequestURI().getRawQuery();
            if (raw != null && raw.length() > MAX_QUERY_CHARS) {
                throw ApiError.badRequest("the query is too long");
            }
        }
        Map<String, Object> answer = route.action().run(Params.parse(raw, route.params()));
        send(ex, route.status(), "application/json; charset=utf-8",
                Json.write(answer).getBytes(StandardCharsets.UTF_8));
    }

    /** The form body, at most 2 KB, of a form content type (or none at all when it is empty). */
    private static String body(HttpExchange ex) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = ex.getRequestBody()) {
            byte[] chunk = new byte[512];
            int n;
            while ((n = in.read(chunk)) > 0) {
                buf.write(chunk, 0, n);
                if (buf.size() > MAX_BODY_BYTES) {
                    throw ApiError.tooLarge("the body is larger than " + MAX_BODY_BYTES + " bytes");
                }
            }
        }
        if (buf.size() == 0) {
            return "";
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw ApiError.badRequest("send the parameters as application/x-www-form-urlencoded");
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private void checkHost(HttpExchange ex) {
        if (!loopbackOnly) {
            return;
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        String name = host == null ? "" : host.toLowerCase(Locale.ROOT).replaceFirst(":[0-9]+$", "");
        if (!LOOPBACK_HOSTS.contains(name)) {
            throw ApiError.forbidden("this server answers requests for localhost only");
        }
    }

    private static void checkOrigin(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        String host = ex.getRequestHeaders().getFirst("Host");
        if (origin != null && !origin.equalsIgnoreCase("http://" + host)) {
            throw ApiError.forbidden("a POST must come from this server's own page");
        }
    }

    private static void notAllowed(HttpExchange ex, String allow) throws IOException {
        ex.getResponseHeaders().set("Allow", allow);
        error(ex, 405, "METHOD_NOT_ALLOWED", "use " + allow);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        byte[] body = Json.write(Json.obj("error", Json.obj("status", status, "code", code, "message", message)))
                .getBytes(StandardCharsets.UTF_8);
        send(ex, status, "application/json; charset=utf-8", body);
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", contentType);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}

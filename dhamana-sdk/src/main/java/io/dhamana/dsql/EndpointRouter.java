package io.dhamana.dsql;

import io.dhamana.jdbc.internal.SqlErrors;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import io.dhamana.jdbc.internal.OpeningDataSource;
import javax.sql.DataSource;

/**
 * A data source over the endpoints of one store that hands each transaction a connection from the endpoint its
 * {@link DsqlRouting} picks, passing over an endpoint that could not hand one out (for a cool-down). Only the
 * choice of connection moves: nothing has been sent when an endpoint is passed over, so no work can be done twice.
 * Thread-safe.
 */
final class EndpointRouter extends OpeningDataSource {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(EndpointRouter.class);

    /** One endpoint: its Region, a label for messages (host or "caller's data source"), and its connections. */
    static final class Endpoint {
        final String region;
        final String label;
        final DataSource dataSource;
        private volatile long downUntil;
        private volatile boolean down;

        Endpoint(String region, String label, DataSource dataSource) {
            this.region = region;
            this.label = label;
            this.dataSource = dataSource;
        }

        boolean coolingDown(long now) {
            return down && now - downUntil < 0;
        }

        void markDown(long now, Duration coolDown) {
            downUntil = now + coolDown.toNanos();
            down = true;
        }

        void markUp() {
            down = false;
        }
    }

    private final List<Endpoint> endpoints;
    private final DsqlRouting routing;
    private final Duration coolDown;
    private final AtomicInteger turn = new AtomicInteger();

    EndpointRouter(List<Endpoint> endpoints, DsqlRouting routing, Duration coolDown) {
        this.endpoints = List.copyOf(endpoints);
        this.routing = routing;
        this.coolDown = coolDown;
    }

    /** The endpoints in the order this transaction should try them. */
    List<Endpoint> order() {
        int n = endpoints.size();
        List<Endpoint> order = new ArrayList<>(n);
        if (routing.isSpread()) {
            int first = Math.floorMod(turn.getAndIncrement(), n);
            for (int i = 0; i < n; i++) {
                order.add(endpoints.get((first + i) % n));
            }
        } else {
            String home = routing.homeRegion().orElseThrow();
            endpoints.stream().filter(e -> e.region.equals(home)).forEach(order::add);
            endpoints.stream().filter(e -> !e.region.equals(home)).forEach(order::add);
        }
        return order;
    }

    /**
     * A connection from the first endpoint in routing order that hands one out. Endpoints cooling down after a
     * failure are tried only when every endpoint is.
     *
     * @throws SQLException the failure of a permanent kind at once (bad credentials, say), or, when every endpoint
     *                      failed transiently, a {@link SQLTransientConnectionException} with each failure attached
     */
    @Override
    public Connection getConnection() throws SQLException {
        List<Endpoint> order = order();
        long now = System.nanoTime();
        // Chosen once: another thread may mark an endpoint down meanwhile, and looking again could skip them all.
        List<Endpoint> candidates = order.stream().filter(e -> !e.coolingDown(now)).toList();
        if (candidates.isEmpty()) {
            candidates = order;
        }
        List<SQLException> failures = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Endpoint e : candidates) {
            try {
                Connection c = e.dataSource.getConnection();
                e.markUp();
                return c;
            } catch (SQLException failure) {
                if (!SqlErrors.isTransientFailure(failure)) {
                    throw failure;
                }
                if (!e.coolingDown(System.nanoTime())) {
                    LOG.warn("Aurora DSQL endpoint {} ({}) handed out no connection ({}); passing over it for {}",
                            e.region, e.label, reason(failure), coolDown);
                }
                e.markDown(System.nanoTime(), coolDown);
                failures.add(failure);
                reasons.add(e.region + ": " + reason(failure));
            }
        }
        SQLTransientConnectionException none = new SQLTransientConnectionException("no Aurora DSQL endpoint handed"
                + " out a connection: " + String.join("; ", reasons), "08001", failures.get(0));
        failures.stream().skip(1).forEach(none::addSuppressed);
        throw none;
    }

    /**
     * Why an endpoint handed out no connection: a pool's timeout carries the last connect failure as its cause (no
     * credentials for a token, an unknown host, a refused login), which says more than the timeout itself.
     */
    static String reason(SQLException failure) {
        Throwable why = failure instanceof SQLTransientConnectionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String reason = SqlErrors.firstLine(why);
        Throwable deeper = why.getCause();
        if (deeper != null && deeper != why && !(why.getMessage() != null
                && why.getMessage().contains(deeper.getClass().getSimpleName()))) {
            reason += " (" + deeper.getClass().getSimpleName() + ": " + SqlErrors.firstLine(deeper) + ")";
        }
        return reason;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("each endpoint's data source decides how to log in");
    }

}

package io.dhamana.dsql;

import io.dhamana.InvalidRequestException;
import io.dhamana.internal.Checks;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which regional endpoint of a {@link DsqlStore} each transaction starts on. The endpoints of a multi-Region
 * cluster are both read-write and strongly consistent (a transaction sees everything committed before it started,
 * whichever endpoint committed it), so routing changes latency and resilience, never correctness: every rule is
 * enforced at commit by a write to the row rivals also write, from either endpoint.
 *
 * <p>Failover only ever happens before a transaction starts: when an endpoint's pool cannot hand out a connection
 * (the Region is unreachable, or its pool timed out), the transaction starts on the next endpoint instead, and the
 * failed endpoint is passed over for a cool-down before it is tried again. A transaction that loses its
 * connection half-way is not moved; it fails with a transient {@link io.dhamana.StoreException} and the client's
 * retry policy decides (its next attempt is routed afresh). Immutable and thread-safe.
 */
public final class DsqlRouting {
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

    private final String home;

    private DsqlRouting(String home) {
        this.home = home;
    }

    /**
     * Every transaction starts on the endpoint in {@code region}; the other endpoints are used, in the order they
     * were added, only while that one cannot hand out connections. Suits an application that runs in one Region
     * (or one routing per application Region): commits still coordinate with the peer Region, but reads and
     * connection set-up stay local.
     *
     * @param region an AWS Region name such as {@code us-east-1}, which must be the Region of one of the store's
     *               endpoints
     * @throws InvalidRequestException if {@code region} is not a Region name
     */
    public static DsqlRouting home(String region) {
        return new DsqlRouting(checkRegion("region", region));
    }

    /**
     * Transactions start on each endpoint in turn (round robin), skipping an endpoint that cannot hand out
     * connections. Spreads connections and reads over the Regions; each commit still coordinates with the peer.
     */
    public static DsqlRouting spread() {
        return new DsqlRouting(null);
    }

    /** The home Region, or empty when transactions are spread. */
    public Optional<String> homeRegion() {
        return Optional.ofNullable(home);
    }

    /** Whether transactions are spread over all endpoints. */
    public boolean isSpread() {
        return home == null;
    }

    /** Checks that {@code region} looks like an AWS Region name ({@code us-east-1}, {@code ap-northeast-2}). */
    static String checkRegion(String argument, String region) {
        Checks.notNull(argument, region);
        if (!REGION.matcher(region).matches()) {
            throw new InvalidRequestException(argument, "must be an AWS Region name such as us-east-1, was '"
                    + Checks.abbreviate(region) + "'");
        }
        return region;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DsqlRouting r && Objects.equals(home, r.home);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(home);
    }

    @Override
    public String toString() {
        return home == null ? "spread" : "home " + home;
    }
}

package io.dhamana.examples.support;

import io.dhamana.dsql.DsqlRouting;
import io.dhamana.dsql.DsqlStore;
import io.dhamana.engine.EngineStore;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.KeyStrategy;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.net.LatencyProxy;

import java.time.Duration;
import java.util.Locale;

/**
 * Picks the store an example runs on: the in-process engine by default, PostgreSQL when the command line names a
 * JDBC URL, or Aurora DSQL when it names cluster endpoints:
 *
 * <pre>
 * --jdbc-url jdbc:postgresql://localhost:5432/tickets --user dhamana --password secret
 *     [--isolation serializable|repeatable-read|read-committed] [--schema dhamana] [--pool 64] [--rtt-ms 5]
 *
 * --dsql-endpoints abc123.dsql.us-east-1.on.aws@us-east-1[,def456.dsql.us-east-2.on.aws@us-east-2]
 *     [--dsql-user admin] [--dsql-routing home|spread] [--schema dhamana] [--pool 64]
 * </pre>
 *
 * {@code --rtt-ms} puts a simulated network of that round-trip time between the SDK and a PostgreSQL server on this
 * machine (a loopback proxy), to see the SDK as it runs against a database in another zone or Region.
 *
 * <p>The PostgreSQL password may also come from the environment variable {@code DHAMANA_PASSWORD}, which keeps it out
 * of the shell history and the process list. Aurora DSQL needs no password: each connection gets an IAM token
 * signed with the AWS default credentials (environment, profile, instance role); {@code --pool} is then per
 * endpoint, and {@code --dsql-routing home} (the default) starts transactions in the first endpoint's Region.
 */
public final class ExampleStores {
    private ExampleStores() {}

    /** Opens the store the arguments name; the caller closes it. */
    public static TicketStore open(Args args) {
        if (args.has("rtt-ms")) {
            return atDistance(args);
        }
        return direct(args, args.string("jdbc-url", ""));
    }

    /**
     * A PostgreSQL store on this machine, reached through a {@link LatencyProxy} that adds {@code --rtt-ms} to every
     * round trip: how the SDK behaves with its database a network away. Closing the store closes the proxy.
     */
    private static TicketStore atDistance(Args args) {
        int rtt = args.integer("rtt-ms", 0);
        if (rtt < 0 || rtt > 1_000) {
            throw new IllegalArgumentException("--rtt-ms must be 0 to 1000, was " + rtt);
        }
        if (!args.has("jdbc-url")) {
            throw new IllegalArgumentException("--rtt-ms puts a simulated network between the SDK and PostgreSQL:"
                    + " give --jdbc-url of a PostgreSQL server on this machine (localhost)");
        }
        LatencyProxy proxy = LatencyProxy.forJdbcUrl(args.string("jdbc-url", ""), Duration.ofMillis(rtt));
        try {
            return new ThroughProxy(direct(args, proxy.jdbcUrl(args.string("jdbc-url", ""))), proxy);
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    private static TicketStore direct(Args args, String jdbcUrl) {
        if (args.has("dsql-endpoints")) {
            if (args.has("jdbc-url")) {
                throw new IllegalArgumentException("give either --jdbc-url (PostgreSQL) or --dsql-endpoints (Aurora"
                        + " DSQL), not both");
            }
            return dsql(args);
        }
        if (!args.has("jdbc-url")) {
            return EngineStore.create();
        }
        PostgresStore.Builder b = PostgresStore.builder().jdbcUrl(jdbcUrl)
                .isolation(isolation(args.string("isolation", "serializable")))
                .schema(args.string("schema", "dhamana"))
                .maxPoolSize(args.integer("pool", 64));
        if (args.has("user")) {
            b.user(args.string("user", ""));
        }
        String password = args.has("password") ? args.string("password", "") : System.getenv("DHAMANA_PASSWORD");
        if (password != null) {
            b.password(password);
        }
        return b.build();
    }

    private static DsqlStore dsql(Args args) {
        DsqlStore.Builder b = DsqlStore.builder()
                .schema(args.string("schema", "dhamana"))
                .maxPoolSize(args.integer("pool", 64));
        for (String entry : args.string("dsql-endpoints", "").split(",")) {
            String e = entry.strip();
            int at = e.lastIndexOf('@');
            if (at <= 0 || at == e.length() - 1) {
                throw new IllegalArgumentException("--dsql-endpoints must be host@region[,host@region], for example"
                        + " abc123.dsql.us-east-1.on.aws@us-east-1; found '" + e + "'");
            }
            b.endpoint(e.substring(0, at), e.substring(at + 1));
        }
        if (args.has("dsql-user")) {
            b.user(args.string("dsql-user", "admin"));
        }
        String routing = args.string("dsql-routing", "home").trim().toLowerCase(Locale.ROOT);
        switch (routing) {
            case "home" -> { } // the first endpoint's Region, the others for failover
            case "spread" -> b.routing(DsqlRouting.spread());
            default -> throw new IllegalArgumentException("--dsql-routing must be home or spread, was '" + routing
                    + "'");
        }
        return b.build();
    }

    private static PostgresIsolation isolation(String name) {
        String key = name.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        try {
            return PostgresIsolation.valueOf(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--isolation must be serializable, repeatable-read or "
                    + "read-committed, was '" + name + "'");
        }
    }

    /** A store whose connections go through a latency proxy, closed with it. */
    private record ThroughProxy(TicketStore store, LatencyProxy proxy) implements TicketStore {
        @Override
        public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
            return store.inTransaction(mode, work);
        }

        @Override
        public boolean combiningPays() {
            return store.combiningPays();
        }

        @Override
        public KeyStrategy keyStrategy() {
            return store.keyStrategy();
        }

        @Override
        public String description() {
            return store.description() + ", " + proxy.roundTrip().toMillis() + " ms round trip away";
        }

        @Override
        public void close() {
            try {
                store.close();
            } finally {
                proxy.close();
            }
        }
    }

    /** The options {@link #open(Args)} understands, for usage messages. */
    public static String usage() {
        return "[--jdbc-url jdbc:postgresql://host:5432/db --user USER --password PASSWORD"
                + " [--isolation serializable|repeatable-read|read-committed] [--schema dhamana] [--pool 64]"
                + " [--rtt-ms 0]"
                + " | --dsql-endpoints host@region[,host@region] [--dsql-user admin] [--dsql-routing home|spread]"
                + " [--schema dhamana] [--pool 64]]";
    }
}

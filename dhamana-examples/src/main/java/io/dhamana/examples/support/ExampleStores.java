package io.dhamana.examples.support;

import io.dhamana.engine.EngineStore;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.TicketStore;

import java.util.Locale;

/**
 * Picks the store an example runs on: the in-process engine by default, or PostgreSQL when the command line names
 * a JDBC URL:
 *
 * <pre>
 * --jdbc-url jdbc:postgresql://localhost:5432/tickets --user dhamana --password secret
 *     [--isolation serializable|repeatable-read|read-committed] [--schema dhamana] [--pool 64]
 * </pre>
 *
 * The password may also come from the environment variable {@code DHAMANA_PASSWORD}, which keeps it out of the
 * shell history and the process list.
 */
public final class ExampleStores {
    private ExampleStores() {}

    /** Opens the store the arguments name; the caller closes it. */
    public static TicketStore open(Args args) {
        if (!args.has("jdbc-url")) {
            return EngineStore.create();
        }
        PostgresStore.Builder b = PostgresStore.builder().jdbcUrl(args.string("jdbc-url", ""))
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

    private static PostgresIsolation isolation(String name) {
        String key = name.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        try {
            return PostgresIsolation.valueOf(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--isolation must be serializable, repeatable-read or "
                    + "read-committed, was '" + name + "'");
        }
    }

    /** The options {@link #open(Args)} understands, for usage messages. */
    public static String usage() {
        return "[--jdbc-url jdbc:postgresql://host:5432/db --user USER --password PASSWORD"
                + " [--isolation serializable|repeatable-read|read-committed] [--schema dhamana] [--pool 64]]";
    }
}

package io.dhamana.examples.support;

import io.dhamana.engine.EngineStore;
import io.dhamana.spi.TicketStore;

/**
 * Picks the store an example runs on: the in-process engine by default, or PostgreSQL when the command line names
 * a JDBC URL ({@code --jdbc-url jdbc:postgresql://host/db --user u --password p}).
 */
public final class ExampleStores {
    private ExampleStores() {}

    public static TicketStore open(Args args) {
        if (!args.has("jdbc-url")) {
            return EngineStore.create();
        }
        throw new IllegalArgumentException("--jdbc-url needs the PostgreSQL store, which this build does not have yet");
    }

    /** The options {@link #open(Args)} understands, for usage messages. */
    public static String usage() {
        return "[--jdbc-url jdbc:postgresql://host:5432/db --user USER --password PASSWORD]";
    }
}

package io.dhamana.internal;

import io.dhamana.ConflictException;
import io.dhamana.RetriesExhaustedException;
import io.dhamana.Rejection;
import io.dhamana.spi.TicketStore;

import java.util.Locale;

/**
 * The words metrics and recordings use for how a call ended and which store served it, kept in one place so a
 * dashboard and a flight recording of the same run agree.
 */
public final class OutcomeNames {
    /** A call that committed. */
    public static final String COMMITTED = "committed";
    /** A call whose retries ran out while it kept losing serialization conflicts. */
    public static final String CONFLICT = "conflict";
    /** A call that failed for any other reason (invalid input, unknown id, a store failure). */
    public static final String FAILURE = "failure";

    private OutcomeNames() {}

    /** A rejection's kind, for example {@code sold-out} or {@code cap-reached}. */
    public static String of(Rejection rejection) {
        return rejection.code().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@link #CONFLICT} for retries exhausted on conflicts, else {@link #FAILURE}. */
    public static String ofFailure(Throwable failure) {
        if (failure instanceof RetriesExhaustedException) {
            for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
                if (t instanceof ConflictException) {
                    return CONFLICT;
                }
            }
        }
        return FAILURE;
    }

    /**
     * A short, stable name for the kind of store: {@code engine}, {@code postgresql} or {@code dsql}, read from its
     * description so that a decorator delegating the description is named like the store it wraps.
     */
    public static String storeKind(TicketStore store) {
        String d = store.description();
        if (d.startsWith("PostgreSQL")) {
            return "postgresql";
        }
        if (d.startsWith("Aurora DSQL")) {
            return "dsql";
        }
        if (d.contains("engine")) {
            return "engine";
        }
        int space = d.indexOf(' ');
        return (space < 0 ? d : d.substring(0, space)).toLowerCase(Locale.ROOT);
    }
}

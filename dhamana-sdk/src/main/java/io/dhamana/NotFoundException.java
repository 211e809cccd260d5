package io.dhamana;

import io.dhamana.internal.Checks;

/** A call named an event, section, seat, hold, ticket or listing that the store does not hold. Nothing changed. */
public class NotFoundException extends DhamanaException {
    private static final long serialVersionUID = 1L;
    /** What kind of thing was not found. */
    private final String kind;
    /** The id asked for. */
    private final String id;

    /**
     * @param kind what was looked for, for example {@code "section"}
     * @param id   the identifier that was not found
     */
    public NotFoundException(String kind, String id) {
        super("unknown " + kind + " '" + Checks.abbreviate(id) + "'");
        this.kind = kind;
        this.id = id;
    }

    /**
     * What was looked for.
     *
     * @return what kind of thing, for example {@code event}
     */
    public String kind() {
        return kind;
    }

    /**
     * The identifier that was not found.
     *
     * @return the id that was asked for
     */
    public String id() {
        return id;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}

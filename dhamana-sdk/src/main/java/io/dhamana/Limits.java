package io.dhamana;

import java.time.Duration;

/** The bounds every call is validated against. A value outside them is an {@link InvalidRequestException}. */
public final class Limits {
    /** Longest caller-chosen identifier (event, section, seat, buyer). */
    public static final int MAX_ID_LENGTH = 64;
    /** Longest event name. */
    public static final int MAX_NAME_LENGTH = 200;
    /** Longest evidence URL. */
    public static final int MAX_URL_LENGTH = 2048;
    /** Longest revocation reason. */
    public static final int MAX_REASON_LENGTH = 500;
    /** Stock buckets per general-admission section: 1 to this. */
    public static final int MAX_BUCKETS = 256;
    /** Units in one general-admission section. */
    public static final int MAX_SECTION_CAPACITY = 10_000_000;
    /** Named seats in one reserved section. */
    public static final int MAX_SEATS_PER_SECTION = 100_000;
    /** Sections in one event. */
    public static final int MAX_SECTIONS = 100;
    /** Units in one hold. */
    public static final int MAX_UNITS_PER_HOLD = 100;
    /** Highest per-buyer cap an event may set. */
    public static final int MAX_PER_BUYER_CAP = 10_000;
    /** Highest price, in minor units (one billion in a two-decimal currency); keeps every sum far from overflow. */
    public static final long MAX_PRICE_MINOR = 100_000_000_000L;
    /** Highest resale cap, in basis points of face value (1000%). */
    public static final int MAX_RESALE_CAP_BPS = 100_000;
    /**
     * Holds, tickets or expired holds handled per transaction by the bulk operations (release, refunds, expiry):
     * about six rows each, so a batch stays far below Aurora DSQL's 3,000 modified rows and 10 MiB.
     */
    public static final int BULK_BATCH = 100;
    /** Shortest hold time to live. */
    public static final Duration MIN_HOLD_TTL = Duration.ofSeconds(1);
    /** Longest hold time to live. */
    public static final Duration MAX_HOLD_TTL = Duration.ofHours(24);

    private Limits() {}
}

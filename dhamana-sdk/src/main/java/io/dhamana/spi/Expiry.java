package io.dhamana.spi;

/** How a hold transition treats the hold's expiry time, judged by the store's own clock. */
public enum Expiry {
    /** Regardless of expiry. */
    ANY,
    /** Only while {@code expires_at > now}. */
    UNEXPIRED,
    /** Only once {@code expires_at <= now}. */
    EXPIRED
}

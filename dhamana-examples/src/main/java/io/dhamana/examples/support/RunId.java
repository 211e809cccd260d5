package io.dhamana.examples.support;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A short id that tells one run's events and buyers from another's, so an example can run again on the same
 * PostgreSQL database (or twice in one test) without meeting its earlier rows.
 */
public final class RunId {
    private RunId() {}

    /** The time in base 36 plus four random characters, for example {@code m8k2x1qz-0f3a}. */
    public static String next() {
        String random = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        return Long.toString(System.currentTimeMillis(), 36) + "-" + "0000".substring(random.length()) + random;
    }
}

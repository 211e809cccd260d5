package io.dhamana;

/** A monotonic nanosecond clock; {@link System#nanoTime()} unless a test injects another. */
@FunctionalInterface
public interface Ticker {
    /**
     * Nanoseconds from an arbitrary origin.
     *
     * @return nanoseconds from an arbitrary origin; only differences mean anything
     */
    long read();

    /**
     * The system's monotonic clock.
     *
     * @return a ticker reading {@link System#nanoTime()}
     */
    static Ticker system() {
        return System::nanoTime;
    }
}

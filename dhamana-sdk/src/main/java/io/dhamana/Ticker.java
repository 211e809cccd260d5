package io.dhamana;

/** A monotonic nanosecond clock; {@link System#nanoTime()} unless a test injects another. */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin. */
    long read();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}

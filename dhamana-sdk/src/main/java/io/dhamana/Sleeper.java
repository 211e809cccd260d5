package io.dhamana;

import java.util.concurrent.locks.LockSupport;

/** Waits between retries; a test injects one that records the delays instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    /** Waits about {@code nanos} nanoseconds. */
    void sleep(long nanos) throws InterruptedException;

    /** Parks the calling thread. */
    static Sleeper system() {
        return nanos -> {
            if (nanos > 0) {
                LockSupport.parkNanos(nanos);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while backing off");
            }
        };
    }
}

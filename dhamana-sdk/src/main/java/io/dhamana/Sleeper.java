package io.dhamana;

import java.util.concurrent.locks.LockSupport;

/** Waits between retries; a test injects one that records the delays instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    /**
     * Waits about {@code nanos} nanoseconds.
     *
     * @param nanos how long to wait, in nanoseconds
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(long nanos) throws InterruptedException;

    /**
     * Parks the calling thread for the whole delay. A park can return early (a stray unpark permit, a spurious
     * wake-up), so it parks again until the delay has really passed.
     *
     * @return a sleeper that parks the thread
     */
    static Sleeper system() {
        return nanos -> {
            long deadline = System.nanoTime() + nanos;
            for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while backing off");
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while backing off");
            }
        };
    }
}

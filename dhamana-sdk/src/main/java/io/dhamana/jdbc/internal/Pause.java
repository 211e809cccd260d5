package io.dhamana.jdbc.internal;

import java.sql.SQLException;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits between the steps of a schema installation. A park returns at once while the thread's interrupt flag is
 * set, so a wait loop that ignored the flag would poll the server flat out until its deadline; an interrupt ends
 * the installation instead, with the flag kept for the caller.
 */
public final class Pause {
    private Pause() {}

    /**
     * Waits about {@code nanos} nanoseconds.
     *
     * @throws SQLException (SQLSTATE 57014, cancelled) if the thread is interrupted, before or during the wait
     */
    public static void nanos(long nanos, String waitingFor) throws SQLException {
        if (!Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(nanos);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new SQLException("interrupted while waiting for " + waitingFor, "57014");
        }
    }
}

package io.dhamana.jdbc.internal;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An installation's wait ends on an interrupt, keeping the flag, instead of polling the server flat out. */
class PauseTest {
    @Test
    void anInterruptedThreadStopsWaitingAndKeepsItsInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Pause.nanos(60_000_000_000L, "index ix"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"))
                    .hasMessageContaining("interrupted while waiting for index ix");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anUninterruptedThreadWaitsAndGoesOn() throws SQLException {
        Pause.nanos(1_000_000L, "index ix");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}

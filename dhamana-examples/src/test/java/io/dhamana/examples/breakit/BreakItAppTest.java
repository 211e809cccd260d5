package io.dhamana.examples.breakit;

import io.dhamana.AuditReport;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BreakItAppTest {
    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @Test
    void guardedLeavesOneHolderAndNaiveOversells() throws Exception {
        try (EngineStore store = EngineStore.create();
             TicketingClient reader = TicketingClient.builder().store(store).build()) {
            // The naive oversell is a race the scheduler decides. On an idle machine nearly every stampede oversells;
            // on a badly overloaded one (measured: about 1 in 100 stampedes at a load of 20 on 2 cores) the buyers
            // can run one after another. So the naive side gets up to three stampedes, each on a fresh seat; the
            // guarded side must hold in every one of them.
            BreakItApp.Result r = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                r = BreakItApp.run(store, 60, Duration.ofMillis(5), 15_000, QUIET);

                // Holders counted here from committed rows, independently of the run.
                assertThat(reader.holdersOf(r.guardedEvent(), r.section(), r.seat())).hasSize(1);
                AuditReport guarded = reader.audit(r.guardedEvent());
                assertThat(guarded.isClean()).as(guarded.summary()).isTrue();
                assertThat(r.guarded().holders()).hasSize(1);
                if (reader.holdersOf(r.naiveEvent(), r.section(), r.seat()).size() > 1) {
                    break;
                }
            }

            assertThat(reader.holdersOf(r.naiveEvent(), r.section(), r.seat()).size()).isGreaterThan(1);
            AuditReport naive = reader.audit(r.naiveEvent());
            assertThat(naive.doubleBookedSeats()).isEqualTo(1);
            assertThat(naive.oversoldUnits()).isPositive();
            assertThat(naive.isClean()).isFalse();

            // The app's own figures agree with the rows.
            assertThat(r.naive().holders()).hasSameSizeAs(reader.holdersOf(r.naiveEvent(), r.section(), r.seat()));
            assertThat(r.naive().extraHolders()).isEqualTo(r.naive().holders().size() - 1);
            assertThat(r.naive().damageMinor()).isEqualTo(r.naive().extraHolders() * 15_000L);
        }
    }

    @Test
    void anInterruptedStampedeShutsItsPoolDown() throws Exception {
        try (EngineStore store = EngineStore.create();
             TicketingClient admin = TicketingClient.builder().store(store).build()) {
            EventId event = EventId.of("interrupted");
            admin.createEvent(EventSpec.builder(event).reservedSeating("front-row", SeatMap.grid(1, 1), 100).build());
            long before = parkedBuyers();
            // Interrupted while the buyers gather at the gate: the run must end and take its threads with it.
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> BreakIt.run(store, event, SectionId.of("front-row"), SeatId.of("A-1"), 60,
                        BreakIt.Mode.NAIVE, "x", 100, Duration.ofMillis(5)))
                        .isInstanceOf(InterruptedException.class);
            } finally {
                Thread.interrupted();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (parkedBuyers() > before && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(parkedBuyers()).as("pool threads left behind").isLessThanOrEqualTo(before);
            // Nobody bought: the gate never opened.
            assertThat(admin.holdersOf(event, SectionId.of("front-row"), SeatId.of("A-1"))).isEmpty();
        }
    }

    /** Live threads of executor pools ({@code pool-N-thread-M}), as BreakIt's buyers are. */
    private static long parkedBuyers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().matches("pool-\\d+-thread-\\d+")).count();
    }
}

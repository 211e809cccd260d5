package io.dhamana.examples.breakit;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
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
import java.util.ArrayList;
import java.util.List;
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

            // Every buyer is accounted for once, and the counts match the rows: on the engine (snapshot isolation)
            // nothing refuses a naive commit, so every buyer told "yours" holds the seat in the rows.
            int naiveHolders = reader.holdersOf(r.naiveEvent(), r.section(), r.seat()).size();
            assertThat(r.naive().appWinners() + r.naive().backedOff() + r.naive().refusedByStore()).isEqualTo(60);
            assertThat(r.naive().refusedByStore()).isZero();
            assertThat(r.naive().conflicts()).isZero();
            assertThat(r.naive().appWinners()).isEqualTo(naiveHolders);
            assertThat(r.guarded().appWinners()).isEqualTo(1);
            assertThat(r.guarded().backedOff()).isZero();
            assertThat(r.guarded().refusedByStore()).isEqualTo(59);

            // What it prints follows from those counts.
            assertThat(BreakItApp.guardedSentence(r.guarded()))
                    .startsWith("Guarded: 1 holder in committed rows; the store refused each of the other 59 buyers");
            assertThat(BreakItApp.naiveSentence(r.naive(), store.description()))
                    .startsWith("Naive: " + naiveHolders + " people hold one seat; " + naiveHolders + " were told")
                    .contains("The store refused none of their commits");
        }
    }

    @Test
    void theSentencesSayWhatTheCountsShowAndNothingElse() {
        // PostgreSQL SERIALIZABLE: one naive commit got through, the store refused the rest as conflicts.
        String saved = BreakItApp.naiveSentence(result(BreakIt.Mode.NAIVE, 1, 0, 59, 59, 1), "PostgreSQL");
        assertThat(saved).contains("refused 59 of its commits (59 as serialization conflicts)")
                .doesNotContain("one after another").doesNotContain("run it again");
        // Buyers that really ran one after another: all but one saw the claim.
        String serial = BreakItApp.naiveSentence(result(BreakIt.Mode.NAIVE, 1, 59, 0, 0, 1), "engine");
        assertThat(serial).contains("each of the other 59 buyers counted the winner's claim")
                .contains("run it again");
        // An oversell despite some refusals does not claim that nothing conflicted.
        String partly = BreakItApp.naiveSentence(result(BreakIt.Mode.NAIVE, 3, 40, 17, 17, 3), "PostgreSQL");
        assertThat(partly).startsWith("Naive: 3 people hold one seat").contains("refused 17 naive commits")
                .doesNotContain("nothing conflicted");
        // A guard that failed is reported as failed, never as "every rival lost".
        String broken = BreakItApp.guardedSentence(result(BreakIt.Mode.GUARDED, 2, 0, 58, 0, 2));
        assertThat(broken).contains("2 holders").contains("THE GUARD DID NOT HOLD").doesNotContain("refused each");
        String refusedTooFew = BreakItApp.guardedSentence(result(BreakIt.Mode.GUARDED, 1, 0, 50, 0, 1));
        assertThat(refusedTooFew).contains("THE GUARD DID NOT HOLD");
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

    private static BreakIt.Result result(BreakIt.Mode mode, int appWinners, int backedOff, int refused,
                                         int conflicts, int holders) {
        List<BuyerId> rows = new ArrayList<>();
        for (int i = 0; i < holders; i++) {
            rows.add(BuyerId.of("b" + i));
        }
        int extra = Math.max(0, holders - 1);
        return new BreakIt.Result(mode, 60, appWinners, backedOff, refused, conflicts, rows, extra, extra * 15_000L,
                null, Duration.ZERO);
    }
}

package io.dhamana.engine.internal;

import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.NewHold;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.TxMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine's isolation, step by step with interleaved transactions on one thread: snapshot reads, first committer
 * wins on a shared written row, and (like Aurora DSQL) write skew when two transactions write different rows.
 */
class SnapshotIsolationTest {
    private static final EventId E = EventId.of("e");
    private static final SectionId GA = SectionId.of("ga");
    private static final SectionId SEATS = SectionId.of("seats");
    private static final SeatId A1 = SeatId.of("A-1");

    private Engine engine;

    @BeforeEach
    void setUp() {
        engine = new Engine(Clock.systemUTC());
        try (EngineTx tx = engine.begin(TxMode.READ_WRITE)) {
            tx.insertSection(new SectionRow(E, GA, SectionKind.GENERAL_ADMISSION, 10, 1, 100, 0));
            tx.insertSection(new SectionRow(E, SEATS, SectionKind.RESERVED_SEATING, 1, 1, 100, 1));
            tx.insertBuckets(List.of(new BucketRow(E, GA, 0, 10)));
            tx.insertSeats(List.of(new SeatRow(E, SEATS, A1, SeatState.AVAILABLE, Optional.empty())));
            tx.commit();
        }
    }

    private int remaining(EngineTx tx) {
        return tx.buckets(E, GA).get(0).remaining();
    }

    @Test
    void aTransactionKeepsReadingItsSnapshot() {
        try (EngineTx reader = engine.begin(TxMode.READ_ONLY); EngineTx writer = engine.begin(TxMode.READ_WRITE)) {
            assertThat(remaining(reader)).isEqualTo(10);
            assertThat(writer.takeUnits(E, GA, 0, 3)).isTrue();
            assertThat(remaining(writer)).isEqualTo(7); // its own write
            writer.commit();
            assertThat(remaining(reader)).isEqualTo(10); // still its snapshot
            reader.commit(); // a read-only transaction never conflicts
        }
        try (EngineTx later = engine.begin(TxMode.READ_ONLY)) {
            assertThat(remaining(later)).isEqualTo(7);
        }
    }

    @Test
    void theFirstCommitterOfASharedRowWins() {
        try (EngineTx a = engine.begin(TxMode.READ_WRITE); EngineTx b = engine.begin(TxMode.READ_WRITE)) {
            assertThat(a.takeUnits(E, GA, 0, 10)).isTrue();
            assertThat(b.takeUnits(E, GA, 0, 10)).isTrue(); // both saw 10 in their snapshots
            b.commit();
            assertThatThrownBy(a::commit).isInstanceOfSatisfying(ConflictException.class,
                    e -> assertThat(e.sqlState()).isEqualTo("40001"));
        }
        try (EngineTx check = engine.begin(TxMode.READ_ONLY)) {
            assertThat(remaining(check)).isZero(); // sold once, not twice
        }
        assertThat(engine.conflicts()).isEqualTo(1);
    }

    @Test
    void writingARowSomeoneCommittedAfterYourSnapshotFailsAtOnce() {
        try (EngineTx late = engine.begin(TxMode.READ_WRITE)) {
            try (EngineTx early = engine.begin(TxMode.READ_WRITE)) {
                early.takeUnits(E, GA, 0, 1);
                early.commit();
            }
            assertThatThrownBy(() -> late.takeUnits(E, GA, 0, 1)).isInstanceOf(ConflictException.class);
        }
    }

    @Test
    void writeSkewIsAllowedSoOnlyAGuardRowProtectsAnInvariant() {
        // Two buyers each count the seat's claims (none), then insert their own hold: different rows, no conflict.
        try (EngineTx a = engine.begin(TxMode.READ_WRITE); EngineTx b = engine.begin(TxMode.READ_WRITE)) {
            assertThat(a.seatClaims(E, SEATS, A1)).isEmpty();
            assertThat(b.seatClaims(E, SEATS, A1)).isEmpty();
            insertSeatHold(a, "a");
            insertSeatHold(b, "b");
            a.commit();
            b.commit(); // write skew: both committed
        }
        try (EngineTx check = engine.begin(TxMode.READ_ONLY)) {
            assertThat(check.seatClaims(E, SEATS, A1)).hasSize(2);
        }
        // With the guard row written by both, the second loses.
        try (EngineTx a = engine.begin(TxMode.READ_WRITE); EngineTx b = engine.begin(TxMode.READ_WRITE)) {
            SeatId b1 = A1;
            // Release the seat row first so both see it available.
            assertThat(a.claimSeat(E, SEATS, b1, HoldId.of(UUID.randomUUID()))).isTrue();
            assertThat(b.claimSeat(E, SEATS, b1, HoldId.of(UUID.randomUUID()))).isTrue();
            a.commit();
            assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);
        }
    }

    @Test
    void twoInsertsOfTheSameKeyCannotBothCommit() {
        OperationKey key = OperationKey.of(UUID.randomUUID());
        OperationRow row = new OperationRow(key, Operation.HOLD, E, "x", "y", 1, 0);
        try (EngineTx a = engine.begin(TxMode.READ_WRITE); EngineTx b = engine.begin(TxMode.READ_WRITE)) {
            assertThat(a.insertOperation(row)).isTrue();
            assertThat(b.insertOperation(row)).isTrue();
            a.commit();
            assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);
        }
        try (EngineTx c = engine.begin(TxMode.READ_WRITE)) {
            assertThat(c.insertOperation(row)).isFalse(); // now visible: an idempotent repeat finds it
        }
    }

    @Test
    void aRolledBackOrConflictedTransactionLeavesNoRowBehind() {
        long before = engine.rowCount();
        for (int i = 0; i < 1_000; i++) {
            try (EngineTx refused = engine.begin(TxMode.READ_WRITE)) {
                OperationKey key = OperationKey.of(UUID.randomUUID());
                assertThat(refused.insertOperation(new OperationRow(key, Operation.HOLD, E, "x", "y", 1, 0))).isTrue();
                insertSeatHold(refused, "fan-" + i);
                refused.rollback(); // as a refused hold does
            }
        }
        OperationRow clash = new OperationRow(OperationKey.of(UUID.randomUUID()), Operation.HOLD, E, "x", "y", 1, 0);
        try (EngineTx a = engine.begin(TxMode.READ_WRITE); EngineTx b = engine.begin(TxMode.READ_WRITE)) {
            a.takeUnits(E, GA, 0, 1);
            b.takeUnits(E, GA, 0, 1);
            b.insertOperation(clash);
            a.commit();
            assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);
        }
        assertThat(engine.rowCount()).as("rows after 1,000 refused holds and one lost conflict").isEqualTo(before);
        try (EngineTx tx = engine.begin(TxMode.READ_ONLY)) {
            assertThat(tx.operation(clash.key())).isEmpty();
        }
    }

    @Test
    void aWriterStillHoldingARowTakenOutByARollbackLosesAndItsRetryCommits() {
        OperationRow row = new OperationRow(OperationKey.of(UUID.randomUUID()), Operation.HOLD, E, "x", "y", 1, 0);
        try (EngineTx quitter = engine.begin(TxMode.READ_WRITE); EngineTx writer = engine.begin(TxMode.READ_WRITE)) {
            assertThat(quitter.insertOperation(row)).isTrue(); // creates the key's empty row
            assertThat(writer.insertOperation(row)).isTrue(); // the same empty row
            quitter.rollback(); // takes it out of the table
            assertThatThrownBy(writer::commit).isInstanceOf(ConflictException.class);
        }
        try (EngineTx retry = engine.begin(TxMode.READ_WRITE)) {
            assertThat(retry.insertOperation(row)).isTrue();
            retry.commit();
        }
        try (EngineTx tx = engine.begin(TxMode.READ_ONLY)) {
            assertThat(tx.operation(row.key())).contains(row);
        }
    }

    @Test
    void anOldSnapshotSurvivesManyNewerVersions() {
        try (EngineTx old = engine.begin(TxMode.READ_ONLY)) {
            assertThat(remaining(old)).isEqualTo(10);
            for (int i = 0; i < 5_000; i++) {
                try (EngineTx w = engine.begin(TxMode.READ_WRITE)) {
                    w.returnUnits(E, GA, 0, 1);
                    w.commit();
                }
            }
            assertThat(remaining(old)).isEqualTo(10);
        }
        try (EngineTx now = engine.begin(TxMode.READ_ONLY)) {
            assertThat(remaining(now)).isEqualTo(5_010);
        }
    }

    @Test
    void aRolledBackTransactionLeavesNoTrace() {
        try (EngineTx tx = engine.begin(TxMode.READ_WRITE)) {
            tx.takeUnits(E, GA, 0, 4);
            insertSeatHold(tx, "ghost");
            tx.rollback();
        }
        try (EngineTx check = engine.begin(TxMode.READ_ONLY)) {
            assertThat(remaining(check)).isEqualTo(10);
            assertThat(check.seatClaims(E, SEATS, A1)).isEmpty();
        }
    }

    @Test
    void aReadOnlyTransactionRefusesWrites() {
        try (EngineTx tx = engine.begin(TxMode.READ_ONLY)) {
            assertThatThrownBy(() -> tx.takeUnits(E, GA, 0, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    private static void insertSeatHold(EngineTx tx, String buyer) {
        tx.insertHold(new NewHold(HoldId.of(UUID.randomUUID()), E, SEATS, Optional.of(A1), BuyerId.of(buyer), 1, -1,
                Duration.ofMinutes(5), 100));
    }
}

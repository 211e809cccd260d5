package io.dhamana.engine.internal;

import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.Reading;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
        try (EngineTransaction tx = begin(TxMode.READ_WRITE)) {
            tx.insertSection(new SectionRow(E, GA, SectionKind.GENERAL_ADMISSION, 10, 1, 100, 0));
            tx.insertSection(new SectionRow(E, SEATS, SectionKind.RESERVED_SEATING, 1, 1, 100, 1));
            tx.insertBuckets(List.of(new BucketRow(E, GA, 0, 10)));
            tx.insertSeats(List.of(new SeatRow(E, SEATS, A1, SeatState.AVAILABLE, Optional.empty())));
            tx.commit();
        }
    }

    private EngineTransaction begin(TxMode mode) {
        return EngineTransaction.begin(engine, mode);
    }

    private static int remaining(EngineTransaction tx) {
        return Reading.read(tx, r -> r.buckets(E, GA)).get(0).remaining();
    }

    /** What the transaction's own write set holds for the bucket: a write is visible to its own transaction. */
    private int ownRemaining(EngineTransaction tx) {
        return tx.core().read(engine.buckets, new Engine.BucketKey(E, GA, 0)).remaining();
    }

    private static List<BuyerId> claims(EngineTransaction tx) {
        return Reading.read(tx, r -> r.seatClaims(E, SEATS, A1));
    }

    @Test
    void aTransactionKeepsReadingItsSnapshot() {
        try (EngineTransaction reader = begin(TxMode.READ_ONLY);
             EngineTransaction writer = begin(TxMode.READ_WRITE)) {
            assertThat(remaining(reader)).isEqualTo(10);
            writer.takeUnits(E, GA, 0, 3);
            assertThat(ownRemaining(writer)).isEqualTo(7); // its own write
            writer.commit();
            assertThat(remaining(reader)).isEqualTo(10); // still its snapshot
            reader.commit(); // a read-only transaction never conflicts
        }
        try (EngineTransaction later = begin(TxMode.READ_ONLY)) {
            assertThat(remaining(later)).isEqualTo(7);
        }
    }

    @Test
    void aReadAfterAWriteIsRefusedAsTheContractSays() {
        try (EngineTransaction tx = begin(TxMode.READ_WRITE)) {
            tx.takeUnits(E, GA, 0, 1);
            assertThatThrownBy(tx::reads).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("plan every read first");
        }
    }

    @Test
    void theFirstCommitterOfASharedRowWins() {
        try (EngineTransaction a = begin(TxMode.READ_WRITE); EngineTransaction b = begin(TxMode.READ_WRITE)) {
            a.takeUnits(E, GA, 0, 10);
            b.takeUnits(E, GA, 0, 10); // both saw 10 in their snapshots
            b.commit();
            assertThatThrownBy(a::commit).isInstanceOfSatisfying(ConflictException.class,
                    e -> assertThat(e.sqlState()).isEqualTo("40001"));
        }
        try (EngineTransaction check = begin(TxMode.READ_ONLY)) {
            assertThat(remaining(check)).isZero(); // sold once, not twice
        }
        assertThat(engine.conflicts()).isEqualTo(1);
    }

    @Test
    void writingARowSomeoneCommittedAfterYourSnapshotFailsAtOnce() {
        try (EngineTransaction late = begin(TxMode.READ_WRITE)) {
            try (EngineTransaction early = begin(TxMode.READ_WRITE)) {
                early.takeUnits(E, GA, 0, 1);
                early.commit();
            }
            assertThatThrownBy(() -> late.takeUnits(E, GA, 0, 1)).isInstanceOf(ConflictException.class);
        }
    }

    @Test
    void aGuardThatDoesNotHoldFailsTheWriteAsAConflict() {
        try (EngineTransaction tx = begin(TxMode.READ_WRITE)) {
            assertThatThrownBy(() -> tx.takeUnits(E, GA, 0, 11)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("no longer held");
            tx.rollback();
        }
        try (EngineTransaction check = begin(TxMode.READ_ONLY)) {
            assertThat(remaining(check)).isEqualTo(10);
        }
    }

    @Test
    void writeSkewIsAllowedSoOnlyAGuardRowProtectsAnInvariant() {
        // Two buyers each count the seat's claims (none), then insert their own hold: different rows, no conflict.
        try (EngineTransaction a = begin(TxMode.READ_WRITE); EngineTransaction b = begin(TxMode.READ_WRITE)) {
            assertThat(claims(a)).isEmpty();
            assertThat(claims(b)).isEmpty();
            insertSeatHold(a, "a");
            insertSeatHold(b, "b");
            a.commit();
            b.commit(); // write skew: both committed
        }
        try (EngineTransaction check = begin(TxMode.READ_ONLY)) {
            assertThat(claims(check)).hasSize(2);
        }
        // With the guard row written by both, the second loses.
        try (EngineTransaction a = begin(TxMode.READ_WRITE); EngineTransaction b = begin(TxMode.READ_WRITE)) {
            a.claimSeat(E, SEATS, A1, HoldId.of(UUID.randomUUID()));
            b.claimSeat(E, SEATS, A1, HoldId.of(UUID.randomUUID()));
            a.commit();
            assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);
        }
    }

    @Test
    void twoInsertsOfTheSameKeyCannotBothCommit() {
        OperationKey key = OperationKey.of(UUID.randomUUID());
        OperationRow row = new OperationRow(key, Operation.HOLD, E, "x", "y", 1, 0);
        try (EngineTransaction a = begin(TxMode.READ_WRITE); EngineTransaction b = begin(TxMode.READ_WRITE)) {
            a.insertOperation(row);
            b.insertOperation(row);
            a.commit();
            assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);
        }
        try (EngineTransaction c = begin(TxMode.READ_WRITE)) {
            // Now visible: a repeat finds the key taken, and its next attempt reads the log.
            assertThatThrownBy(() -> c.insertOperation(row)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("already logged");
        }
    }

    @Test
    void aRolledBackOrConflictedTransactionLeavesNoRowBehind() {
        long before = engine.rowCount();
        for (int i = 0; i < 1_000; i++) {
            try (EngineTransaction refused = begin(TxMode.READ_WRITE)) {
                OperationKey key = OperationKey.of(UUID.randomUUID());
                refused.insertOperation(new OperationRow(key, Operation.HOLD, E, "x", "y", 1, 0));
                insertSeatHold(refused, "fan-" + i);
                refused.rollback(); // as a transaction that failed at its commit does
            }
        }
        OperationRow clash = new OperationRow(OperationKey.of(UUID.randomUUID()), Operation.HOLD, E, "x", "y", 1, 0);
        try (EngineTransaction a = begin(TxMode.READ_WRITE); EngineTransaction b = begin(TxMode.READ_WRITE)) {
            a.takeUnits(E, GA, 0, 1);
            b.takeUnits(E, GA, 0, 1);
            b.insertOperation(clash);
            a.commit();
            assertThatThrownBy(b::commit).isInstanceOf(ConflictException.class);
        }
        assertThat(engine.rowCount()).as("rows after 1,000 rolled-back holds and one lost conflict").isEqualTo(before);
        try (EngineTransaction tx = begin(TxMode.READ_ONLY)) {
            Optional<OperationRow> logged = Reading.read(tx, r -> r.operation(clash.key()));
            assertThat(logged).isEmpty();
        }
    }

    @Test
    void aWriterStillHoldingARowTakenOutByARollbackLosesAndItsRetryCommits() {
        OperationRow row = new OperationRow(OperationKey.of(UUID.randomUUID()), Operation.HOLD, E, "x", "y", 1, 0);
        try (EngineTransaction quitter = begin(TxMode.READ_WRITE); EngineTransaction writer = begin(TxMode.READ_WRITE)) {
            quitter.insertOperation(row); // creates the key's empty row
            writer.insertOperation(row); // the same empty row
            quitter.rollback(); // takes it out of the table
            assertThatThrownBy(writer::commit).isInstanceOf(ConflictException.class);
        }
        try (EngineTransaction retry = begin(TxMode.READ_WRITE)) {
            retry.insertOperation(row);
            retry.commit();
        }
        try (EngineTransaction tx = begin(TxMode.READ_ONLY)) {
            Optional<OperationRow> logged = Reading.read(tx, r -> r.operation(row.key()));
            assertThat(logged).contains(row);
        }
    }

    @Test
    void anOldSnapshotSurvivesManyNewerVersions() {
        try (EngineTransaction old = begin(TxMode.READ_ONLY)) {
            assertThat(remaining(old)).isEqualTo(10);
            for (int i = 0; i < 5_000; i++) {
                try (EngineTransaction w = begin(TxMode.READ_WRITE)) {
                    w.returnUnits(E, GA, 0, 1);
                    w.commit();
                }
            }
            assertThat(remaining(old)).isEqualTo(10);
        }
        try (EngineTransaction now = begin(TxMode.READ_ONLY)) {
            assertThat(remaining(now)).isEqualTo(5_010);
        }
    }

    @Test
    void aRolledBackTransactionLeavesNoTrace() {
        try (EngineTransaction tx = begin(TxMode.READ_WRITE)) {
            tx.takeUnits(E, GA, 0, 4);
            insertSeatHold(tx, "ghost");
            tx.rollback();
        }
        try (EngineTransaction check = begin(TxMode.READ_ONLY)) {
            assertThat(remaining(check)).isEqualTo(10);
            assertThat(claims(check)).isEmpty();
        }
    }

    @Test
    void aReadOnlyTransactionRefusesWrites() {
        try (EngineTransaction tx = begin(TxMode.READ_ONLY)) {
            assertThatThrownBy(() -> tx.takeUnits(E, GA, 0, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    private static void insertSeatHold(EngineTransaction tx, String buyer) {
        Instant now = Instant.now();
        tx.insertHold(new HoldRow(HoldId.of(UUID.randomUUID()), E, SEATS, Optional.of(A1), BuyerId.of(buyer), 1, -1,
                HoldStatus.HELD, now, now.plus(Duration.ofMinutes(5)), 100));
    }
}

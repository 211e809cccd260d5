package io.dhamana.foil;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SectionId;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.HoldStatus;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * The way a purchase is usually written, kept here to show what goes wrong: read how much is sold, and if there
 * is room, insert a hold. Nothing is written to a row that a rival must also write, so under snapshot isolation
 * (Aurora DSQL, PostgreSQL REPEATABLE READ, the engine) or READ COMMITTED two buyers both see room and both insert.
 * PostgreSQL SERIALIZABLE catches it (as a read-write conflict), which is exactly how the flaw hides in testing.
 *
 * <p>Not part of the SDK. It writes the same hold and log rows as the real recipe, so the SDK's audit counts what it
 * oversold from committed rows. It checks no verification and no cap either, like the code it stands for.
 */
public final class NaiveCountThenInsert {
    private final TicketStore store;
    private final Duration gap;

    /**
     * @param store where to write
     * @param gap   time between the count and the insert, standing for the application's round trip to the
     *              database and its own logic in between (zero for none)
     */
    public NaiveCountThenInsert(TicketStore store, Duration gap) {
        this.store = store;
        this.gap = gap;
    }

    /** Buys {@code units} of a general-admission section the naive way; true if the app believed it succeeded. */
    public boolean holdUnits(EventId event, SectionId section, BuyerId buyer, int units) {
        return store.inTransaction(TxMode.READ_WRITE, tx -> {
            Reads r = tx.reads();
            Read<List<SectionRow>> sections = r.sections(event);
            Read<Long> active = r.activeUnits(event, section);
            r.fetch();
            SectionRow s = section(sections.get(), event, section);
            long taken = active.get(); // a read: protects nothing
            pause();
            if (taken + units > s.capacity()) {
                return false;
            }
            insert(tx, s, Optional.empty(), buyer, units);
            return true;
        });
    }

    /** Buys one named seat the naive way; true if the app believed it succeeded. */
    public boolean holdSeat(EventId event, SectionId section, SeatId seat, BuyerId buyer) {
        return store.inTransaction(TxMode.READ_WRITE, tx -> {
            Reads r = tx.reads();
            Read<List<SectionRow>> sections = r.sections(event);
            Read<List<BuyerId>> holders = r.seatClaims(event, section, seat);
            r.fetch();
            SectionRow s = section(sections.get(), event, section);
            long claims = holders.get().size(); // a read: protects nothing
            pause();
            if (claims > 0) {
                return false;
            }
            insert(tx, s, Optional.of(seat), buyer, 1);
            return true;
        });
    }

    private static SectionRow section(List<SectionRow> sections, EventId event, SectionId section) {
        return sections.stream().filter(r -> r.section().equals(section)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no section " + section + " in " + event));
    }

    private void insert(StoreTransaction tx, SectionRow s, Optional<SeatId> seat, BuyerId buyer, int units) {
        HoldId id = HoldId.of(UUID.randomUUID());
        Instant now = tx.now().truncatedTo(ChronoUnit.MICROS);
        tx.writes().insertOperation(new OperationRow(OperationKey.of(id.value()), Operation.HOLD, s.event(),
                id.toString(), buyer.value(), units, 0));
        tx.writes().insertHold(new HoldRow(id, s.event(), s.section(), seat, buyer, units, seat.isPresent() ? -1 : 0,
                HoldStatus.HELD, now, now.plus(Duration.ofMinutes(10)), s.faceValueMinor()));
    }

    private void pause() {
        long deadline = System.nanoTime() + gap.toNanos();
        for (long left = gap.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left); // again if a stray unpark permit ended it early
        }
    }
}

package io.dhamana.internal;

import io.dhamana.BucketSelection;
import io.dhamana.BuyerId;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.SeatId;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TxMode;

import java.time.Duration;
import java.util.Optional;

/**
 * One hold call across its attempts. It picks the bucket before each attempt (moving away from the one that just
 * conflicted) and is admitted to it (or to the next bucket with room) for the whole attempt, commit included.
 */
final class HoldCall implements RetryLoop.Attempt<Outcome<Hold>>, RetryLoop.Hooks {
    private final SectionState section;
    private final BucketSelection selection;
    private final int admission;
    private final HoldId id;
    private final Optional<SeatId> seat;
    private final BuyerId buyer;
    private final int units;
    private final Duration ttl;
    private final boolean callerChosenId;
    private int bucket = -1;

    private HoldCall(SectionState section, BucketSelection selection, int admission, HoldId id,
                     Optional<SeatId> seat, BuyerId buyer, int units, Duration ttl, boolean callerChosenId) {
        this.section = section;
        this.selection = selection;
        this.admission = admission;
        this.id = id;
        this.seat = seat;
        this.buyer = buyer;
        this.units = units;
        this.ttl = ttl;
        this.callerChosenId = callerChosenId;
    }

    /** @param callerChosenId whether the caller named the hold id (and so may be repeating a hold already made) */
    static Outcome<Hold> run(RetryLoop loop, BucketSelection selection, int admission, SectionState section,
                             HoldId id, Optional<SeatId> seat, BuyerId buyer, int units, Duration ttl,
                             boolean callerChosenId) {
        return loop.run(Operation.HOLD, OperationKey.of(id.value()), TxMode.READ_WRITE,
                new HoldCall(section, selection, admission, id, seat, buyer, units, ttl, callerChosenId));
    }

    @Override
    public void beforeAttempt(int attempt) {
        if (section.isGeneralAdmission()) {
            bucket = section.admit(section.chooseBucket(selection, buyer, attempt, bucket), admission);
        }
    }

    @Override
    public void afterAttempt(int attempt) {
        if (section.isGeneralAdmission()) {
            section.exit(bucket);
        }
    }

    @Override
    public Outcome<Hold> run(StoreTransaction tx, int attempt) {
        return HoldRecipes.hold(tx, new HoldRecipes.HoldArgs(section, id, seat, buyer, units, ttl, bucket,
                callerChosenId || attempt > 1));
    }
}

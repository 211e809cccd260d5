package io.dhamana.internal;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.KeyReusedException;
import io.dhamana.NotFoundException;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.Writes;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Holds: one caller's, and several callers' on one section combined into one transaction. Two round trips either
 * way: one round of reads (the buyer's allowance, the stock or seat), then the writes with the commit.
 */
final class HoldRecipes {
    private HoldRecipes() {}

    /**
     * Everything a hold attempt needs; {@code bucket} is where the attempt starts (ignored for seats).
     *
     * @param mayBeDone whether the hold may exist already: its id was chosen by the caller, or an earlier attempt
     *                  may have committed
     */
    record HoldArgs(SectionState section, HoldId id, Optional<SeatId> seat, BuyerId buyer, int units, Duration ttl,
                    int bucket, boolean mayBeDone) {}

    static Outcome<Hold> hold(StoreTransaction tx, HoldArgs a) {
        EventId event = a.section().eventId();
        SectionId section = a.section().row().section();
        OperationKey key = OperationKey.of(a.id().value());
        Reads r = tx.reads();
        Read<Optional<OperationRow>> logged = a.mayBeDone() ? r.operation(key) : null;
        Read<Optional<HoldRow>> existing = a.mayBeDone() ? r.hold(a.id()) : null;
        Read<Optional<AllowanceRow>> allowance = r.allowance(event, a.buyer());
        Read<Optional<SeatRow>> seat = a.seat().isPresent() ? r.seat(event, section, a.seat().get()) : null;
        Read<Optional<BucketRow>> bucket = seat == null ? r.bucket(event, section, a.bucket()) : null;
        Read<List<BucketRow>> others = seat == null ? r.bucketsIfShort(event, section, a.bucket(), a.units()) : null;
        r.fetch();
        if (a.mayBeDone()) {
            Optional<HoldRow> done = replay(logged.get(), existing.get(), key, a);
            if (done.isPresent()) {
                return Recipes.answer(tx, Rows.hold(done.get()));
            }
        }
        // Guard: verified buyers only, and the per-buyer cap. Revocation writes this same row.
        Optional<Rejection> refused = Recipes.allowanceRefusal(event, a.buyer(), allowance.get(), a.units());
        if (refused.isPresent()) {
            return Recipes.reject(tx, refused.get());
        }
        int[] takes = null; // units per bucket, when the first bucket alone will not do
        int holdBucket;
        if (seat != null) {
            SeatRow s = seat.get().orElseThrow(() -> new NotFoundException("seat",
                    event.value() + "/" + section.value() + "/" + a.seat().get().value()));
            // Guard: one seat, one holder. Every rival for this seat writes this row.
            if (s.state() != SeatState.AVAILABLE) {
                return Recipes.reject(tx, new Rejection.SeatTaken(event, section, a.seat().get()));
            }
            holdBucket = -1;
        } else {
            BucketRow first = bucket.get().orElseThrow(() -> new IllegalStateException("no bucket " + a.bucket()
                    + " in " + event + "/" + section));
            a.section().noteStock(first.bucket(), first.remaining());
            if (first.remaining() >= a.units()) {
                holdBucket = first.bucket();
            } else {
                takes = new int[a.section().buckets()];
                long left = planFromOthers(a.section(), others.get(), a.bucket(), a.units(), takes);
                if (left >= 0) {
                    return Recipes.reject(tx, new Rejection.SoldOut(event, section, a.units(), left));
                }
                holdBucket = firstTaken(takes, a.bucket());
            }
        }
        HoldRow row = newHold(tx.now(), a.id(), a.section(), a.seat(), a.buyer(), a.units(), holdBucket, a.ttl());
        Writes w = tx.writes();
        w.insertOperation(logRow(key, row));
        w.insertHold(row);
        w.chargeAllowance(event, a.buyer(), a.units());
        // Guard last: no oversell (or one holder per seat). Every rival for this stock or seat writes this row.
        if (seat != null) {
            w.claimSeat(event, section, a.seat().get(), a.id());
        } else if (takes == null) {
            w.takeUnits(event, section, holdBucket, a.units());
        } else {
            for (int b = 0; b < takes.length; b++) {
                if (takes[b] > 0) {
                    w.takeUnits(event, section, b, takes[b]);
                }
            }
        }
        return Outcome.ok(Rows.hold(row));
    }

    /**
     * Plans {@code units} from the section's other buckets, in the snapshot {@code buckets} read when the first one
     * was short: the next bucket with enough, else split over the fullest.
     *
     * @return -1 when planned into {@code takes}, else the units left in that snapshot (an honest sold-out: one
     *         snapshot saw too little everywhere)
     */
    private static long planFromOthers(SectionState s, List<BucketRow> buckets, int first, int units, int[] takes) {
        long total = 0;
        for (BucketRow b : buckets) {
            total += Math.max(0, b.remaining());
            s.noteStock(b.bucket(), b.remaining());
        }
        if (total < units) {
            return total;
        }
        int n = buckets.size();
        for (int i = 1; i < n; i++) {
            BucketRow b = buckets.get((first + i) % n);
            if (b.remaining() >= units) {
                takes[b.bucket()] = units;
                return -1;
            }
        }
        List<BucketRow> fullest = new ArrayList<>(buckets);
        fullest.sort((x, y) -> Integer.compare(y.remaining(), x.remaining()));
        int need = units;
        for (BucketRow b : fullest) {
            if (need == 0) {
                break;
            }
            int take = Math.min(need, b.remaining());
            if (take > 0) {
                takes[b.bucket()] = take;
                need -= take;
            }
        }
        return -1;
    }

    /** The bucket a hold's units return to: where it started if it took from there, else the first it took from. */
    private static int firstTaken(int[] takes, int preferred) {
        if (takes[preferred] > 0) {
            return preferred;
        }
        for (int b = 0; b < takes.length; b++) {
            if (takes[b] > 0) {
                return b;
            }
        }
        throw new IllegalStateException("a planned hold takes no stock");
    }

    /** A new hold, stamped with the store's clock (in microseconds, as SQL stores it). */
    private static HoldRow newHold(Instant storeNow, HoldId id, SectionState s, Optional<SeatId> seat, BuyerId buyer,
                                   int units, int bucket, Duration ttl) {
        Instant created = storeNow.truncatedTo(ChronoUnit.MICROS);
        return new HoldRow(id, s.eventId(), s.row().section(), seat, buyer, units, bucket, HoldStatus.HELD, created,
                created.plus(ttl).truncatedTo(ChronoUnit.MICROS), s.row().faceValueMinor());
    }

    private static OperationRow logRow(OperationKey key, HoldRow hold) {
        return new OperationRow(key, Operation.HOLD, hold.event(), hold.id().toString(), hold.buyer().value(),
                hold.units(), 0);
    }

    /**
     * The hold a repeated call is answered with, when its log row exists already; empty if neither row does.
     *
     * @throws KeyReusedException if the id was used for other work
     */
    private static Optional<HoldRow> replay(Optional<OperationRow> logged, Optional<HoldRow> existing,
                                            OperationKey key, HoldArgs a) {
        if (logged.isEmpty()) {
            if (existing.isPresent()) {
                throw new KeyReusedException(key, "hold " + a.id() + " exists without its operation record");
            }
            return Optional.empty();
        }
        OperationRow done = logged.get();
        if (done.operation() != Operation.HOLD || !done.actor().equals(a.buyer().value())
                || done.units() != a.units()) {
            throw new KeyReusedException(key, "it belongs to " + done.operation().label() + " by " + done.actor()
                    + " of " + done.units() + " unit(s)");
        }
        HoldRow hold = existing.orElseThrow(
                () -> new KeyReusedException(key, "its hold " + a.id() + " does not exist"));
        // Same buyer and units is not enough: the same id on another section or seat is other work, and answering it
        // with this hold would tell the caller they hold what they never asked for.
        if (!hold.event().equals(a.section().eventId()) || !hold.section().equals(a.section().row().section())
                || !hold.seat().equals(a.seat())) {
            throw new KeyReusedException(key, "hold " + a.id() + " is on " + hold.event() + "/" + hold.section()
                    + hold.seat().map(seat -> "/" + seat).orElse(""));
        }
        return Optional.of(hold);
    }

    // ------------------------------------------------------------------ combined holds

    /**
     * One caller inside a combined hold.
     *
     * @param mayBeDone whether the hold may already exist: its id was chosen by the caller, who may be repeating it
     */
    record BatchMember(HoldId id, BuyerId buyer, int units, Duration ttl, boolean mayBeDone) {
        BatchMember(HoldId id, BuyerId buyer, int units, Duration ttl) {
            this(id, buyer, units, ttl, false);
        }
    }

    /**
     * Serves several general-admission holds on one section in one transaction: one decrement per bucket for all of
     * them instead of one transaction each. Each member gets its own outcome; a member that is refused (not verified,
     * over its cap, no stock) writes nothing, so it cannot fail the others. It plans from one round of reads
     * (every bucket, every member's allowance) and writes with the same guards as a single hold; a rival that commits
     * in between makes the whole batch fail as a conflict, and it is retried.
     *
     * <p>On a retry (an earlier attempt may have committed with its acknowledgement lost) and for members whose hold
     * may exist already, the members' log rows are read in the same round: such a member is answered from its hold.
     *
     * @return one outcome per member, in order; {@code null} for a member that needs stock from several buckets and
     *         must be served on its own, and for a member in {@code failures}
     */
    static List<Outcome<Hold>> holdBatch(StoreTransaction tx, SectionState s, int first, List<BatchMember> members,
                                         int attempt) {
        return holdBatch(tx, s, first, members, attempt, new java.util.HashMap<>());
    }

    /**
     * As above, handing back in {@code failures} (by member index) the members whose own call is in error (a key
     * reused for other work): those get no outcome, and the rest are served.
     */
    static List<Outcome<Hold>> holdBatch(StoreTransaction tx, SectionState s, int first, List<BatchMember> members,
                                         int attempt, Map<Integer, RuntimeException> failures) {
        failures.clear();
        EventId event = s.eventId();
        SectionId section = s.row().section();
        int n = members.size();
        Reads r = tx.reads();
        Read<List<BucketRow>> bucketsRead = r.buckets(event, section);
        Set<BuyerId> buyers = new LinkedHashSet<>();
        for (BatchMember m : members) {
            buyers.add(m.buyer());
        }
        Read<Map<BuyerId, AllowanceRow>> allowanceRead = r.allowances(event, buyers);
        List<Read<Optional<OperationRow>>> logged = new ArrayList<>(n);
        List<Read<Optional<HoldRow>>> existing = new ArrayList<>(n);
        for (BatchMember m : members) {
            boolean look = attempt > 1 || m.mayBeDone();
            logged.add(look ? r.operation(OperationKey.of(m.id().value())) : null);
            existing.add(look ? r.hold(m.id()) : null);
        }
        r.fetch();

        List<BucketRow> snapshot = bucketsRead.get();
        int[] left = new int[s.buckets()];
        long total = 0;
        for (BucketRow b : snapshot) {
            left[b.bucket()] = Math.max(0, b.remaining());
            total += left[b.bucket()];
            s.noteStock(b.bucket(), b.remaining());
        }
        Map<BuyerId, AllowanceRow> allowances = allowanceRead.get();
        Map<BuyerId, int[]> used = new HashMap<>(); // units each buyer has used, as the plan goes
        @SuppressWarnings({"unchecked", "rawtypes"})
        Outcome<Hold>[] results = new Outcome[n];
        int[] plan = new int[n];
        Arrays.fill(plan, -1);
        boolean[] deferred = new boolean[n];
        for (int i = 0; i < n; i++) {
            BatchMember m = members.get(i);
            if (logged.get(i) != null) {
                Optional<HoldRow> done;
                try {
                    done = replay(logged.get(i).get(), existing.get(i).get(), OperationKey.of(m.id().value()),
                            new HoldArgs(s, m.id(), Optional.empty(), m.buyer(), m.units(), m.ttl(), first, true));
                } catch (KeyReusedException e) {
                    failures.put(i, e); // this member's own error: the others are served
                    continue;
                }
                if (done.isPresent()) {
                    results[i] = Outcome.ok(Rows.hold(done.get()));
                    continue;
                }
            }
            Optional<AllowanceRow> allowance = Optional.ofNullable(allowances.get(m.buyer()));
            int[] u = used.computeIfAbsent(m.buyer(), b -> new int[] {allowance.map(AllowanceRow::used).orElse(0)});
            Optional<Rejection> refused = Recipes.allowanceRefusal(event, m.buyer(), allowance, u[0], m.units());
            if (refused.isPresent()) {
                results[i] = Outcome.rejected(refused.get());
                continue;
            }
            int chosen = -1;
            for (int k = 0; k < left.length && chosen < 0; k++) {
                int b = (first + k) % left.length;
                if (left[b] >= m.units()) {
                    chosen = b;
                }
            }
            if (chosen < 0) {
                if (total >= m.units()) {
                    deferred[i] = true; // enough stock, but split over buckets: serve it on its own
                } else {
                    results[i] = Outcome.rejected(new Rejection.SoldOut(event, section, m.units(), total));
                }
                continue;
            }
            plan[i] = chosen;
            left[chosen] -= m.units();
            total -= m.units();
            u[0] += m.units();
        }

        Instant now = tx.now();
        HoldRow[] rows = new HoldRow[n];
        boolean anyWrite = false;
        for (int i = 0; i < n; i++) {
            if (plan[i] >= 0) {
                BatchMember m = members.get(i);
                rows[i] = newHold(now, m.id(), s, Optional.empty(), m.buyer(), m.units(), plan[i], m.ttl());
                results[i] = Outcome.ok(Rows.hold(rows[i]));
                anyWrite = true;
            }
        }
        if (!anyWrite) {
            tx.markRollbackOnly(); // every member refused, answered from the log or deferred: nothing to commit
            return Arrays.asList(results);
        }
        Writes w = tx.writes();
        // Each kind of row together, so a store can send each kind as one statement.
        for (HoldRow row : rows) {
            if (row != null) {
                w.insertOperation(logRow(OperationKey.of(row.id().value()), row));
            }
        }
        // Charges per buyer, in a fixed order so two batches never lock the same allowances in opposite orders.
        Map<BuyerId, Integer> charges = new TreeMap<>(Comparator.comparing(BuyerId::value));
        int[] take = new int[left.length];
        for (HoldRow row : rows) {
            if (row != null) {
                w.insertHold(row);
                charges.merge(row.buyer(), row.units(), Integer::sum);
                take[row.bucket()] += row.units();
            }
        }
        charges.forEach((buyer, units) -> w.chargeAllowance(event, buyer, units));
        // Guard: no oversell. One decrement per bucket covers every member planned on it.
        for (int b = 0; b < take.length; b++) {
            if (take[b] > 0) {
                w.takeUnits(event, section, b, take[b]);
            }
        }
        return Arrays.asList(results);
    }
}

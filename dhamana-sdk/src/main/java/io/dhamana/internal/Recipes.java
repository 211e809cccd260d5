package io.dhamana.internal;

import java.util.Map;
import java.util.HashMap;
import java.util.Arrays;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.KeyReusedException;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.NotFoundException;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.Verification;
import io.dhamana.VerificationStatus;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.Constraint;
import io.dhamana.spi.ConstraintViolationException;
import io.dhamana.spi.Expiry;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.ListingRow;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.NewHold;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketRow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.Optional;
import java.util.Set;

/**
 * The business logic of every operation, written once against {@link StoreTransaction}. Each recipe runs inside one
 * transaction attempt; a rejection marks the transaction rollback-only so a refused call writes nothing.
 *
 * <p>Order of writes: the operation-log insert comes first (it is the idempotency check and never contends), the
 * contested guard row comes last, so on a locking store (PostgreSQL) the hot row's lock is held for the shortest
 * time.
 */
final class Recipes {
    static final String SYSTEM = "system";

    private Recipes() {}

    // ------------------------------------------------------------------ hold

    /** Everything a hold attempt needs; {@code bucket} is where the attempt starts (ignored for seats). */
    record HoldArgs(SectionState section, HoldId id, Optional<SeatId> seat, BuyerId buyer, int units, Duration ttl,
                    int bucket) {}

    static Outcome<Hold> hold(StoreTransaction tx, HoldArgs a) {
        EventId event = a.section().eventId();
        SectionId section = a.section().row().section();
        OperationKey key = OperationKey.of(a.id().value());
        OperationRow op = new OperationRow(key, Operation.HOLD, event, a.id().toString(), a.buyer().value(),
                a.units(), 0);
        if (!tx.insertOperation(op)) {
            return replayHold(tx, key, a);
        }
        int bucket = a.seat().isPresent() ? -1 : a.bucket();
        Optional<HoldRow> inserted = tx.insertHold(new NewHold(a.id(), event, section, a.seat(), a.buyer(), a.units(),
                bucket, a.ttl(), a.section().row().faceValueMinor()));
        if (inserted.isEmpty()) {
            throw new KeyReusedException(key, "hold " + a.id() + " exists without its operation record");
        }
        // Guard: verified buyers only, and the per-buyer cap. Revocation writes this same row.
        if (!tx.chargeAllowance(event, a.buyer(), a.units())) {
            return reject(tx, allowanceRejection(tx, event, a.buyer(), a.units()));
        }
        if (a.seat().isPresent()) {
            SeatId seat = a.seat().get();
            // Guard: one seat, one holder. Every rival for this seat writes this row.
            if (!tx.claimSeat(event, section, seat, a.id())) {
                if (tx.seat(event, section, seat).isEmpty()) {
                    throw new NotFoundException("seat", event.value() + "/" + section.value() + "/" + seat.value());
                }
                return reject(tx, new Rejection.SeatTaken(event, section, seat));
            }
        } else {
            long left = takeStock(tx, a.section(), a.bucket(), a.units());
            if (left >= 0) {
                return reject(tx, new Rejection.SoldOut(event, section, a.units(), left));
            }
        }
        return Outcome.ok(Rows.hold(inserted.get()));
    }

    private static Outcome<Hold> replayHold(StoreTransaction tx, OperationKey key, HoldArgs a) {
        OperationRow done = tx.operation(key).orElseThrow(
                () -> new ConflictException("40001", "operation " + key + " vanished after its insert clashed", null));
        if (done.operation() != Operation.HOLD || !done.actor().equals(a.buyer().value())
                || done.units() != a.units()) {
            throw new KeyReusedException(key, "it belongs to " + done.operation().label() + " by " + done.actor()
                    + " of " + done.units() + " unit(s)");
        }
        HoldRow hold = tx.hold(a.id()).orElseThrow(
                () -> new KeyReusedException(key, "its hold " + a.id() + " does not exist"));
        // Same buyer and units is not enough: the same id on another section or seat is other work, and answering it
        // with this hold would tell the caller they hold what they never asked for.
        if (!hold.event().equals(a.section().eventId()) || !hold.section().equals(a.section().row().section())
                || !hold.seat().equals(a.seat())) {
            throw new KeyReusedException(key, "hold " + a.id() + " is on " + hold.event() + "/" + hold.section()
                    + hold.seat().map(seat -> "/" + seat).orElse(""));
        }
        return Outcome.ok(Rows.hold(hold));
    }

    /**
     * Takes {@code units} of stock, starting with bucket {@code first}; falls back to other buckets (and splits over
     * several) only when a snapshot of all of them shows enough.
     *
     * @return -1 on success, else the units left in the snapshot that showed too few (0 = sold out)
     */
    static long takeStock(StoreTransaction tx, SectionState s, int first, int units) {
        EventId event = s.eventId();
        SectionId section = s.row().section();
        // Guard: no oversell. Decrementing the bucket is the write every rival for this stock makes.
        if (tx.takeUnits(event, section, first, units)) {
            return -1;
        }
        List<BucketRow> buckets = tx.buckets(event, section);
        long total = 0;
        for (BucketRow b : buckets) {
            total += Math.max(0, b.remaining());
            s.noteStock(b.bucket(), b.remaining());
        }
        if (total < units) {
            return total; // one snapshot saw too little everywhere: an honest sold-out
        }
        int n = buckets.size();
        for (int i = 1; i < n; i++) {
            BucketRow b = buckets.get((first + i) % n);
            if (b.remaining() >= units) {
                if (!tx.takeUnits(event, section, b.bucket(), units)) {
                    throw new ConflictException("40001", "bucket " + b.bucket() + " changed under the snapshot", null);
                }
                return -1;
            }
        }
        // No single bucket holds enough: split the hold over the fullest ones.
        List<BucketRow> fullest = new ArrayList<>(buckets);
        fullest.sort((x, y) -> Integer.compare(y.remaining(), x.remaining()));
        int need = units;
        for (BucketRow b : fullest) {
            if (need == 0) {
                break;
            }
            int take = Math.min(need, b.remaining());
            if (take <= 0) {
                continue;
            }
            if (!tx.takeUnits(event, section, b.bucket(), take)) {
                throw new ConflictException("40001", "bucket " + b.bucket() + " changed under the snapshot", null);
            }
            need -= take;
        }
        return -1;
    }

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
     * over its cap, no stock) writes nothing, so it cannot fail the others.
     *
     * <p>It plans from a snapshot (allowances, buckets) and then writes with the same guards as a single hold; if a
     * guard disagrees with the snapshot, a rival committed in between, and the whole batch is retried as a conflict.
     *
     * @return one outcome per member, in order; {@code null} for a member that needs stock from several buckets and
     *         must be served on its own
     */
    static List<Outcome<Hold>> holdBatch(StoreTransaction tx, SectionState s, int first, List<BatchMember> members) {
        return holdBatch(tx, s, first, members, 1);
    }

    /**
     * As above, on attempt {@code attempt} of the batch. On a retry (an earlier attempt may have committed with its
     * acknowledgement lost) and for members whose hold may exist already, the member's key is looked up before the
     * plan: the snapshot already holds such a member's own charge and stock, and judging it again would refuse a
     * hold that was made. A fresh, client-chosen id on a first attempt cannot be in the log, so it costs no read.
     */
    static List<Outcome<Hold>> holdBatch(StoreTransaction tx, SectionState s, int first, List<BatchMember> members,
                                         int attempt) {
        EventId event = s.eventId();
        SectionId section = s.row().section();
        int n = members.size();
        List<BucketRow> snapshot = tx.buckets(event, section);
        int[] left = new int[snapshot.size()];
        long total = 0;
        for (BucketRow b : snapshot) {
            left[b.bucket()] = Math.max(0, b.remaining());
            total += left[b.bucket()];
            s.noteStock(b.bucket(), b.remaining());
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Outcome<Hold>[] results = new Outcome[n];
        // Members that may have been served already (a retry, or a caller-chosen id) are looked up first.
        for (int i = 0; i < n; i++) {
            BatchMember m = members.get(i);
            if (attempt > 1 || m.mayBeDone()) {
                OperationKey key = OperationKey.of(m.id().value());
                if (tx.operation(key).isPresent()) {
                    results[i] = replayHold(tx, key, new HoldArgs(s, m.id(), Optional.empty(), m.buyer(), m.units(),
                            m.ttl(), first));
                }
            }
        }
        // Every other member's allowance in one read, then the plan from the snapshot.
        Set<BuyerId> buyers = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            if (results[i] == null) {
                buyers.add(members.get(i).buyer());
            }
        }
        Map<BuyerId, AllowanceRow> allowanceRows = buyers.isEmpty() ? Map.of()
                : tx.allowances(event, List.copyOf(buyers));
        Map<BuyerId, int[]> allowances = new HashMap<>(); // {verified ? 1 : 0, used, cap}
        int[] plan = new int[n];
        boolean[] deferred = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (results[i] != null) {
                continue;
            }
            BatchMember m = members.get(i);
            int[] a = allowances.computeIfAbsent(m.buyer(), b -> Optional.ofNullable(allowanceRows.get(b))
                    .map(r -> new int[] {r.status() == VerificationStatus.VERIFIED ? 1 : 0, r.used(), r.cap()})
                    .orElse(new int[] {0, 0, 0}));
            if (a[0] == 0) {
                results[i] = Outcome.rejected(new Rejection.NotVerified(event, m.buyer()));
                continue;
            }
            if (a[1] + m.units() > a[2]) {
                results[i] = Outcome.rejected(new Rejection.CapReached(event, m.buyer(), a[2], a[1], m.units()));
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
            a[1] += m.units();
        }
        // The writes, each kind sent together: log rows, holds, allowance charges, then one decrement per bucket.
        List<Integer> planned = new ArrayList<>();
        List<OperationRow> logRows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (results[i] == null && !deferred[i]) {
                BatchMember m = members.get(i);
                planned.add(i);
                logRows.add(new OperationRow(OperationKey.of(m.id().value()), Operation.HOLD, event,
                        m.id().toString(), m.buyer().value(), m.units(), 0));
            }
        }
        boolean[] logged = logRows.isEmpty() ? new boolean[0] : tx.insertOperations(logRows);
        List<Integer> fresh = new ArrayList<>();
        List<NewHold> newHolds = new ArrayList<>();
        for (int k = 0; k < planned.size(); k++) {
            int i = planned.get(k);
            BatchMember m = members.get(i);
            if (!logged[k]) {
                results[i] = replayHold(tx, logRows.get(k).key(), new HoldArgs(s, m.id(), Optional.empty(),
                        m.buyer(), m.units(), m.ttl(), plan[i]));
                continue;
            }
            fresh.add(i);
            newHolds.add(new NewHold(m.id(), event, section, Optional.empty(), m.buyer(), m.units(), plan[i], m.ttl(),
                    s.row().faceValueMinor()));
        }
        List<Optional<HoldRow>> inserted = newHolds.isEmpty() ? List.of() : tx.insertHolds(newHolds);
        // Charges per buyer, in a fixed order so two batches never lock the same allowances in opposite orders.
        Map<BuyerId, Integer> charges = new TreeMap<>(Comparator.comparing(BuyerId::value));
        int[] take = new int[left.length];
        for (int k = 0; k < fresh.size(); k++) {
            int i = fresh.get(k);
            BatchMember m = members.get(i);
            Optional<HoldRow> row = inserted.get(k);
            if (row.isEmpty()) {
                throw new KeyReusedException(OperationKey.of(m.id().value()),
                        "hold " + m.id() + " exists without its operation record");
            }
            charges.merge(m.buyer(), m.units(), Integer::sum);
            take[plan[i]] += m.units();
            results[i] = Outcome.ok(Rows.hold(row.get()));
        }
        if (!charges.isEmpty()) {
            List<BuyerId> charged = new ArrayList<>(charges.keySet());
            int[] units = charges.values().stream().mapToInt(Integer::intValue).toArray();
            boolean[] held = tx.chargeAllowances(event, charged, units);
            for (int k = 0; k < held.length; k++) {
                if (!held[k]) {
                    throw new ConflictException("40001", "allowance of " + charged.get(k)
                            + " changed under the snapshot", null);
                }
            }
        }
        // Guard: no oversell. One decrement per bucket covers every member planned on it.
        for (int b = 0; b < take.length; b++) {
            if (take[b] > 0 && !tx.takeUnits(event, section, b, take[b])) {
                throw new ConflictException("40001", "bucket " + b + " changed under the snapshot", null);
            }
        }
        return Arrays.asList(results);
    }

    private static Rejection allowanceRejection(StoreTransaction tx, EventId event, BuyerId buyer, int units) {
        Optional<AllowanceRow> a = tx.allowance(event, buyer);
        if (a.isEmpty() || a.get().status() != VerificationStatus.VERIFIED) {
            return new Rejection.NotVerified(event, buyer);
        }
        return new Rejection.CapReached(event, buyer, a.get().cap(), a.get().used(), units);
    }

    // ------------------------------------------------------------------ release, expire, confirm, refund

    static Outcome<Hold> release(StoreTransaction tx, HoldId id) {
        HoldRow hold = tx.hold(id).orElseThrow(() -> new NotFoundException("hold", id.toString()));
        OperationKey key = Keys.derived("release", id);
        if (!tx.insertOperation(releaseRow(key, hold))) {
            expectDone(tx, key, Operation.RELEASE, id.toString());
            return Outcome.ok(Rows.hold(hold));
        }
        if (!tx.moveHold(id, HoldStatus.HELD, HoldStatus.RELEASED, Expiry.ANY)) {
            return reject(tx, new Rejection.WrongState("hold", id.toString(), hold.status().name(), "release"));
        }
        returnStock(tx, hold);
        return Outcome.ok(Rows.hold(hold.withStatus(HoldStatus.RELEASED)));
    }

    private static OperationRow releaseRow(OperationKey key, HoldRow hold) {
        return new OperationRow(key, Operation.RELEASE, hold.event(), hold.id().toString(), hold.buyer().value(),
                hold.units(), 0);
    }

    /**
     * Releases up to {@code limit} held holds of the event in this transaction (a sale closing); returns how many.
     * Each release is keyed like a single {@link #release}, so a repeated or overlapping batch does nothing twice.
     */
    static int releaseBatch(StoreTransaction tx, EventId event, int limit) {
        int released = 0;
        for (HoldRow hold : tx.heldHolds(event, limit)) {
            if (!tx.moveHold(hold.id(), HoldStatus.HELD, HoldStatus.RELEASED, Expiry.ANY)) {
                continue;
            }
            if (!tx.insertOperation(releaseRow(Keys.derived("release", hold.id()), hold))) {
                throw new IllegalStateException("hold " + hold.id() + " was HELD but its release is already logged");
            }
            returnStock(tx, hold);
            released++;
        }
        return released;
    }

    /** Expires up to {@code limit} lapsed holds in this transaction; returns how many. */
    static int expireBatch(StoreTransaction tx, int limit) {
        int expired = 0;
        for (HoldRow hold : tx.expiredHolds(limit)) {
            // The expiry condition is re-checked by the store's clock inside the guarded write.
            if (!tx.moveHold(hold.id(), HoldStatus.HELD, HoldStatus.EXPIRED, Expiry.EXPIRED)) {
                continue;
            }
            OperationKey key = Keys.derived("expire", hold.id());
            if (!tx.insertOperation(new OperationRow(key, Operation.EXPIRE_HOLDS, hold.event(), hold.id().toString(),
                    SYSTEM, hold.units(), 0))) {
                throw new IllegalStateException("hold " + hold.id() + " was HELD but its expiry is already logged");
            }
            returnStock(tx, hold);
            expired++;
        }
        return expired;
    }

    /** Gives a released or expired hold's stock back and credits the buyer's allowance. */
    private static void returnStock(StoreTransaction tx, HoldRow hold) {
        if (hold.seat().isPresent()) {
            if (!tx.moveSeat(hold.event(), hold.section(), hold.seat().get(), hold.id(), SeatState.HELD,
                    SeatState.AVAILABLE)) {
                throw new IllegalStateException("seat " + hold.seat().get() + " is not held by hold " + hold.id());
            }
        } else {
            tx.returnUnits(hold.event(), hold.section(), hold.bucket(), hold.units());
        }
        if (!tx.creditAllowance(hold.event(), hold.buyer(), hold.units())) {
            throw new IllegalStateException("allowance of " + hold.buyer() + " is below the " + hold.units()
                    + " unit(s) of hold " + hold.id());
        }
    }

    static Outcome<List<Ticket>> confirm(StoreTransaction tx, HoldId id) {
        HoldRow hold = tx.hold(id).orElseThrow(() -> new NotFoundException("hold", id.toString()));
        OperationKey key = Keys.derived("confirm", id);
        long total = hold.unitPriceMinor() * hold.units();
        if (!tx.insertOperation(new OperationRow(key, Operation.CONFIRM, hold.event(), id.toString(),
                hold.buyer().value(), hold.units(), total))) {
            expectDone(tx, key, Operation.CONFIRM, id.toString());
            return Outcome.ok(tx.ticketsOfHold(id).stream().map(Rows::ticket).toList());
        }
        // Guard: the hold row moves HELD -> CONFIRMED only while unexpired by the store's clock, so a confirm racing
        // the expiry sweeper (which writes the same row) cannot both win.
        if (!tx.moveHold(id, HoldStatus.HELD, HoldStatus.CONFIRMED, Expiry.UNEXPIRED)) {
            if (hold.status() == HoldStatus.HELD) {
                return reject(tx, new Rejection.HoldExpired(id, hold.expiresAt()));
            }
            return reject(tx, new Rejection.WrongState("hold", id.toString(), hold.status().name(), "confirm"));
        }
        List<TicketRow> rows = new ArrayList<>(hold.units());
        for (int i = 0; i < hold.units(); i++) {
            rows.add(new TicketRow(TicketId.of(Keys.ticketId(id.value(), i)), id, hold.event(), hold.section(),
                    hold.seat(), hold.bucket(), hold.buyer(), TicketState.VALID, Keys.entryCode(),
                    hold.unitPriceMinor()));
        }
        tx.insertTickets(rows);
        if (hold.seat().isPresent() && !tx.moveSeat(hold.event(), hold.section(), hold.seat().get(), id,
                SeatState.HELD, SeatState.SOLD)) {
            throw new IllegalStateException("seat " + hold.seat().get() + " is not held by hold " + id);
        }
        tx.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.buyerAccount(hold.buyer()), -total),
                new MoneyEntry(key, 1, Rows.eventAccount(hold.event()), total)));
        return Outcome.ok(rows.stream().map(Rows::ticket).toList());
    }

    static Outcome<Ticket> refund(StoreTransaction tx, TicketId id) {
        TicketRow t = tx.ticket(id).orElseThrow(() -> new NotFoundException("ticket", id.toString()));
        OperationKey key = Keys.derived("refund", id);
        if (!tx.insertOperation(refundRow(key, t))) {
            expectDone(tx, key, Operation.REFUND, id.toString());
            return Outcome.ok(Rows.ticket(t));
        }
        if (!refundValid(tx, key, t)) {
            return reject(tx, new Rejection.WrongState("ticket", id.toString(), t.state().name(), "refund"));
        }
        return Outcome.ok(Rows.ticket(new TicketRow(t.id(), t.hold(), t.event(), t.section(), t.seat(), t.bucket(),
                t.owner(), TicketState.REFUNDED, t.code(), t.faceValueMinor())));
    }

    /**
     * Refunds up to {@code limit} valid tickets of the event in this transaction (an event cancelled); returns how
     * many. Each refund is keyed like a single {@link #refund}, so a repeated batch does nothing twice.
     */
    static int refundBatch(StoreTransaction tx, EventId event, int limit) {
        int refunded = 0;
        for (TicketRow t : tx.validTickets(event, limit)) {
            OperationKey key = Keys.derived("refund", t.id());
            if (!tx.insertOperation(refundRow(key, t))) {
                throw new IllegalStateException("ticket " + t.id() + " is VALID but its refund is already logged");
            }
            if (!refundValid(tx, key, t)) {
                throw new ConflictException("40001", "ticket " + t.id() + " changed under the snapshot", null);
            }
            refunded++;
        }
        return refunded;
    }

    private static OperationRow refundRow(OperationKey key, TicketRow t) {
        return new OperationRow(key, Operation.REFUND, t.event(), t.id().toString(), t.owner().value(), 1,
                t.faceValueMinor());
    }

    /** Moves a valid ticket to refunded and gives its unit, allowance and money back; false if it was not valid. */
    private static boolean refundValid(StoreTransaction tx, OperationKey key, TicketRow t) {
        if (!tx.moveTicket(t.id(), t.owner(), TicketState.VALID, TicketState.REFUNDED, t.owner(), Optional.empty())) {
            return false;
        }
        if (t.seat().isPresent()) {
            if (!tx.moveSeat(t.event(), t.section(), t.seat().get(), t.hold(), SeatState.SOLD, SeatState.AVAILABLE)) {
                throw new IllegalStateException("seat " + t.seat().get() + " is not sold to hold " + t.hold());
            }
        } else {
            tx.returnUnits(t.event(), t.section(), t.bucket(), 1);
        }
        if (!tx.creditAllowance(t.event(), t.owner(), 1)) {
            throw new IllegalStateException("allowance of " + t.owner() + " is empty but they own ticket " + t.id());
        }
        tx.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.eventAccount(t.event()), -t.faceValueMinor()),
                new MoneyEntry(key, 1, Rows.buyerAccount(t.owner()), t.faceValueMinor())));
        return true;
    }

    // ------------------------------------------------------------------ verification

    static Outcome<Verification> verify(StoreTransaction tx, OperationKey key, EventId event, BuyerId buyer,
                                        String evidence, int cap) {
        if (!tx.insertOperation(new OperationRow(key, Operation.VERIFY_FAN, event, buyer.value(), buyer.value(), 0,
                0))) {
            expectDone(tx, key, Operation.VERIFY_FAN, buyer.value());
            return Outcome.ok(Rows.verification(tx.allowance(event, buyer).orElseThrow(
                    () -> new KeyReusedException(key, "its verification does not exist"))));
        }
        return Outcome.ok(Rows.verification(tx.verify(event, buyer, evidence, cap)));
    }

    static Outcome<Verification> revoke(StoreTransaction tx, OperationKey key, EventId event, BuyerId buyer) {
        // The key first, like every call: an attempt whose commit acknowledgement was lost is found done here, even
        // if the buyer has been verified again since (revoking again would undo that verification).
        if (!tx.insertOperation(new OperationRow(key, Operation.REVOKE_FAN, event, buyer.value(), SYSTEM, 0, 0))) {
            expectDone(tx, key, Operation.REVOKE_FAN, buyer.value());
            return Outcome.ok(Rows.verification(tx.allowance(event, buyer).orElseThrow(
                    () -> new KeyReusedException(key, "its verification does not exist"))));
        }
        if (!tx.revoke(event, buyer)) {
            Optional<AllowanceRow> a = tx.allowance(event, buyer);
            if (a.isEmpty()) {
                return reject(tx, new Rejection.NotVerified(event, buyer));
            }
            tx.markRollbackOnly(); // already revoked: nothing to write, not even the log row
            return Outcome.ok(Rows.verification(a.get()));
        }
        return Outcome.ok(Rows.verification(tx.allowance(event, buyer).orElseThrow()));
    }

    // ------------------------------------------------------------------ resale

    static Outcome<Listing> list(StoreTransaction tx, ListingId id, TicketId ticket, BuyerId seller, long ask,
                                 int resaleCapBps) {
        TicketRow t = tx.ticket(ticket).orElseThrow(() -> new NotFoundException("ticket", ticket.toString()));
        OperationKey key = OperationKey.of(id.value());
        if (!tx.insertOperation(new OperationRow(key, Operation.LIST_FOR_RESALE, t.event(), id.toString(),
                seller.value(), 0, ask))) {
            OperationRow done = expectDone(tx, key, Operation.LIST_FOR_RESALE, id.toString());
            if (!done.actor().equals(seller.value()) || done.amountMinor() != ask) {
                throw new KeyReusedException(key, "listing " + id + " was made by " + done.actor() + " at "
                        + done.amountMinor());
            }
            ListingRow listed = tx.listing(id).orElseThrow(
                    () -> new KeyReusedException(key, "its listing does not exist"));
            if (!listed.ticket().equals(ticket)) {
                throw new KeyReusedException(key, "listing " + id + " is of ticket " + listed.ticket());
            }
            return Outcome.ok(Rows.listing(listed));
        }
        // Guard: the ticket row; only its owner can move it VALID -> LISTED.
        if (!tx.moveTicket(ticket, seller, TicketState.VALID, TicketState.LISTED, seller, Optional.empty())) {
            if (!t.owner().equals(seller)) {
                return reject(tx, new Rejection.NotOwner(ticket, seller));
            }
            return reject(tx, new Rejection.WrongState("ticket", ticket.toString(), t.state().name(), "list"));
        }
        Optional<ListingRow> listing;
        try {
            // The store derives the cap from its own rows; its constraint, not this code, refuses a high ask.
            listing = tx.insertListing(id, ticket, seller, ask);
        } catch (ConstraintViolationException e) {
            if (e.constraint() != Constraint.ASK_WITHIN_CAP) {
                throw e;
            }
            return reject(tx, new Rejection.AskAboveCap(ticket, ask,
                    Math.multiplyExact(t.faceValueMinor(), (long) resaleCapBps) / 10_000));
        }
        if (listing.isEmpty()) {
            throw new KeyReusedException(key, "listing " + id + " exists without its operation record");
        }
        return Outcome.ok(Rows.listing(listing.get()));
    }

    static Outcome<Listing> withdraw(StoreTransaction tx, ListingId id, BuyerId seller) {
        ListingRow l = tx.listing(id).orElseThrow(() -> new NotFoundException("listing", id.toString()));
        if (!l.seller().equals(seller)) {
            return reject(tx, new Rejection.NotOwner(l.ticket(), seller));
        }
        OperationKey key = Keys.derived("withdraw", id);
        if (!tx.insertOperation(new OperationRow(key, Operation.WITHDRAW_LISTING, l.event(), id.toString(),
                seller.value(), 0, 0))) {
            expectDone(tx, key, Operation.WITHDRAW_LISTING, id.toString());
            return Outcome.ok(Rows.listing(l));
        }
        if (!tx.moveListing(id, ListingState.ACTIVE, ListingState.WITHDRAWN, Optional.empty())) {
            return reject(tx, new Rejection.WrongState("listing", id.toString(), l.state().name(), "withdraw"));
        }
        if (!tx.moveTicket(l.ticket(), seller, TicketState.LISTED, TicketState.VALID, seller, Optional.empty())) {
            throw new IllegalStateException("ticket " + l.ticket() + " of active listing " + id + " is not listed");
        }
        return Outcome.ok(Rows.listing(with(l, ListingState.WITHDRAWN, l.buyer())));
    }

    static Outcome<Listing> buy(StoreTransaction tx, ListingId id, BuyerId buyer) {
        ListingRow l = tx.listing(id).orElseThrow(() -> new NotFoundException("listing", id.toString()));
        if (l.seller().equals(buyer)) {
            return reject(tx, new Rejection.WrongState("listing", id.toString(), "offered by the buyer", "buy"));
        }
        OperationKey key = Keys.derived("buy", id, buyer.value());
        if (!tx.insertOperation(new OperationRow(key, Operation.BUY_LISTING, l.event(), id.toString(),
                buyer.value(), 1, l.askMinor()))) {
            expectDone(tx, key, Operation.BUY_LISTING, id.toString());
            return Outcome.ok(Rows.listing(l));
        }
        // Guard: the listing row moves ACTIVE -> SOLD once; a second buyer writes the same row and loses.
        if (!tx.moveListing(id, ListingState.ACTIVE, ListingState.SOLD, Optional.of(buyer))) {
            return reject(tx, new Rejection.WrongState("listing", id.toString(), l.state().name(), "buy"));
        }
        if (!tx.chargeAllowance(l.event(), buyer, 1)) {
            return reject(tx, allowanceRejection(tx, l.event(), buyer, 1));
        }
        // Guard: the ticket row changes owner only from the seller, and its entry code rotates.
        if (!tx.moveTicket(l.ticket(), l.seller(), TicketState.LISTED, TicketState.IN_ESCROW, buyer,
                Optional.of(Keys.entryCode()))) {
            throw new IllegalStateException("ticket " + l.ticket() + " of active listing " + id + " is not listed");
        }
        tx.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.buyerAccount(buyer), -l.askMinor()),
                new MoneyEntry(key, 1, Rows.escrowAccount(id), l.askMinor())));
        return Outcome.ok(Rows.listing(with(l, ListingState.SOLD, Optional.of(buyer))));
    }

    static Outcome<Listing> settle(StoreTransaction tx, ListingId id) {
        ListingRow l = tx.listing(id).orElseThrow(() -> new NotFoundException("listing", id.toString()));
        OperationKey key = Keys.derived("settle", id);
        if (!tx.insertOperation(new OperationRow(key, Operation.SETTLE, l.event(), id.toString(), SYSTEM, 0,
                l.askMinor()))) {
            expectDone(tx, key, Operation.SETTLE, id.toString());
            return Outcome.ok(Rows.listing(l));
        }
        if (!tx.moveListing(id, ListingState.SOLD, ListingState.SETTLED, Optional.empty())) {
            return reject(tx, new Rejection.WrongState("listing", id.toString(), l.state().name(), "settle"));
        }
        BuyerId buyer = l.buyer().orElseThrow(() -> new IllegalStateException("sold listing " + id + " has no buyer"));
        if (!tx.moveTicket(l.ticket(), buyer, TicketState.IN_ESCROW, TicketState.VALID, buyer, Optional.empty())) {
            throw new IllegalStateException("ticket " + l.ticket() + " of sold listing " + id + " is not in escrow");
        }
        if (!tx.creditAllowance(l.event(), l.seller(), 1)) {
            throw new IllegalStateException("allowance of seller " + l.seller() + " is empty");
        }
        tx.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.escrowAccount(id), -l.askMinor()),
                new MoneyEntry(key, 1, Rows.buyerAccount(l.seller()), l.askMinor())));
        return Outcome.ok(Rows.listing(with(l, ListingState.SETTLED, l.buyer())));
    }

    static Outcome<Listing> cancelSale(StoreTransaction tx, ListingId id) {
        ListingRow l = tx.listing(id).orElseThrow(() -> new NotFoundException("listing", id.toString()));
        OperationKey key = Keys.derived("cancel-sale", id);
        if (!tx.insertOperation(new OperationRow(key, Operation.CANCEL_SALE, l.event(), id.toString(), SYSTEM, 0,
                l.askMinor()))) {
            expectDone(tx, key, Operation.CANCEL_SALE, id.toString());
            return Outcome.ok(Rows.listing(l));
        }
        if (!tx.moveListing(id, ListingState.SOLD, ListingState.REFUNDED, Optional.empty())) {
            return reject(tx, new Rejection.WrongState("listing", id.toString(), l.state().name(), "cancel the sale of"));
        }
        BuyerId buyer = l.buyer().orElseThrow(() -> new IllegalStateException("sold listing " + id + " has no buyer"));
        if (!tx.moveTicket(l.ticket(), buyer, TicketState.IN_ESCROW, TicketState.VALID, l.seller(),
                Optional.of(Keys.entryCode()))) {
            throw new IllegalStateException("ticket " + l.ticket() + " of sold listing " + id + " is not in escrow");
        }
        if (!tx.creditAllowance(l.event(), buyer, 1)) {
            throw new IllegalStateException("allowance of buyer " + buyer + " is empty");
        }
        tx.insertMoney(List.of(
                new MoneyEntry(key, 0, Rows.escrowAccount(id), -l.askMinor()),
                new MoneyEntry(key, 1, Rows.buyerAccount(buyer), l.askMinor())));
        return Outcome.ok(Rows.listing(with(l, ListingState.REFUNDED, l.buyer())));
    }

    // ------------------------------------------------------------------ helpers

    private static ListingRow with(ListingRow l, ListingState state, Optional<BuyerId> buyer) {
        return new ListingRow(l.id(), l.ticket(), l.event(), l.seller(), l.askMinor(), l.capMinor(), state, buyer);
    }

    /** Checks that an existing operation record under {@code key} is this same call. */
    private static OperationRow expectDone(StoreTransaction tx, OperationKey key, Operation op, String subject) {
        OperationRow done = tx.operation(key).orElseThrow(
                () -> new ConflictException("40001", "operation " + key + " vanished after its insert clashed", null));
        if (done.operation() != op || !done.subject().equals(subject)) {
            throw new KeyReusedException(key, "it belongs to " + done.operation().label() + " of " + done.subject());
        }
        return done;
    }

    static <T> Outcome<T> reject(StoreTransaction tx, Rejection rejection) {
        tx.markRollbackOnly();
        return Outcome.rejected(rejection);
    }
}

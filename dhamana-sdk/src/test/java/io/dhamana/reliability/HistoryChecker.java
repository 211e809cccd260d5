package io.dhamana.reliability;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.SeatState;
import io.dhamana.SectionKind;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.reliability.History.Kind;
import io.dhamana.reliability.History.Op;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.ListingRow;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Checks a {@link History} against the rows the store committed, read in one snapshot after the run. Two kinds of
 * check:
 * <ul>
 *   <li><b>per operation</b>: every acknowledged call took effect exactly once (an {@code ok} hold exists once with
 *       its buyer and units; an {@code ok} confirm left its tickets, one log row and one balanced payment; an
 *       {@code ok} release, refund, listing, purchase, settlement, cancellation or withdrawal shows in the log once
 *       and left its subject in the state it reported); a call that only ever failed with a rejection left nothing;
 *       a call whose outcome was unknown took effect at most once, and then completely;
 *   <li><b>per row</b>, whatever the history: every state change has exactly the one log row that explains it and no
 *       other; no unit or seat is claimed twice; stock + held + sold = capacity in every section; each allowance
 *       equals what its buyer holds and owns, within the cap; every operation's money legs sum to zero.
 * </ul>
 * Violations are returned as sentences; an empty list means the history is explained by the rows.
 */
final class HistoryChecker {
    private static final int MAX_REPORTED = 60;

    /** Every committed row of one event, read in one snapshot. */
    record Rows(Map<HoldId, HoldRow> holds, Map<TicketId, TicketRow> tickets, Map<ListingId, ListingRow> listings,
                Map<OperationKey, OperationRow> operations, List<MoneyEntry> money, List<SectionRow> sections,
                List<BucketRow> buckets, List<SeatRow> seats, List<AllowanceRow> allowances) {

        static Rows read(TicketStore store, EventId event) {
            return store.inTransaction(TxMode.READ_ONLY, tx -> {
                Optional<EventId> e = Optional.of(event);
                Map<HoldId, HoldRow> holds = new HashMap<>();
                tx.scan(io.dhamana.spi.Table.HOLDS, e, h -> holds.put(h.id(), h));
                Map<TicketId, TicketRow> tickets = new HashMap<>();
                tx.scan(io.dhamana.spi.Table.TICKETS, e, t -> tickets.put(t.id(), t));
                Map<ListingId, ListingRow> listings = new HashMap<>();
                tx.scan(io.dhamana.spi.Table.LISTINGS, e, l -> listings.put(l.id(), l));
                Map<OperationKey, OperationRow> ops = new HashMap<>();
                tx.scan(io.dhamana.spi.Table.OPERATIONS, e, o -> ops.put(o.key(), o));
                List<MoneyEntry> money = new ArrayList<>();
                tx.scan(io.dhamana.spi.Table.MONEY, e, money::add);
                List<SectionRow> sections = new ArrayList<>();
                tx.scan(io.dhamana.spi.Table.SECTIONS, e, sections::add);
                List<BucketRow> buckets = new ArrayList<>();
                tx.scan(io.dhamana.spi.Table.BUCKETS, e, buckets::add);
                List<SeatRow> seats = new ArrayList<>();
                tx.scan(io.dhamana.spi.Table.SEATS, e, seats::add);
                List<AllowanceRow> allowances = new ArrayList<>();
                tx.scan(io.dhamana.spi.Table.ALLOWANCES, e, allowances::add);
                return new Rows(holds, tickets, listings, ops, money, sections, buckets, seats, allowances);
            });
        }
    }

    private record Subject(Operation operation, String subject) {}

    private final Rows rows;
    private final List<String> violations = new ArrayList<>();
    private long violationCount;
    /** Log rows by what they did and to what. */
    private final Map<Subject, List<OperationRow>> bySubject = new HashMap<>();
    private final Map<OperationKey, List<MoneyEntry>> legs = new HashMap<>();
    private final Map<HoldId, List<TicketRow>> ticketsOfHold = new HashMap<>();

    private HistoryChecker(Rows rows) {
        this.rows = rows;
        for (OperationRow o : rows.operations().values()) {
            bySubject.computeIfAbsent(new Subject(o.operation(), o.subject()), k -> new ArrayList<>()).add(o);
        }
        for (MoneyEntry m : rows.money()) {
            legs.computeIfAbsent(m.operation(), k -> new ArrayList<>()).add(m);
        }
        for (TicketRow t : rows.tickets().values()) {
            ticketsOfHold.computeIfAbsent(t.hold(), k -> new ArrayList<>()).add(t);
        }
    }

    /** What the check found. */
    record Verdict(long violations, List<String> examples, Map<Kind, long[]> counts, Map<String, Long> rejections) {
        boolean clean() {
            return violations == 0;
        }

        /** ok / fail / info per kind, as text. */
        String tally() {
            StringBuilder sb = new StringBuilder();
            counts.forEach((k, c) -> sb.append(k.name().toLowerCase(Locale.ROOT)).append(' ').append(c[0])
                    .append('/').append(c[1]).append('/').append(c[2]).append("  "));
            return sb.toString().strip();
        }
    }

    /** Checks {@code history} against {@code rows}. */
    static Verdict check(List<Op> history, Rows rows) {
        HistoryChecker c = new HistoryChecker(rows);
        c.checkOperations(history);
        c.checkRows();
        Map<Kind, long[]> counts = new EnumMap<>(Kind.class);
        Map<String, Long> rejections = new TreeMap<>();
        for (Op op : history) {
            long[] n = counts.computeIfAbsent(op.kind, k -> new long[3]);
            n[op.result == null ? 2 : op.result.ordinal()]++;
            if (op.rejection != null) {
                rejections.merge(op.rejection.code(), 1L, Long::sum);
            }
        }
        return new Verdict(c.violationCount, List.copyOf(c.violations), counts, rejections);
    }

    private void violation(String text, Object... args) {
        violationCount++;
        if (violations.size() < MAX_REPORTED) {
            violations.add(String.format(text, args));
        }
    }

    private List<OperationRow> logged(Operation op, Object subject) {
        return bySubject.getOrDefault(new Subject(op, String.valueOf(subject)), List.of());
    }

    // ------------------------------------------------------------------ per operation

    /** The calls that acted on one key, and how they ended. */
    private static final class Calls {
        final List<Op> ops = new ArrayList<>();
        boolean ok;
        boolean info;

        void add(Op op) {
            ops.add(op);
            ok |= op.isOk();
            info |= op.result == History.Result.INFO || op.result == null;
        }

        /** Only rejections and definite failures: nothing can have been written under this key. */
        boolean onlyFailed() {
            return !ok && !info;
        }
    }

    private static <K> Map<K, Calls> group(List<Op> history, Kind kind, Function<Op, K> key) {
        Map<K, Calls> out = new HashMap<>();
        for (Op op : history) {
            if (op.kind == kind) {
                out.computeIfAbsent(key.apply(op), k -> new Calls()).add(op);
            }
        }
        return out;
    }

    private void checkOperations(List<Op> history) {
        for (Op op : history) {
            if (op.result == null) {
                violation("op %d (%s) never completed", op.index, op.kind);
            }
        }
        checkHolds(history);
        checkHoldTransition(history, Kind.CONFIRM, Operation.CONFIRM, HoldStatus.CONFIRMED);
        checkHoldTransition(history, Kind.RELEASE, Operation.RELEASE, HoldStatus.RELEASED);
        checkConfirmedTickets(history);
        checkRefunds(history);
        checkListings(history);
        checkListingTransition(history, Kind.WITHDRAW, Operation.WITHDRAW_LISTING, ListingState.WITHDRAWN);
        checkListingTransition(history, Kind.SETTLE, Operation.SETTLE, ListingState.SETTLED);
        checkListingTransition(history, Kind.CANCEL, Operation.CANCEL_SALE, ListingState.REFUNDED);
        checkPurchases(history);
        checkVerifications(history);
        checkExpiries(history);
    }

    private void checkHolds(List<Op> history) {
        group(history, Kind.HOLD, op -> op.hold).forEach((id, calls) -> {
            HoldRow row = rows.holds().get(id);
            OperationRow log = rows.operations().get(OperationKey.of(id.value()));
            if (calls.ok) {
                if (row == null) {
                    violation("acknowledged hold %s is not in the rows", id);
                    return;
                }
                Op first = calls.ops.get(0);
                if (!row.buyer().equals(first.buyer) || row.units() != first.units
                        || !row.section().equals(first.section) || !row.seat().equals(Optional.ofNullable(first.seat))) {
                    violation("hold %s was asked as %s x%d of %s/%s but the row says %s", id, first.buyer,
                            first.units, first.section, first.seat, row);
                }
                for (Op op : calls.ops) {
                    if (op.isOk() && !op.value(Hold.class).id().equals(id)) {
                        violation("hold call %d was told about hold %s instead of %s", op.index,
                                op.value(Hold.class).id(), id);
                    }
                }
            }
            if (calls.onlyFailed() && (row != null || log != null)) {
                violation("hold %s was only ever refused (%s) but left rows", id, calls.ops.get(0).rejection);
            }
            if ((row == null) != (log == null)) {
                violation("hold %s: hold row %s but log row %s", id, row != null, log != null);
            }
        });
    }

    private void checkHoldTransition(List<Op> history, Kind kind, Operation logged, HoldStatus status) {
        group(history, kind, op -> op.hold).forEach((id, calls) -> {
            HoldRow row = rows.holds().get(id);
            List<OperationRow> log = logged(logged, id);
            if (calls.ok) {
                if (row == null || row.status() != status) {
                    violation("%s of hold %s was acknowledged but the hold is %s", kind, id,
                            row == null ? "missing" : row.status());
                }
                if (log.size() != 1) {
                    violation("%s of hold %s was acknowledged and is logged %d times", kind, id, log.size());
                }
            }
            if (calls.onlyFailed() && (!log.isEmpty() || (row != null && row.status() == status))) {
                violation("%s of hold %s was only ever refused but it is logged %d times and the hold is %s", kind,
                        id, log.size(), row == null ? "missing" : row.status());
            }
        });
    }

    private void checkConfirmedTickets(List<Op> history) {
        for (Op op : history) {
            if (op.kind != Kind.CONFIRM || !op.isOk()) {
                continue;
            }
            HoldRow hold = rows.holds().get(op.hold);
            @SuppressWarnings("unchecked")
            List<Ticket> told = (List<Ticket>) op.value;
            List<TicketRow> stored = ticketsOfHold.getOrDefault(op.hold, List.of());
            if (hold != null && (told.size() != hold.units() || stored.size() != hold.units())) {
                violation("confirm %d of hold %s (%d units) returned %d tickets; the rows hold %d", op.index,
                        op.hold, hold.units(), told.size(), stored.size());
            }
            for (Ticket t : told) {
                TicketRow r = rows.tickets().get(t.id());
                if (r == null || !r.hold().equals(op.hold)) {
                    violation("ticket %s returned by confirm %d is not a ticket of hold %s in the rows", t.id(),
                            op.index, op.hold);
                }
            }
        }
    }

    private void checkRefunds(List<Op> history) {
        group(history, Kind.REFUND, op -> op.ticket).forEach((id, calls) -> {
            TicketRow row = rows.tickets().get(id);
            List<OperationRow> log = logged(Operation.REFUND, id);
            if (calls.ok && (row == null || row.state() != TicketState.REFUNDED || log.size() != 1)) {
                violation("refund of ticket %s was acknowledged; the ticket is %s and the refund logged %d times",
                        id, row == null ? "missing" : row.state(), log.size());
            }
            if (calls.onlyFailed() && (!log.isEmpty() || (row != null && row.state() == TicketState.REFUNDED))) {
                violation("refund of ticket %s was only ever refused but it is logged %d times and the ticket is %s",
                        id, log.size(), row == null ? "missing" : row.state());
            }
        });
    }

    private void checkListings(List<Op> history) {
        group(history, Kind.LIST, op -> op.listing).forEach((id, calls) -> {
            ListingRow row = rows.listings().get(id);
            OperationRow log = rows.operations().get(OperationKey.of(id.value()));
            if (calls.ok) {
                Op first = calls.ops.get(0);
                if (row == null) {
                    violation("acknowledged listing %s is not in the rows", id);
                } else if (!row.ticket().equals(first.ticket) || !row.seller().equals(first.buyer)
                        || row.askMinor() != first.ask) {
                    violation("listing %s was asked as %s by %s at %d but the row says %s", id, first.ticket,
                            first.buyer, first.ask, row);
                }
            }
            if (calls.onlyFailed() && (row != null || log != null)) {
                violation("listing %s was only ever refused but left rows", id);
            }
            if ((row == null) != (log == null)) {
                violation("listing %s: listing row %s but log row %s", id, row != null, log != null);
            }
        });
    }

    private void checkListingTransition(List<Op> history, Kind kind, Operation logged, ListingState state) {
        group(history, kind, op -> op.listing).forEach((id, calls) -> {
            ListingRow row = rows.listings().get(id);
            List<OperationRow> log = logged(logged, id);
            if (calls.ok && (row == null || row.state() != state || log.size() != 1)) {
                violation("%s of listing %s was acknowledged; the listing is %s and it is logged %d times", kind, id,
                        row == null ? "missing" : row.state(), log.size());
            }
            if (calls.onlyFailed() && (!log.isEmpty() || (row != null && row.state() == state))) {
                violation("%s of listing %s was only ever refused but it is logged %d times and the listing is %s",
                        kind, id, log.size(), row == null ? "missing" : row.state());
            }
        });
    }

    private void checkPurchases(List<Op> history) {
        record Purchase(ListingId listing, BuyerId buyer) {}
        group(history, Kind.BUY, op -> new Purchase(op.listing, op.buyer)).forEach((p, calls) -> {
            ListingRow row = rows.listings().get(p.listing());
            long log = logged(Operation.BUY_LISTING, p.listing()).stream()
                    .filter(o -> o.actor().equals(p.buyer().value())).count();
            if (calls.ok) {
                boolean sold = row != null && row.buyer().equals(Optional.of(p.buyer()))
                        && (row.state() == ListingState.SOLD || row.state() == ListingState.SETTLED
                        || row.state() == ListingState.REFUNDED);
                if (!sold || log != 1) {
                    violation("purchase of listing %s by %s was acknowledged; the listing is %s and the purchase"
                            + " logged %d times", p.listing(), p.buyer(), row, log);
                }
                for (Op op : calls.ops) {
                    if (op.isOk() && !op.value(Listing.class).buyer().equals(Optional.of(p.buyer()))) {
                        violation("purchase call %d by %s was told the buyer is %s", op.index, p.buyer(),
                                op.value(Listing.class).buyer());
                    }
                }
            }
            if (calls.onlyFailed() && log != 0) {
                violation("purchase of listing %s by %s was only ever refused but is logged %d times", p.listing(),
                        p.buyer(), log);
            }
        });
    }

    private void checkVerifications(List<Op> history) {
        // Verifications carry a fresh key per call, so only counts can be compared.
        group(history, Kind.VERIFY, op -> op.buyer).forEach((buyer, calls) -> {
            long ok = calls.ops.stream().filter(Op::isOk).count();
            long unknown = calls.ops.stream().filter(op -> op.result == History.Result.INFO).count();
            int log = logged(Operation.VERIFY_FAN, buyer.value()).size();
            if (log < ok || log > ok + unknown) {
                violation("buyer %s was verified %d times (and %d unknown), the log has %d", buyer, ok, unknown, log);
            }
        });
        group(history, Kind.REVOKE, op -> op.buyer).forEach((buyer, calls) -> {
            long done = calls.ops.stream().filter(op -> op.isOk() || op.result == History.Result.INFO).count();
            int log = logged(Operation.REVOKE_FAN, buyer.value()).size();
            if (log > done) {
                violation("buyer %s was revoked at most %d times but the log has %d", buyer, done, log);
            }
        });
    }

    /**
     * Sweeps never report more expiries than the log holds. They may report fewer: batches before a failed sweep
     * committed, and a batch whose acknowledgement was lost and that the client retried committed too, but neither
     * was counted (a sweep has no key to find its lost batch by). That each hold expired once is checked per row.
     */
    private void checkExpiries(List<Op> history) {
        long told = 0;
        for (Op op : history) {
            if (op.kind == Kind.EXPIRE && op.isOk()) {
                told += op.value(Integer.class);
            }
        }
        long logged = rows.operations().values().stream().filter(o -> o.operation() == Operation.EXPIRE_HOLDS)
                .count();
        if (logged < told) {
            violation("sweeps reported %d expired holds; the log has only %d", told, logged);
        }
    }

    // ------------------------------------------------------------------ per row, whatever the history

    private void checkRows() {
        checkHoldRows();
        checkTicketAndListingRows();
        checkStock();
        checkAllowances();
        checkMoney();
    }

    private void checkHoldRows() {
        Set<OperationKey> holdLogs = new HashSet<>();
        for (HoldRow h : rows.holds().values()) {
            OperationKey key = OperationKey.of(h.id().value());
            OperationRow log = rows.operations().get(key);
            holdLogs.add(key);
            if (log == null || log.operation() != Operation.HOLD || log.units() != h.units()
                    || !log.actor().equals(h.buyer().value())) {
                violation("hold %s has no matching hold log row: %s", h.id(), log);
            }
            int confirms = logged(Operation.CONFIRM, h.id()).size();
            int releases = logged(Operation.RELEASE, h.id()).size();
            int expiries = logged(Operation.EXPIRE_HOLDS, h.id()).size();
            int tickets = ticketsOfHold.getOrDefault(h.id(), List.of()).size();
            int[] expected = switch (h.status()) {
                case HELD -> new int[] {0, 0, 0, 0};
                case CONFIRMED -> new int[] {1, 0, 0, h.units()};
                case RELEASED -> new int[] {0, 1, 0, 0};
                case EXPIRED -> new int[] {0, 0, 1, 0};
            };
            if (confirms != expected[0] || releases != expected[1] || expiries != expected[2]
                    || tickets != expected[3]) {
                violation("hold %s is %s with %d unit(s) but has %d confirm, %d release, %d expiry log rows and %d"
                        + " tickets", h.id(), h.status(), h.units(), confirms, releases, expiries, tickets);
            }
            if (h.status() == HoldStatus.CONFIRMED) {
                List<OperationRow> c = logged(Operation.CONFIRM, h.id());
                long price = h.unitPriceMinor() * h.units();
                if (c.size() == 1 && !balancedPair(c.get(0).key(), price)) {
                    violation("confirm of hold %s did not move %d exactly once: %s", h.id(), price,
                            legs.get(c.get(0).key()));
                }
            }
        }
        for (OperationRow o : rows.operations().values()) {
            if (o.operation() == Operation.HOLD && !holdLogs.contains(o.key())) {
                violation("hold log row %s has no hold", o.key());
            }
        }
    }

    private boolean balancedPair(OperationKey key, long amount) {
        List<MoneyEntry> l = legs.getOrDefault(key, List.of());
        return l.size() == 2 && l.stream().mapToLong(MoneyEntry::amountMinor).sum() == 0
                && l.stream().anyMatch(m -> m.amountMinor() == amount);
    }

    private void checkTicketAndListingRows() {
        Map<TicketId, List<ListingRow>> listingsOf = new HashMap<>();
        for (ListingRow l : rows.listings().values()) {
            listingsOf.computeIfAbsent(l.ticket(), k -> new ArrayList<>()).add(l);
            OperationRow log = rows.operations().get(OperationKey.of(l.id().value()));
            if (log == null || log.operation() != Operation.LIST_FOR_RESALE) {
                violation("listing %s has no listing log row", l.id());
            }
            int buys = logged(Operation.BUY_LISTING, l.id()).size();
            int settles = logged(Operation.SETTLE, l.id()).size();
            int cancels = logged(Operation.CANCEL_SALE, l.id()).size();
            int withdrawals = logged(Operation.WITHDRAW_LISTING, l.id()).size();
            int[] expected = switch (l.state()) {
                case ACTIVE -> new int[] {0, 0, 0, 0};
                case SOLD -> new int[] {1, 0, 0, 0};
                case SETTLED -> new int[] {1, 1, 0, 0};
                case REFUNDED -> new int[] {1, 0, 1, 0};
                case WITHDRAWN -> new int[] {0, 0, 0, 1};
            };
            if (buys != expected[0] || settles != expected[1] || cancels != expected[2]
                    || withdrawals != expected[3]) {
                violation("listing %s is %s but has %d purchase, %d settlement, %d cancellation, %d withdrawal log"
                        + " rows", l.id(), l.state(), buys, settles, cancels, withdrawals);
            }
            if (buys == 1) {
                OperationRow buy = logged(Operation.BUY_LISTING, l.id()).get(0);
                if (!l.buyer().map(BuyerId::value).equals(Optional.of(buy.actor()))) {
                    violation("listing %s was bought by %s but names buyer %s", l.id(), buy.actor(), l.buyer());
                }
                if (!balancedPair(buy.key(), l.askMinor())) {
                    violation("purchase of listing %s did not move %d exactly once", l.id(), l.askMinor());
                }
            }
        }
        for (TicketRow t : rows.tickets().values()) {
            List<ListingRow> ls = listingsOf.getOrDefault(t.id(), List.of());
            long active = ls.stream().filter(l -> l.state() == ListingState.ACTIVE).count();
            List<ListingRow> escrow = ls.stream().filter(l -> l.state() == ListingState.SOLD).toList();
            boolean ok = switch (t.state()) {
                case VALID, REFUNDED -> active == 0 && escrow.isEmpty();
                case LISTED -> active == 1 && escrow.isEmpty() && ls.stream()
                        .filter(l -> l.state() == ListingState.ACTIVE).allMatch(l -> l.seller().equals(t.owner()));
                case IN_ESCROW -> active == 0 && escrow.size() == 1
                        && escrow.get(0).buyer().equals(Optional.of(t.owner()));
            };
            if (!ok) {
                violation("ticket %s is %s (owner %s) with %d active listing(s) and %d sale(s) in escrow", t.id(),
                        t.state(), t.owner(), active, escrow.size());
            }
            int refunds = logged(Operation.REFUND, t.id()).size();
            if (refunds != (t.state() == TicketState.REFUNDED ? 1 : 0)) {
                violation("ticket %s is %s with %d refund log rows", t.id(), t.state(), refunds);
            }
            if (refunds == 1 && !balancedPair(logged(Operation.REFUND, t.id()).get(0).key(), t.faceValueMinor())) {
                violation("refund of ticket %s did not move %d exactly once", t.id(), t.faceValueMinor());
            }
            HoldRow h = rows.holds().get(t.hold());
            if (h == null || h.status() != HoldStatus.CONFIRMED) {
                violation("ticket %s comes from hold %s which is %s", t.id(), t.hold(), h == null ? "missing"
                        : h.status());
            }
        }
    }

    private void checkStock() {
        record SectionKey(String section) {}
        Map<SectionKey, long[]> stock = new HashMap<>(); // capacity, remaining, held, sold
        Map<SectionKey, SectionKind> kinds = new HashMap<>();
        for (SectionRow s : rows.sections()) {
            stock.put(new SectionKey(s.section().value()), new long[] {s.capacity(), 0, 0, 0});
            kinds.put(new SectionKey(s.section().value()), s.kind());
        }
        for (BucketRow b : rows.buckets()) {
            if (b.remaining() < 0) {
                violation("bucket %s/%d is below zero: %d", b.section(), b.bucket(), b.remaining());
            }
            stock.get(new SectionKey(b.section().value()))[1] += b.remaining();
        }
        record SeatKey(String section, String seat) {}
        Map<SeatKey, List<String>> claims = new HashMap<>();
        for (HoldRow h : rows.holds().values()) {
            if (h.status() == HoldStatus.HELD) {
                stock.get(new SectionKey(h.section().value()))[2] += h.units();
                h.seat().ifPresent(seat -> claims.computeIfAbsent(new SeatKey(h.section().value(), seat.value()),
                        k -> new ArrayList<>()).add("hold " + h.id()));
            }
        }
        for (TicketRow t : rows.tickets().values()) {
            if (t.state() != TicketState.REFUNDED) {
                stock.get(new SectionKey(t.section().value()))[3]++;
                t.seat().ifPresent(seat -> claims.computeIfAbsent(new SeatKey(t.section().value(), seat.value()),
                        k -> new ArrayList<>()).add("ticket " + t.id() + " of hold " + t.hold()));
            }
        }
        for (SeatRow s : rows.seats()) {
            List<String> c = claims.getOrDefault(new SeatKey(s.section().value(), s.seat().value()), List.of());
            if (c.size() > 1) {
                violation("seat %s/%s is claimed %d times: %s", s.section(), s.seat(), c.size(), c);
            }
            boolean consistent = switch (s.state()) {
                case AVAILABLE -> c.isEmpty() && s.holder().isEmpty();
                case HELD -> c.size() == 1 && c.get(0).equals("hold " + s.holder().map(Object::toString).orElse("?"));
                case SOLD -> c.size() == 1 && c.get(0).endsWith(" of hold " + s.holder().map(Object::toString)
                        .orElse("?"));
            };
            if (!consistent) {
                violation("seat %s/%s is %s (holder %s) but its claims are %s", s.section(), s.seat(), s.state(),
                        s.holder(), c);
            }
            if (s.state() == SeatState.AVAILABLE) {
                stock.get(new SectionKey(s.section().value()))[1]++;
            }
        }
        stock.forEach((section, f) -> {
            if (f[1] + f[2] + f[3] != f[0]) {
                violation("section %s (%s): stock %d + held %d + sold %d != capacity %d", section.section(),
                        kinds.get(section), f[1], f[2], f[3], f[0]);
            }
        });
    }

    private void checkAllowances() {
        Map<BuyerId, Long> usage = new HashMap<>();
        for (HoldRow h : rows.holds().values()) {
            if (h.status() == HoldStatus.HELD) {
                usage.merge(h.buyer(), (long) h.units(), Long::sum);
            }
        }
        for (TicketRow t : rows.tickets().values()) {
            if (t.state() != TicketState.REFUNDED) {
                usage.merge(t.owner(), 1L, Long::sum);
            }
        }
        // A sale in escrow still counts for its seller until it settles (or is cancelled).
        for (ListingRow l : rows.listings().values()) {
            if (l.state() == ListingState.SOLD) {
                usage.merge(l.seller(), 1L, Long::sum);
            }
        }
        Set<BuyerId> withRows = new HashSet<>();
        for (AllowanceRow a : rows.allowances()) {
            withRows.add(a.buyer());
            long used = usage.getOrDefault(a.buyer(), 0L);
            if (a.used() != used || a.used() > a.cap() || a.used() < 0) {
                violation("allowance of %s says %d used of %d; the buyer holds and owns %d", a.buyer(), a.used(),
                        a.cap(), used);
            }
        }
        for (BuyerId b : usage.keySet()) {
            if (!withRows.contains(b)) {
                violation("buyer %s holds or owns units without ever being verified", b);
            }
        }
    }

    private void checkMoney() {
        long total = 0;
        for (Map.Entry<OperationKey, List<MoneyEntry>> e : legs.entrySet()) {
            long sum = e.getValue().stream().mapToLong(MoneyEntry::amountMinor).sum();
            total += sum;
            if (sum != 0) {
                violation("money legs of operation %s sum to %d", e.getKey(), sum);
            }
            if (!rows.operations().containsKey(e.getKey())) {
                violation("money legs of operation %s have no log row", e.getKey());
            }
            Set<Integer> legNumbers = new HashSet<>();
            for (MoneyEntry m : e.getValue()) {
                if (!legNumbers.add(m.leg())) {
                    violation("operation %s has leg %d twice", e.getKey(), m.leg());
                }
            }
        }
        if (total != 0) {
            violation("all money legs sum to %d", total);
        }
        for (OperationRow o : rows.operations().values()) {
            boolean pays = o.operation() == Operation.CONFIRM || o.operation() == Operation.REFUND
                    || o.operation() == Operation.BUY_LISTING || o.operation() == Operation.SETTLE
                    || o.operation() == Operation.CANCEL_SALE;
            if (pays != legs.containsKey(o.key())) {
                violation("operation %s (%s) %s money legs", o.key(), o.operation(), pays ? "has no" : "has");
            }
        }
    }
}

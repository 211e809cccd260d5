package io.dhamana.internal;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldStatus;
import io.dhamana.ListingState;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.Table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recomputes every invariant from committed rows in one snapshot. It trusts no counter: oversell is counted from
 * hold and ticket rows against capacity, then compared with the buckets; units are reconciled against the
 * operation log and money against the ledger.
 */
final class Auditor {
    private record SectionKey(EventId event, SectionId section) {}

    private record SeatKey(EventId event, SectionId section, SeatId seat) {}

    private record BuyerKey(EventId event, BuyerId buyer) {}

    private static final class SectionAcc {
        final SectionKind kind;
        final long capacity;
        long remaining;
        long held;
        long sold;
        long negativeBuckets;
        long extraSeatClaims;

        SectionAcc(SectionKind kind, long capacity) {
            this.kind = kind;
            this.capacity = capacity;
        }
    }

    private Auditor() {}

    static AuditReport audit(StoreTransaction tx, Optional<EventId> event) {
        Map<SectionKey, SectionAcc> sections = new LinkedHashMap<>();
        tx.scan(Table.SECTIONS, event, s -> sections.put(new SectionKey(s.event(), s.section()),
                new SectionAcc(s.kind(), s.capacity())));

        tx.scan(Table.BUCKETS, event, b -> {
            SectionAcc acc = sections.get(new SectionKey(b.event(), b.section()));
            if (acc != null) {
                acc.remaining += b.remaining();
                if (b.remaining() < 0) {
                    acc.negativeBuckets++;
                }
            }
        });

        Map<SeatKey, SeatState> seatStates = new HashMap<>();
        tx.scan(Table.SEATS, event, s -> {
            seatStates.put(new SeatKey(s.event(), s.section(), s.seat()), s.state());
            SectionAcc acc = sections.get(new SectionKey(s.event(), s.section()));
            if (acc != null && s.state() == SeatState.AVAILABLE) {
                acc.remaining++;
            }
        });

        Map<SeatKey, List<BuyerId>> seatClaims = new HashMap<>();
        Map<BuyerKey, Long> usage = new HashMap<>();
        tx.scan(Table.HOLDS, event, h -> {
            if (h.status() != HoldStatus.HELD) {
                return;
            }
            SectionAcc acc = sections.get(new SectionKey(h.event(), h.section()));
            if (acc != null) {
                acc.held += h.units();
            }
            h.seat().ifPresent(seat -> seatClaims.computeIfAbsent(new SeatKey(h.event(), h.section(), seat),
                    k -> new ArrayList<>(1)).add(h.buyer()));
            usage.merge(new BuyerKey(h.event(), h.buyer()), (long) h.units(), Long::sum);
        });

        Map<TicketId, BuyerId> inEscrow = new HashMap<>();
        tx.scan(Table.TICKETS, event, t -> {
            if (t.state() == TicketState.REFUNDED) {
                return;
            }
            SectionAcc acc = sections.get(new SectionKey(t.event(), t.section()));
            if (acc != null) {
                acc.sold++;
            }
            t.seat().ifPresent(seat -> seatClaims.computeIfAbsent(new SeatKey(t.event(), t.section(), seat),
                    k -> new ArrayList<>(1)).add(t.owner()));
            usage.merge(new BuyerKey(t.event(), t.owner()), 1L, Long::sum);
            if (t.state() == TicketState.IN_ESCROW) {
                inEscrow.put(t.id(), t.owner());
            }
        });

        // Resale: a ticket in escrow has exactly one sold listing, and it is owned by that listing's buyer.
        long doubleSold = 0;
        Map<TicketId, Integer> soldListings = new HashMap<>();
        Map<String, Long> expectedEscrow = new HashMap<>();
        var listings = new ArrayList<io.dhamana.spi.ListingRow>();
        tx.scan(Table.LISTINGS, event, l -> {
            if (l.state() == ListingState.SOLD) {
                listings.add(l);
            }
        });
        for (var l : listings) {
            soldListings.merge(l.ticket(), 1, Integer::sum);
            usage.merge(new BuyerKey(l.event(), l.seller()), 1L, Long::sum);
            expectedEscrow.put(Rows.escrowAccount(l.id()), l.askMinor());
            BuyerId owner = inEscrow.get(l.ticket());
            if (owner == null || l.buyer().isEmpty() || !owner.equals(l.buyer().get())) {
                doubleSold++;
            }
        }
        for (var e : soldListings.entrySet()) {
            if (e.getValue() > 1) {
                doubleSold += e.getValue() - 1;
            }
        }
        for (TicketId t : inEscrow.keySet()) {
            if (!soldListings.containsKey(t)) {
                doubleSold++;
            }
        }

        long[] allowance = new long[2]; // drift, cap violations
        Map<BuyerKey, Boolean> seenAllowance = new HashMap<>();
        tx.scan(Table.ALLOWANCES, event, a -> {
            BuyerKey k = new BuyerKey(a.event(), a.buyer());
            seenAllowance.put(k, Boolean.TRUE);
            long owned = usage.getOrDefault(k, 0L);
            allowance[0] += Math.abs(a.used() - owned);
            if (owned > a.cap() || a.used() > a.cap()) {
                allowance[1]++;
            }
        });
        for (var e : usage.entrySet()) {
            if (!seenAllowance.containsKey(e.getKey()) && e.getValue() > 0) {
                allowance[0] += e.getValue(); // units held by someone the store never verified
                allowance[1]++;
            }
        }

        long[] ledger = new long[3]; // held ever, released + expired, refunded
        tx.scan(Table.OPERATIONS, event, op -> {
            switch (op.operation()) {
                case HOLD -> ledger[0] += op.units();
                case RELEASE, EXPIRE_HOLDS -> ledger[1] += op.units();
                case REFUND -> ledger[2] += op.units();
                default -> { }
            }
        });

        Map<OperationKey, Long> perOperation = new HashMap<>();
        Map<String, Long> escrowBalances = new HashMap<>();
        long[] money = new long[1];
        tx.scan(Table.MONEY, event, m -> {
            money[0] += m.amountMinor();
            perOperation.merge(m.operation(), m.amountMinor(), Long::sum);
            if (m.account().startsWith("escrow:")) {
                escrowBalances.merge(m.account(), m.amountMinor(), Long::sum);
            }
        });
        long unbalanced = perOperation.values().stream().filter(v -> v.longValue() != 0).count();
        long escrowDrift = 0;
        for (var e : escrowBalances.entrySet()) {
            if (e.getValue().longValue() != expectedEscrow.getOrDefault(e.getKey(), 0L).longValue()) {
                escrowDrift++;
            }
        }
        for (var e : expectedEscrow.entrySet()) {
            if (!escrowBalances.containsKey(e.getKey())) {
                escrowDrift++;
            }
        }

        // Seats: more than one live claim is a double booking; a state that disagrees with the claims is drift.
        List<AuditReport.SeatClaims> contested = new ArrayList<>();
        long doubleBooked = 0;
        for (var e : seatClaims.entrySet()) {
            int claims = e.getValue().size();
            if (claims > 1) {
                doubleBooked++;
                SectionAcc acc = sections.get(new SectionKey(e.getKey().event(), e.getKey().section()));
                if (acc != null) {
                    acc.extraSeatClaims += claims - 1;
                }
                contested.add(new AuditReport.SeatClaims(e.getKey().event(), e.getKey().section(), e.getKey().seat(),
                        e.getValue()));
            }
        }
        long seatMismatches = 0;
        for (var e : seatStates.entrySet()) {
            boolean claimed = seatClaims.containsKey(e.getKey());
            if (claimed == (e.getValue() == SeatState.AVAILABLE)) {
                seatMismatches++;
            }
        }
        for (SeatKey k : seatClaims.keySet()) {
            if (!seatStates.containsKey(k)) {
                seatMismatches++; // a claim on a seat that does not exist
            }
        }

        long capacity = 0;
        long remaining = 0;
        long held = 0;
        long sold = 0;
        long oversold = 0;
        long negative = 0;
        long drift = 0;
        List<AuditReport.SectionAudit> perSection = new ArrayList<>();
        for (var e : sections.entrySet()) {
            SectionAcc a = e.getValue();
            long outstanding = a.held + a.sold;
            long over = a.kind == SectionKind.RESERVED_SEATING
                    ? a.extraSeatClaims
                    : Math.max(0, outstanding - a.capacity);
            long sectionDrift = Math.abs(a.capacity - a.remaining - outstanding);
            perSection.add(new AuditReport.SectionAudit(e.getKey().event(), e.getKey().section(), a.kind, a.capacity,
                    a.remaining, a.held, a.sold, over, a.negativeBuckets, sectionDrift));
            capacity += a.capacity;
            remaining += a.remaining;
            held += a.held;
            sold += a.sold;
            oversold += over;
            negative += a.negativeBuckets;
            drift += sectionDrift;
        }
        long ledgerDrift = Math.abs(ledger[0] - (held + sold + ledger[1] + ledger[2]));
        return new AuditReport(capacity, remaining, held, sold, oversold, doubleBooked, doubleSold, negative, drift,
                seatMismatches, ledgerDrift, allowance[0], allowance[1], money[0], unbalanced, escrowDrift,
                ledger[0], ledger[1], ledger[2], perSection, contested);
    }
}

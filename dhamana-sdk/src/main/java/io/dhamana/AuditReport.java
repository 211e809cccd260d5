package io.dhamana;

import io.dhamana.internal.Checks;

import java.util.List;

/**
 * The invariants recomputed from committed rows only, in one snapshot: never from what callers were told. Produced
 * by {@link TicketingClient#audit()}. Every count named a violation must be zero for a correct store;
 * {@link #isClean()} says whether they all are.
 *
 * @param capacity             units plus seats over the audited sections
 * @param remaining            stock left: the sum of all buckets plus available seats
 * @param heldUnits            units in holds still {@code HELD}
 * @param soldUnits            live tickets (not refunded)
 * @param oversoldUnits        violation: units held or sold beyond a section's capacity, plus extra claims on seats
 * @param doubleBookedSeats    violation: seats claimed by more than one live hold or ticket
 * @param doubleSoldTickets    violation: tickets with more than one sale in escrow, or whose owner disagrees with it
 * @param negativeBuckets      violation: buckets below zero
 * @param stockDrift           violation: units not accounted for: |capacity - remaining - held - sold| summed over
 *                             sections
 * @param seatStateMismatches  violation: seats whose state disagrees with the claims on them
 * @param ledgerDrift          violation: |Σhold - (outstanding + Σrelease + Σexpire + Σrefund)| over the operation
 *                             log
 * @param allowanceDrift       violation: |used - units the buyer holds or owns or sold on resale before the sale
 *                             settled| summed over allowances
 * @param capViolations        violation: buyers holding or owning more than the per-buyer cap
 * @param moneyImbalanceMinor  violation: the sum of every money leg (must be 0)
 * @param unbalancedOperations violation: operations whose money legs do not sum to zero
 * @param escrowDrift          violation: escrow accounts whose balance disagrees with their listing
 * @param unitsHeldEver        Σhold from the log
 * @param unitsReleased        Σrelease + Σexpire from the log
 * @param unitsRefunded        Σrefund from the log
 * @param sections             per-section figures
 * @param contestedSeats       seats with more than one claim, with the claimants
 */
public record AuditReport(long capacity, long remaining, long heldUnits, long soldUnits, long oversoldUnits,
                          long doubleBookedSeats, long doubleSoldTickets, long negativeBuckets, long stockDrift,
                          long seatStateMismatches, long ledgerDrift, long allowanceDrift, long capViolations,
                          long moneyImbalanceMinor, long unbalancedOperations, long escrowDrift,
                          long unitsHeldEver, long unitsReleased, long unitsRefunded,
                          List<SectionAudit> sections, List<SeatClaims> contestedSeats) {

    /**
     * Creates the value; lists are copied, so it stays immutable.
     *
     * @param capacity units plus seats over the audited sections
     * @param remaining stock left: the sum of all buckets plus available seats
     * @param heldUnits units in holds still {@code HELD}
     * @param soldUnits live tickets (not refunded)
     * @param oversoldUnits violation: units held or sold beyond a section's capacity, plus extra claims on seats
     * @param doubleBookedSeats violation: seats claimed by more than one live hold or ticket
     * @param doubleSoldTickets violation: tickets with more than one sale in escrow, or whose owner disagrees with it
     * @param negativeBuckets violation: buckets below zero
     * @param stockDrift violation: units not accounted for: |capacity - remaining - held - sold| summed over sections
     * @param seatStateMismatches violation: seats whose state disagrees with the claims on them
     * @param ledgerDrift violation: |Σhold - (outstanding + Σrelease + Σexpire + Σrefund)| over the operation log
     * @param allowanceDrift violation: |used - units the buyer holds or owns| summed over allowances
     * @param capViolations violation: buyers holding or owning more than the per-buyer cap
     * @param moneyImbalanceMinor violation: the sum of every money leg (must be 0)
     * @param unbalancedOperations violation: operations whose money legs do not sum to zero
     * @param escrowDrift violation: escrow accounts whose balance disagrees with their listing
     * @param unitsHeldEver Σhold from the log
     * @param unitsReleased Σrelease + Σexpire from the log
     * @param unitsRefunded Σrefund from the log
     * @param sections per-section figures
     * @param contestedSeats seats with more than one claim, with the claimants
     * @throws InvalidRequestException if a count is negative (only {@code remaining}, which negative buckets pull
     */
    public AuditReport {
        Checks.notNegative("capacity", capacity);
        Checks.notNegative("heldUnits", heldUnits);
        Checks.notNegative("soldUnits", soldUnits);
        Checks.notNegative("oversoldUnits", oversoldUnits);
        Checks.notNegative("doubleBookedSeats", doubleBookedSeats);
        Checks.notNegative("doubleSoldTickets", doubleSoldTickets);
        Checks.notNegative("negativeBuckets", negativeBuckets);
        Checks.notNegative("stockDrift", stockDrift);
        Checks.notNegative("seatStateMismatches", seatStateMismatches);
        Checks.notNegative("ledgerDrift", ledgerDrift);
        Checks.notNegative("allowanceDrift", allowanceDrift);
        Checks.notNegative("capViolations", capViolations);
        Checks.notNegative("unbalancedOperations", unbalancedOperations);
        Checks.notNegative("escrowDrift", escrowDrift);
        Checks.notNegative("unitsHeldEver", unitsHeldEver);
        Checks.notNegative("unitsReleased", unitsReleased);
        Checks.notNegative("unitsRefunded", unitsRefunded);
        Checks.notNull("sections", sections);
        Checks.notNull("contestedSeats", contestedSeats);
        sections = List.copyOf(sections);
        contestedSeats = List.copyOf(contestedSeats);
    }

    /**
     * One section's figures.
     *
     * @param oversoldUnits units held or sold beyond capacity (for seats: extra claims)
     */
    public record SectionAudit(EventId event, SectionId section, SectionKind kind, long capacity, long remaining,
                               long heldUnits, long soldUnits, long oversoldUnits, long negativeBuckets,
                               long stockDrift) {
        /**
         * Checks the values.
         *
         * @param event           the event
         * @param section         the section
         * @param kind            general admission or reserved seating
         * @param capacity        units the section was created with
         * @param remaining       units left in its buckets (or seats available)
         * @param heldUnits       units in holds still held
         * @param soldUnits       units in tickets not refunded
         * @param oversoldUnits   units held or sold beyond capacity (for seats: extra claims)
         * @param negativeBuckets buckets below zero
         * @param stockDrift      capacity minus remaining, held and sold: 0 when the stock reconciles
         * @throws InvalidRequestException if a value is null or a count negative ({@code remaining} may be)
         */
        public SectionAudit {
            Checks.notNull("event", event);
            Checks.notNull("section", section);
            Checks.notNull("kind", kind);
            Checks.notNegative("capacity", capacity);
            Checks.notNegative("heldUnits", heldUnits);
            Checks.notNegative("soldUnits", soldUnits);
            Checks.notNegative("oversoldUnits", oversoldUnits);
            Checks.notNegative("negativeBuckets", negativeBuckets);
            Checks.notNegative("stockDrift", stockDrift);
        }
    }

    /**
     * A seat with more than one live claim.
     *
     * @param claimants the buyers holding or owning it, one entry per claim
     */
    public record SeatClaims(EventId event, SectionId section, SeatId seat, List<BuyerId> claimants) {
        /**
         * Creates the value; lists are copied, so it stays immutable.
         *
         * @param event the event
         * @param section the section
         * @param seat the named seat
         * @param claimants the buyers holding or owning it, one entry per claim
         * @throws InvalidRequestException if a value is null or fewer than two claimants are named
         */
        public SeatClaims {
            Checks.notNull("event", event);
            Checks.notNull("section", section);
            Checks.notNull("seat", seat);
            Checks.notNull("claimants", claimants);
            if (claimants.size() < 2) {
                throw new InvalidRequestException("claimants", "must name at least two claims, was "
                        + claimants.size());
            }
            claimants = List.copyOf(claimants);
        }
    }

    /**
     * Whether every violation count is zero.
     *
     * @return true when every violation count is zero
     */
    public boolean isClean() {
        return oversoldUnits == 0 && doubleBookedSeats == 0 && doubleSoldTickets == 0 && negativeBuckets == 0
                && stockDrift == 0 && seatStateMismatches == 0 && ledgerDrift == 0 && allowanceDrift == 0
                && capViolations == 0 && moneyImbalanceMinor == 0 && unbalancedOperations == 0 && escrowDrift == 0;
    }

    /**
     * Units held or sold: the outstanding side of the reconciliation.
     *
     * @return units still held or sold: Σhold less what was released, expired or refunded
     */
    public long outstandingUnits() {
        return heldUnits + soldUnits;
    }

    /**
     * A one-paragraph summary for logs and terminals.
     *
     * @return the figures and the verdict on one line
     */
    public String summary() {
        return String.format(
                "capacity=%d remaining=%d held=%d sold=%d | oversold=%d doubleBookedSeats=%d doubleSoldTickets=%d "
                        + "negativeBuckets=%d stockDrift=%d seatStateMismatches=%d ledgerDrift=%d allowanceDrift=%d "
                        + "capViolations=%d moneyImbalance=%d unbalancedOps=%d escrowDrift=%d | "
                        + "Σhold=%d = outstanding %d + released %d + refunded %d%s",
                capacity, remaining, heldUnits, soldUnits, oversoldUnits, doubleBookedSeats, doubleSoldTickets,
                negativeBuckets, stockDrift, seatStateMismatches, ledgerDrift, allowanceDrift, capViolations,
                moneyImbalanceMinor, unbalancedOperations, escrowDrift, unitsHeldEver, outstandingUnits(),
                unitsReleased, unitsRefunded, isClean() ? " | CLEAN" : " | VIOLATIONS");
    }
}

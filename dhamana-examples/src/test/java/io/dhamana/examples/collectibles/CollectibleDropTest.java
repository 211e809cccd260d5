package io.dhamana.examples.collectibles;

import io.dhamana.AuditReport;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingState;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

class CollectibleDropTest {

    @Test
    void mintsEachNumberOnceAndResaleKeepsTheCapEscrowAndLedger() throws Exception {
        int editions = 200;
        try (EngineStore store = EngineStore.create();
             TicketingClient reader = TicketingClient.builder().store(store).build()) {
            CollectibleDrop.Result r = CollectibleDrop.run(store, editions, 400, 16,
                    new PrintStream(PrintStream.nullOutputStream()));

            AuditReport audit = reader.audit(r.event());
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.doubleBookedSeats()).isZero();
            assertThat(audit.doubleSoldTickets()).isZero();
            assertThat(audit.moneyImbalanceMinor()).isZero();
            assertThat(audit.unbalancedOperations()).isZero();
            assertThat(audit.escrowDrift()).isZero();
            assertThat(audit.soldUnits()).isPositive().isLessThanOrEqualTo(editions);

            // No double mint: each number has at most one owner in the committed rows.
            for (int n = 1; n <= editions; n++) {
                assertThat(reader.holdersOf(r.event(), SectionId.of("edition"), CollectibleDrop.number(n)).size())
                        .as("owners of number %d", n).isLessThanOrEqualTo(1);
            }

            // Each listing: at the cap, sold once, then settled to the buyer or cancelled back to the seller.
            int settled = 0;
            int cancelled = 0;
            for (ListingId id : r.listings()) {
                Listing l = reader.findListing(id).orElseThrow();
                assertThat(l.askMinor()).isEqualTo(l.capMinor()).isEqualTo(5_500);
                Ticket t = reader.findTicket(l.ticket()).orElseThrow();
                assertThat(t.state()).isEqualTo(TicketState.VALID);
                if (l.state() == ListingState.SETTLED) {
                    assertThat(t.owner()).isEqualTo(l.buyer().orElseThrow());
                    settled++;
                } else {
                    assertThat(l.state()).isEqualTo(ListingState.REFUNDED);
                    assertThat(t.owner()).isEqualTo(l.seller());
                    cancelled++;
                }
            }
            assertThat(settled).isPositive().isEqualTo(r.settled());
            assertThat(cancelled).isPositive().isEqualTo(r.cancelled());

            // Every greedy ask was refused, every unverified wallet too, and each listing had exactly one winner.
            int listings = r.listings().size();
            assertThat(listings).isPositive();
            assertThat(r.asksRefused()).isEqualTo(listings);
            assertThat(r.unverifiedRefused()).isEqualTo(listings);
            assertThat(r.raceLost()).isEqualTo(2 * listings);
            assertThat(r.ownersRight()).isEqualTo(listings);
            assertThat(r.codesRotated()).isEqualTo(settled);
        }
    }
}

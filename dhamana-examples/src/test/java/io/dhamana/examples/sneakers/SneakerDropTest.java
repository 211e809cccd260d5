package io.dhamana.examples.sneakers;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.Ticket;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SneakerDropTest {

    @Test
    void sellsOutToVerifiedBuyersOnlyOnePairEach() throws Exception {
        int buyers = 10_000;
        int botPercent = 20;
        int pairs = 500;
        try (EngineStore store = EngineStore.create();
             TicketingClient reader = TicketingClient.builder().store(store).build()) {
            SneakerDrop.Result r = SneakerDrop.run(store, buyers, botPercent, pairs, 64, 16,
                    new PrintStream(PrintStream.nullOutputStream()));

            // From the audit: sold out, nothing oversold, nobody over the cap, every ledger balanced.
            AuditReport audit = reader.audit(r.event());
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.soldUnits()).isEqualTo(pairs);
            assertThat(audit.remaining()).isZero();
            assertThat(audit.oversoldUnits()).isZero();
            assertThat(audit.capViolations()).isZero();

            // From the ticket rows: no bot owns a pair, and the pairs went to distinct verified buyers, one each.
            int owners = 0;
            for (int i = 0; i < buyers; i++) {
                BuyerId who = SneakerDrop.buyer(i, botPercent);
                List<Ticket> owned = reader.ticketsOf(r.event(), who).stream()
                        .filter(t -> t.state() != TicketState.REFUNDED).toList();
                if (SneakerDrop.isBot(i, botPercent)) {
                    assertThat(owned).as("pairs of %s", who).isEmpty();
                    assertThat(reader.verification(r.event(), who)).isEmpty();
                } else {
                    assertThat(owned.size()).as("pairs of %s", who).isLessThanOrEqualTo(1);
                    owners += owned.size();
                }
            }
            assertThat(owners).isEqualTo(pairs);

            // Every bot was turned away for the right reason, and eager second clicks hit the cap.
            assertThat(r.bots()).isEqualTo(buyers * botPercent / 100);
            assertThat(r.botsRefused()).isEqualTo(r.bots());
            assertThat(r.botPairs()).isZero();
            assertThat(r.secondPairsRefused()).isPositive();
        }
    }
}

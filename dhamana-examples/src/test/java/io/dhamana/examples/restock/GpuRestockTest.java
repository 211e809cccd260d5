package io.dhamana.examples.restock;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

class GpuRestockTest {

    @Test
    void botsGetNothingAndNoAccountExceedsTheCap() throws Exception {
        GpuRestock.Size size = new GpuRestock.Size(300, 2, 1_000, 600, 3, 10, 10);
        try (EngineStore store = EngineStore.create();
             TicketingClient reader = TicketingClient.builder().store(store).build()) {
            GpuRestock.Result r = GpuRestock.run(store, size, 16, new PrintStream(PrintStream.nullOutputStream()));

            AuditReport audit = reader.audit(r.event());
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.soldUnits()).as("people and scalpers want more than the restock").isEqualTo(300);
            assertThat(audit.oversoldUnits()).isZero();
            assertThat(audit.capViolations()).isZero();

            // Counted here from the ticket and allowance rows, independently of the app.
            long people = 0;
            for (int i = 0; i < size.bots(); i++) {
                assertThat(owned(reader, r, GpuRestock.bot(i))).as("cards of bot %d", i).isZero();
            }
            for (int i = 0; i < size.scalpers(); i++) {
                BuyerId s = GpuRestock.scalper(i);
                assertThat(owned(reader, r, s)).isLessThanOrEqualTo(size.cap());
                assertThat(reader.verification(r.event(), s).orElseThrow().used()).isLessThanOrEqualTo(size.cap());
            }
            for (int i = 0; i < size.people(); i++) {
                long n = owned(reader, r, GpuRestock.person(i));
                assertThat(n).isLessThanOrEqualTo(size.cap());
                people += n;
            }
            assertThat(people).as("people got cards too").isPositive();

            assertThat(r.botUnits()).isZero();
            assertThat(r.maxOwned()).isLessThanOrEqualTo(size.cap());
            assertThat(r.botRefused()).isEqualTo(size.bots() * size.requestsPerBot());
            assertThat(r.capRefused()).as("scalpers asking again were refused").isPositive();
        }
    }

    private static long owned(TicketingClient reader, GpuRestock.Result r, BuyerId who) {
        return reader.ticketsOf(r.event(), who).stream().filter(t -> t.state() != TicketState.REFUNDED).count();
    }
}

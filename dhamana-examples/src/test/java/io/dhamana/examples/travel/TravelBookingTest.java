package io.dhamana.examples.travel;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.Seat;
import io.dhamana.SeatState;
import io.dhamana.Section;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.testkit.time.MutableClock;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TravelBookingTest {

    @Test
    void noDoubleBookingAndExpiredOrRefundedSeatsGoBackOnSale() throws Exception {
        // The store judges expiry by this clock, so the test moves it instead of sleeping.
        MutableClock clock = new MutableClock(Instant.parse("2025-06-01T08:00:00Z"));
        TravelBooking.Size size = new TravelBooking.Size(2, 10, 200, 2, 4, 60);
        try (EngineStore store = EngineStore.builder().clock(clock).build();
             TicketingClient reader = TicketingClient.builder().store(store).build()) {
            TravelBooking.Result r = TravelBooking.run(store, size, Duration.ofSeconds(5), clock::advance,
                    new PrintStream(PrintStream.nullOutputStream()));

            long sold = 0;
            long capacity = 0;
            for (EventId event : r.events()) {
                AuditReport audit = reader.audit(event);
                assertThat(audit.isClean()).as(audit.summary()).isTrue();
                assertThat(audit.doubleBookedSeats()).isZero();
                assertThat(audit.heldUnits()).as("no hold is left over after the sweep").isZero();
                sold += audit.soldUnits();
                capacity += audit.capacity();
                // Every seat row agrees with its claims: a SOLD seat has exactly one live ticket, others none.
                for (Section section : reader.event(event).orElseThrow().sections()) {
                    for (Seat seat : reader.seats(event, section.id())) {
                        int claims = reader.holdersOf(event, section.id(), seat.id()).size();
                        assertThat(claims).as("claims on %s %s", section.id(), seat.id())
                                .isEqualTo(seat.state() == SeatState.AVAILABLE ? 0 : 1);
                    }
                }
            }
            assertThat(sold).isPositive().isLessThanOrEqualTo(capacity);

            // Abandoned holds lapsed by the store's clock, and everything freed was on sale again and resold.
            assertThat(r.abandoned()).isPositive();
            assertThat(r.expired()).isEqualTo(r.abandoned());
            assertThat(r.lateRefused()).isPositive();
            assertThat(r.refunded()).isPositive();
            assertThat(r.freedAvailable()).isEqualTo(r.abandoned() + r.refunded());
            assertThat(r.rebooked()).isEqualTo(r.abandoned() + r.refunded());
            assertThat(r.lateRefused()).isEqualTo(r.abandonedTrips());
            assertThat(r.resoldInRows()).isEqualTo(r.freed());
            assertThat(r.problems()).isEmpty();

            // The stand-by travellers' purchases are in the ticket rows: one live ticket each, as many as resold.
            long standbyTickets = 0;
            for (int k = 0; k < r.freed(); k++) {
                for (EventId event : r.events()) {
                    standbyTickets += reader.ticketsOf(event, BuyerId.of("standby-" + k)).stream()
                            .filter(t -> t.state() != TicketState.REFUNDED).count();
                }
            }
            assertThat(standbyTickets).isEqualTo(r.freed());
        }
    }

    @Test
    void theVerdictFailsWhenAFigureFallsShort() {
        List<AuditReport> none = List.of();
        TravelBooking.Result good = new TravelBooking.Result(List.of(), 3, 4, 4, 3, 2, 6, 6, 6, none);
        assertThat(good.problems()).isEmpty();
        assertThat(new TravelBooking.Result(List.of(), 3, 4, 4, 2, 2, 6, 6, 6, none).problems())
                .containsExactly("2 of 3 late payments refused as expired");
        assertThat(new TravelBooking.Result(List.of(), 3, 4, 3, 3, 2, 6, 6, 6, none).problems())
                .containsExactly("3 holds expired by the sweep for 4 abandoned");
        assertThat(new TravelBooking.Result(List.of(), 3, 4, 4, 3, 2, 5, 6, 6, none).problems())
                .containsExactly("5 of 6 freed seats and room-nights available again");
        assertThat(new TravelBooking.Result(List.of(), 3, 4, 4, 3, 2, 6, 6, 5, none).problems())
                .containsExactly("6 of 6 freed seats and room-nights sold again, 5 of them sold in the seat rows");
    }
}

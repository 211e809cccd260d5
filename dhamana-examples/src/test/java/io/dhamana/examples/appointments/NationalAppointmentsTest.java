package io.dhamana.examples.appointments;

import io.dhamana.AuditReport;
import io.dhamana.EventId;
import io.dhamana.Seat;
import io.dhamana.SeatState;
import io.dhamana.Section;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NationalAppointmentsTest {

    @Test
    void noSlotIsBookedTwiceAndCancelledSlotsAreBookedAgain() throws Exception {
        // More patients than slots, so slots are contested and a waiting list forms.
        NationalAppointments.Size size = new NationalAppointments.Size(2, 3, 4, 8, 300);
        try (EngineStore store = EngineStore.create();
             TicketingClient reader = TicketingClient.builder().store(store).build()) {
            NationalAppointments.Result r = NationalAppointments.run(store, size, 16,
                    new PrintStream(PrintStream.nullOutputStream()));

            long booked = 0;
            for (EventId region : r.regions()) {
                AuditReport audit = reader.audit(region);
                assertThat(audit.isClean()).as(audit.summary()).isTrue();
                assertThat(audit.doubleBookedSeats()).isZero();
                assertThat(audit.capViolations()).isZero();
                booked += audit.soldUnits();
                // Each slot row agrees with its claims: a booked slot has one patient, a free one none.
                for (Section clinicDay : reader.event(region).orElseThrow().sections()) {
                    for (Seat slot : reader.seats(region, clinicDay.id())) {
                        assertThat(reader.holdersOf(region, clinicDay.id(), slot.id()))
                                .hasSize(slot.state() == SeatState.AVAILABLE ? 0 : 1);
                    }
                }
            }
            assertThat(booked).isPositive().isLessThanOrEqualTo(r.slots());

            // One appointment per patient, counted from the ticket rows.
            for (int i = 0; i < size.patients(); i++) {
                EventId home = r.regions().get(i % size.regions());
                assertThat(reader.ticketsOf(home, NationalAppointments.patient(i)).stream()
                        .filter(t -> t.state() != TicketState.REFUNDED).count()).isLessThanOrEqualTo(1);
            }

            // Every released or cancelled slot was free again, and the waiting list took each one.
            int freed = r.released() + r.cancelled();
            assertThat(r.cancelled()).isPositive();
            assertThat(r.waitlisted()).isPositive();
            assertThat(r.freedAvailable()).isEqualTo(freed);
            assertThat(r.rebooked()).isEqualTo(freed);
            assertThat(r.offered()).isEqualTo(freed);
            assertThat(r.rebookedInRows()).isEqualTo(freed);
            assertThat(r.stillFree()).isZero();
            assertThat(r.problems()).isEmpty();

            // Live appointments in the ticket rows, waiting-list bookings included, are the booked slots of the audit.
            long live = 0;
            for (int i = 0; i < size.patients(); i++) {
                EventId home = r.regions().get(i % size.regions());
                live += reader.ticketsOf(home, NationalAppointments.patient(i)).stream()
                        .filter(t -> t.state() != TicketState.REFUNDED).count();
            }
            assertThat(live).isEqualTo(booked);
        }
    }

    @Test
    void theVerdictFailsWhenAFigureFallsShort() {
        List<AuditReport> none = List.of();
        // released 2 + cancelled 3 = 5 freed; 4 offered and booked, 1 still free.
        assertThat(new NationalAppointments.Result(List.of(), 10, 2, 3, 5, 4, 4, 4, 1, 6, none).problems()).isEmpty();
        assertThat(new NationalAppointments.Result(List.of(), 10, 2, 3, 4, 4, 4, 4, 1, 6, none).problems())
                .containsExactly("4 of 5 freed slots free again");
        assertThat(new NationalAppointments.Result(List.of(), 10, 2, 3, 5, 4, 3, 3, 2, 6, none).problems())
                .containsExactly("3 of 4 freed slots offered to the waiting list booked");
        assertThat(new NationalAppointments.Result(List.of(), 10, 2, 3, 5, 4, 4, 3, 1, 6, none).problems())
                .containsExactly("of 5 freed slots the seat rows show 3 booked from the waiting list (4 told) and 1 "
                        + "free");
    }
}

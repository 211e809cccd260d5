package io.dhamana.readme;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;

import java.net.URI;
import java.util.List;

public class Quickstart {
    public static void main(String[] args) {
        try (TicketingClient client = TicketingClient.builder().build()) {     // in-process engine, no server
            EventId show = EventId.of("eras-london");
            SectionId floor = SectionId.of("floor");
            client.createEvent(EventSpec.builder(show)
                    .perBuyerCap(4).resaleCapPercent(110)
                    .generalAdmission("floor", 5_000, 64, 15_000)              // 5,000 units over 64 buckets, $150
                    .reservedSeating("balcony", SeatMap.grid(8, 12), 25_000)   // 96 named seats, $250
                    .build());

            BuyerId fan = BuyerId.of("fan-1");
            client.verifyFan(show, fan, URI.create("https://verify.example/fan-1"));

            Outcome<Hold> held = client.hold(HoldRequest.units(show, floor, fan, 2));
            if (held instanceof Outcome.Rejected<Hold> no) {
                System.out.println("refused: " + no.rejection().message());  // sold out, not verified, cap...
                return;
            }
            List<Ticket> tickets = client.confirm(held.value().id()).value();
            System.out.println(tickets.size() + " tickets, " + client.unitsLeft(show, floor) + " left");
            System.out.println(client.audit().summary());                      // recomputed from committed rows
        }
    }
}

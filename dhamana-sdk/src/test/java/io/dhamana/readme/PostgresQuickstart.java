package io.dhamana.readme;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;
import io.dhamana.postgres.PostgresStore;

import java.net.URI;
import java.util.List;
import java.util.UUID;

public class PostgresQuickstart {
    public static void main(String[] args) {
        String url = System.getenv().getOrDefault("DHAMANA_JDBC_URL", "jdbc:postgresql://localhost:5432/postgres");
        String user = System.getenv().getOrDefault("DHAMANA_USER", "postgres");
        String password = System.getenv().getOrDefault("DHAMANA_PASSWORD", "");
        run(url, user, password);
    }

    public static void run(String url, String user, String password) {
        PostgresStore store = PostgresStore.builder()
                .jdbcUrl(url).user(user).password(password)
                .build();                  // SERIALIZABLE by default; creates its schema "dhamana" if missing
        try (TicketingClient client = TicketingClient.builder().ownedStore(store).build()) {
            EventId show = EventId.of("eras-london");
            SectionId floor = SectionId.of("floor");
            client.createEvent(EventSpec.builder(show)                // idempotent: a second run finds it
                    .perBuyerCap(4)
                    .generalAdmission("floor", 5_000, 64, 15_000)
                    .build());

            BuyerId fan = BuyerId.of("fan-" + UUID.randomUUID());  // a new fan each run: the cap is per buyer
            client.verifyFan(show, fan, URI.create("https://verify.example/" + fan.value()));

            Outcome<Hold> held = client.hold(HoldRequest.units(show, floor, fan, 2));
            if (held instanceof Outcome.Rejected<Hold> no) {
                System.out.println("refused: " + no.rejection().message());
                return;
            }
            List<Ticket> tickets = client.confirm(held.value().id()).value();
            System.out.println(tickets.size() + " tickets, " + client.unitsLeft(show, floor) + " left");
            System.out.println(client.audit(show).summary());
        }
    }
}

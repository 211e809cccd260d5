package io.dhamana.network;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Listing;
import io.dhamana.ListingRequest;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;
import io.dhamana.dsql.DsqlStore;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.ForwardingStore;
import io.dhamana.testkit.PostgresServer;
import io.dhamana.testkit.net.LatencyProxy;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Round trips per call, counted by a proxy between the SDK and a real PostgreSQL server, on each JDBC store: a call
 * reads in one round trip and sends its writes with its COMMIT in the next, refused or not.
 *
 * <p>The DSQL dialect runs over a caller's pool of stand-in connections (PostgreSQL at REPEATABLE READ, DSQL's one
 * level), without the statement-rule checker the other DSQL tests use: the checker holds a pipeline's COMMIT back
 * until every statement before it has passed, which costs a round trip of its own.
 */
class RoundTripsTest {
    private static final Duration RTT = Duration.ofMillis(4);

    record Stores(String schema, Function<LatencyProxy, TicketStore> open) {}

    static Stream<Named<Stores>> stores() {
        return Stream.of(
                Named.of("PostgreSQL", new Stores("round_trips_pg", proxy -> {
                    PostgresServer.Endpoint e = PostgresServer.endpoint();
                    return PostgresStore.builder().jdbcUrl(proxy.jdbcUrl(e.jdbcUrl())).user(e.user())
                            .password(e.password()).schema("round_trips_pg").isolation(PostgresIsolation.SERIALIZABLE)
                            .maxPoolSize(1).build();
                })),
                Named.of("Aurora DSQL dialect", new Stores("round_trips_dsql", proxy -> {
                    // The same tables, installed by the PostgreSQL store: plain PostgreSQL has no CREATE INDEX ASYNC.
                    PostgresServer.store("round_trips_dsql", PostgresIsolation.REPEATABLE_READ).build().close();
                    PostgresServer.Endpoint e = PostgresServer.endpoint();
                    HikariConfig config = new HikariConfig();
                    config.setJdbcUrl(proxy.jdbcUrl(e.jdbcUrl()));
                    config.setUsername(e.user());
                    config.setPassword(e.password());
                    config.setMaximumPoolSize(1);
                    // DSQL's one isolation level, from the startup packet: the dialect itself sends no SET.
                    config.addDataSourceProperty("options", "-c default_transaction_isolation=repeatable\\ read");
                    HikariDataSource pool = new HikariDataSource(config);
                    DsqlStore store = DsqlStore.builder().dataSource("us-east-1", pool).schema("round_trips_dsql")
                            .installSchema(false).build();
                    return new ClosingBoth(store, pool);
                })));
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("stores")
    void everyCallIsTwoRoundTripsAndBuyingIsThree(Stores stores) {
        PostgresServer.freshSchema(stores.schema());
        PostgresServer.Endpoint e = PostgresServer.endpoint();
        Map<String, Long> counts = new LinkedHashMap<>();
        try (LatencyProxy proxy = LatencyProxy.forJdbcUrl(e.jdbcUrl(), RTT);
             TicketStore store = stores.open().apply(proxy);
             TicketingClient client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                     .build()) {
            EventId show = EventId.of("rt");
            SectionId floor = SectionId.of("floor");
            SectionId seats = SectionId.of("seats");
            client.createEvent(EventSpec.builder(show).perBuyerCap(4).resaleCapPercent(110)
                    .generalAdmission("floor", 40, 4, 1_000).reservedSeating("seats", SeatMap.grid(2, 4), 2_000)
                    .build());
            for (int i = 0; i < 24; i++) {
                client.verifyFan(show, BuyerId.of("fan-" + i), URI.create("https://id.example/" + i));
            }
            client.hold(HoldRequest.units(show, floor, BuyerId.of("fan-7"), 1)); // warm: statements prepared

            Outcome<Hold> ga = count(proxy, counts, "GA hold",
                    () -> client.hold(HoldRequest.units(show, floor, BuyerId.of("fan-1"), 2)));
            Outcome<Hold> stranger = count(proxy, counts, "GA hold refused: not verified",
                    () -> client.hold(HoldRequest.units(show, floor, BuyerId.of("stranger"), 1)));
            Outcome<Hold> greedy = count(proxy, counts, "GA hold refused: cap",
                    () -> client.hold(HoldRequest.units(show, floor, BuyerId.of("fan-1"), 3)));
            Outcome<Hold> seat = count(proxy, counts, "seat hold",
                    () -> client.hold(HoldRequest.seat(show, seats, SeatId.of("A-1"), BuyerId.of("fan-2"))));
            Outcome<Hold> taken = count(proxy, counts, "seat hold refused: taken",
                    () -> client.hold(HoldRequest.seat(show, seats, SeatId.of("A-1"), BuyerId.of("fan-3"))));
            List<Ticket> tickets = count(proxy, counts, "confirm", () -> client.confirm(ga.value().id())).value();
            count(proxy, counts, "release", () -> client.release(seat.value().id())).value();
            count(proxy, counts, "refund", () -> client.refund(tickets.get(0).id())).value();
            Listing listing = count(proxy, counts, "list for resale",
                    () -> client.listForResale(ListingRequest.of(tickets.get(1).id(), BuyerId.of("fan-1"), 1_050)))
                    .value();
            count(proxy, counts, "buy a listing", () -> client.buyListing(listing.id(), BuyerId.of("fan-4"))).value();
            for (int i = 0; i < 80 && client.unitsLeft(show, floor) > 0; i++) {
                client.hold(HoldRequest.units(show, floor, BuyerId.of("fan-" + (8 + i % 16)), 1));
            }
            Outcome<Hold> soldOut = count(proxy, counts, "GA hold refused: sold out",
                    () -> client.hold(HoldRequest.units(show, floor, BuyerId.of("fan-5"), 1)));

            counts.forEach((call, n) -> System.out.printf("[round trips] %-32s %d%n", call, n));
            assertThat(ga.isOk()).isTrue();
            assertThat(stranger.rejectionIfAny()).get().isInstanceOf(Rejection.NotVerified.class);
            assertThat(greedy.rejectionIfAny()).get().isInstanceOf(Rejection.CapReached.class);
            assertThat(taken.rejectionIfAny()).get().isInstanceOf(Rejection.SeatTaken.class);
            assertThat(soldOut.rejectionIfAny()).get().isInstanceOf(Rejection.SoldOut.class);
            counts.forEach((call, n) -> assertThat(n).as(call)
                    .isLessThanOrEqualTo(call.startsWith("buy") ? 3 : 2).isPositive());
            assertThat(client.audit(show).isClean()).isTrue();
        }
    }

    private static <T> T count(LatencyProxy proxy, Map<String, Long> counts, String what, Supplier<T> call) {
        long before = proxy.roundTrips();
        T result = call.get();
        counts.put(what, proxy.roundTrips() - before);
        return result;
    }

    /** A store over a caller's pool, closing both. */
    private static final class ClosingBoth extends ForwardingStore {
        private final HikariDataSource pool;

        ClosingBoth(DsqlStore store, HikariDataSource pool) {
            super(store);
            this.pool = pool;
        }

        @Override
        public void close() {
            super.close();
            pool.close();
        }
    }
}

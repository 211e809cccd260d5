package io.dhamana;

import io.dhamana.engine.EngineStore;
import io.dhamana.internal.Checks;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.StoreDump;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every public entry point against every class of invalid argument: null, blank, too long, bad characters, zero
 * or negative or too large quantities, negative or overflowing prices, out-of-range bucket counts and durations,
 * malformed URLs and ids, and unknown events, sections, seats, holds, tickets and listings. Each must end in a
 * typed exception with a message naming the argument, and leave every row of the store exactly as it was. Runs on
 * the in-process engine; {@code io.dhamana.reliability.PostgresBadInputTest} runs the same table on PostgreSQL and
 * adds the store's own builder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class BadInputTest {
    private static final EventId SHOW = EventId.of("show");
    private static final EventId ENCORE = EventId.of("encore");
    private static final EventId HALF_MADE = EventId.of("half-made");
    private static final EventId HALF_SEATED = EventId.of("half-seated");
    private static final SectionId FLOOR = SectionId.of("floor");
    private static final SectionId BALCONY = SectionId.of("balcony");
    private static final BuyerId FAN = BuyerId.of("fan");
    private static final String LONG = "x".repeat(65);

    private TicketStore store;
    private TicketingClient client;
    private Ticket ticket;
    private Listing listing;
    private Hold hold;

    /** The store every case runs against; made once per class. */
    protected TicketStore newStore() {
        return EngineStore.create();
    }

    /** More cases for a particular store (its builder, say). */
    protected List<Case> storeCases() {
        return List.of();
    }

    @BeforeAll
    protected void setUp() {
        store = newStore();
        client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO).build();
        client.createEvent(EventSpec.builder(SHOW).generalAdmission("floor", 10, 2, 1_000)
                .reservedSeating("balcony", SeatMap.grid(1, 4), 2_000).build());
        client.createEvent(EventSpec.builder(ENCORE).generalAdmission("floor", 10, 2, 1_000).build());
        leaveAnUnfinishedCreate(HALF_MADE);
        // A four-seat balcony whose create wrote its section and a first batch of seats, none of them.
        store.inTransaction(TxMode.READ_WRITE, tx -> {
            tx.writes().insertSection(new SectionRow(HALF_SEATED, BALCONY, SectionKind.RESERVED_SEATING, 4, 1, 2_000,
                    0));
            tx.writes().insertSeats(List.of(new SeatRow(HALF_SEATED, BALCONY, SeatId.of("Q-1"), SeatState.AVAILABLE,
                    Optional.empty())));
            return null;
        });
        client.verifyFan(SHOW, FAN, URI.create("https://id.example/fan")).value();
        ticket = client.confirm(client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 1)).value().id()).value().get(0);
        Ticket second = client.confirm(client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 1)).value().id())
                .value().get(0);
        listing = client.listForResale(ListingRequest.of(second.id(), FAN, 1_000)).value();
        hold = client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 1)).value();
    }

    /** What a create of a 10-unit, 2-bucket floor leaves when it fails after its first transaction: the section only. */
    private void leaveAnUnfinishedCreate(EventId event) {
        store.inTransaction(TxMode.READ_WRITE, tx -> {
            tx.writes().insertSection(new SectionRow(event, FLOOR, SectionKind.GENERAL_ADMISSION, 10, 2, 1_000, 0));
            return null;
        });
    }

    @Test
    void anUnfinishedCreateIsFinishedByRepeatingItExactly() {
        EventId event = EventId.of("finished-late");
        leaveAnUnfinishedCreate(event);
        assertThat(client.event(event)).isEmpty();
        Event created = client.createEvent(EventSpec.builder(event).generalAdmission("floor", 10, 2, 1_000).build());
        assertThat(created.capacity()).isEqualTo(10);
        assertThat(client.unitsLeft(event, FLOOR)).isEqualTo(10);
        AuditReport audit = client.audit(event);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.capacity()).isEqualTo(10);
    }

    @AfterAll
    protected void tearDown() {
        client.close();
        store.close();
    }

    /** One invalid call: the typed error it must end in, and a part of that error's message. */
    protected record Case(String name, Class<? extends DhamanaException> expected, String messagePart,
                          Executable call) {}

    protected static Case invalid(String name, String messagePart, Executable call) {
        return new Case(name, InvalidRequestException.class, messagePart, call);
    }

    protected static Case unknown(String name, String messagePart, Executable call) {
        return new Case(name, NotFoundException.class, messagePart, call);
    }

    protected static Case failing(String name, Class<? extends DhamanaException> expected, String messagePart,
                                  Executable call) {
        return new Case(name, expected, messagePart, call);
    }

    private List<Case> cases() {
        URI ok = URI.create("https://id.example/x");
        HoldId ghostHold = HoldId.of(UUID.randomUUID());
        List<Case> c = new ArrayList<>();

        // identifiers
        c.add(invalid("null event id", "must not be null", () -> EventId.of(null)));
        c.add(invalid("blank buyer id", "must not be blank", () -> BuyerId.of("   ")));
        c.add(invalid("oversized section id", "at most 64", () -> SectionId.of(LONG)));
        c.add(invalid("seat id with a quote", "may hold only", () -> SeatId.of("A-1'; DROP TABLE seat;--")));
        c.add(invalid("seat id with a newline", "may hold only", () -> SeatId.of("A\n1")));
        c.add(invalid("null hold uuid", "must not be null", () -> HoldId.of(null)));
        c.add(invalid("malformed hold id", "not a UUID", () -> HoldId.parse("not-a-uuid")));
        c.add(invalid("blank ticket id", "must not be null or blank", () -> TicketId.parse(" ")));
        c.add(invalid("malformed listing id", "not a UUID", () -> ListingId.parse("1234")));

        // event specs
        c.add(invalid("null spec", "spec", () -> client.createEvent(null)));
        c.add(invalid("zero capacity", "capacity", () -> EventSpec.builder("e2").generalAdmission("g", 0, 1, 1)));
        c.add(invalid("negative capacity", "capacity", () -> EventSpec.builder("e2").generalAdmission("g", -5, 1, 1)));
        c.add(invalid("capacity above the limit", "capacity",
                () -> EventSpec.builder("e2").generalAdmission("g", Limits.MAX_SECTION_CAPACITY + 1, 1, 1)));
        c.add(invalid("zero buckets", "buckets", () -> EventSpec.builder("e2").generalAdmission("g", 10, 0, 1)));
        c.add(invalid("too many buckets", "buckets",
                () -> EventSpec.builder("e2").generalAdmission("g", 10_000, Limits.MAX_BUCKETS + 1, 1)));
        c.add(invalid("more buckets than units", "buckets",
                () -> EventSpec.builder("e2").generalAdmission("g", 5, 6, 1)));
        c.add(invalid("negative face value", "faceValueMinor",
                () -> EventSpec.builder("e2").generalAdmission("g", 5, 1, -1)));
        c.add(invalid("overflowing face value", "faceValueMinor",
                () -> EventSpec.builder("e2").generalAdmission("g", 5, 1, Long.MAX_VALUE)));
        c.add(invalid("no seats", "seats", () -> EventSpec.builder("e2").reservedSeating("r", List.of(), 1)));
        c.add(invalid("a seat twice", "twice",
                () -> EventSpec.builder("e2").reservedSeating("r", List.of(SeatId.of("A-1"), SeatId.of("A-1")), 1)));
        c.add(invalid("a null seat", "seat", () -> EventSpec.builder("e2").reservedSeating("r",
                java.util.Arrays.asList(SeatId.of("A-1"), null), 1)));
        c.add(invalid("no sections", "sections", () -> EventSpec.builder("e2").build()));
        c.add(invalid("a section twice", "twice", () -> EventSpec.builder("e2").generalAdmission("g", 5, 1, 1)
                .generalAdmission("g", 6, 1, 1).build()));
        c.add(invalid("zero per-buyer cap", "perBuyerCap", () -> EventSpec.builder("e2").perBuyerCap(0)));
        c.add(invalid("negative resale cap", "resaleCap", () -> EventSpec.builder("e2").resaleCapPercent(-1)));
        c.add(invalid("blank event name", "name", () -> EventSpec.builder("e2").name(" ")));
        c.add(invalid("oversized event name", "name", () -> EventSpec.builder("e2").name("n".repeat(201))));
        c.add(invalid("event name with a control character", "control",
                () -> EventSpec.builder("e2").name("a\u0000b")));
        c.add(invalid("an existing event with other settings", "already exists",
                () -> client.createEvent(EventSpec.builder(SHOW).generalAdmission("floor", 11, 2, 1_000).build())));
        c.add(invalid("an existing event with other seats, as many of them", "other settings",
                () -> client.createEvent(EventSpec.builder(SHOW).generalAdmission("floor", 10, 2, 1_000)
                        .reservedSeating("balcony", SeatMap.grid(4, 1), 2_000).build())));
        c.add(invalid("an event whose unfinished create left other seats", "other settings",
                () -> client.createEvent(EventSpec.builder(HALF_SEATED)
                        .reservedSeating("balcony", SeatMap.grid(1, 4), 2_000).build())));
        c.add(invalid("an event whose unfinished create left other sections", "other settings",
                () -> client.createEvent(EventSpec.builder(HALF_MADE).generalAdmission("floor", 12, 2, 1_000)
                        .build())));
        c.add(invalid("seat grid of zero rows", "rows", () -> SeatMap.grid(0, 5)));
        c.add(invalid("event name with an unpaired surrogate", "well-formed Unicode",
                () -> EventSpec.builder("e2").name("lone \uD800 half")));
        c.add(invalid("event name ending in half a surrogate pair", "well-formed Unicode",
                () -> EventSpec.builder("e2").name("ticket \uD83C")));

        // verification
        c.add(invalid("verify: null event", "event", () -> client.verifyFan(null, FAN, ok)));
        c.add(invalid("verify: null buyer", "buyer", () -> client.verifyFan(SHOW, null, ok)));
        c.add(invalid("verify: null evidence", "evidence", () -> client.verifyFan(SHOW, FAN, null)));
        c.add(invalid("verify: evidence not http", "http", () -> client.verifyFan(SHOW, FAN,
                URI.create("file:///etc/passwd"))));
        c.add(invalid("verify: evidence without host", "host", () -> client.verifyFan(SHOW, FAN,
                URI.create("https:///nohost"))));
        c.add(invalid("verify: oversized evidence", "2048", () -> client.verifyFan(SHOW, FAN,
                URI.create("https://id.example/" + "a".repeat(2100)))));
        c.add(unknown("verify: unknown event", "event", () -> client.verifyFan(EventId.of("nope"), FAN, ok)));
        c.add(invalid("revoke: null buyer", "buyer", () -> client.revokeFan(SHOW, null)));
        c.add(unknown("revoke: unknown event", "event", () -> client.revokeFan(EventId.of("nope"), FAN)));
        c.add(invalid("verification: null event", "event", () -> client.verification(null, FAN)));

        // holds
        c.add(invalid("hold: null request", "request", () -> client.hold(null)));
        c.add(invalid("hold: zero units", "units", () -> HoldRequest.units(SHOW, FLOOR, FAN, 0)));
        c.add(invalid("hold: negative units", "units", () -> HoldRequest.units(SHOW, FLOOR, FAN, -3)));
        c.add(invalid("hold: units above the per-hold limit", "units",
                () -> HoldRequest.units(SHOW, FLOOR, FAN, Limits.MAX_UNITS_PER_HOLD + 1)));
        c.add(invalid("hold: units above the section's capacity", "capacity",
                () -> client.hold(HoldRequest.units(SHOW, FLOOR, FAN, 11))));
        c.add(invalid("hold: null buyer", "buyer", () -> HoldRequest.units(SHOW, FLOOR, null, 1)));
        c.add(invalid("hold: null seat", "seat", () -> HoldRequest.seat(SHOW, BALCONY, null, FAN)));
        c.add(invalid("hold: ttl too short", "ttl",
                () -> HoldRequest.units(SHOW, FLOOR, FAN, 1).withTtl(Duration.ofMillis(10))));
        c.add(invalid("hold: negative ttl", "ttl",
                () -> HoldRequest.units(SHOW, FLOOR, FAN, 1).withTtl(Duration.ofSeconds(-5))));
        c.add(invalid("hold: ttl too long", "ttl",
                () -> HoldRequest.units(SHOW, FLOOR, FAN, 1).withTtl(Duration.ofDays(3))));
        c.add(invalid("hold: several units of a seat", "units", () -> new HoldRequest(SHOW, BALCONY,
                Optional.of(SeatId.of("A-1")), FAN, 2, Optional.empty(), Optional.empty())));
        c.add(invalid("hold: a seat in a GA section", "general admission",
                () -> client.hold(HoldRequest.seat(SHOW, FLOOR, SeatId.of("A-1"), FAN))));
        c.add(invalid("hold: units of a seated section", "reserved seating",
                () -> client.hold(HoldRequest.units(SHOW, BALCONY, FAN, 1))));
        c.add(unknown("hold: unknown event", "event",
                () -> client.hold(HoldRequest.units(EventId.of("nope"), FLOOR, FAN, 1))));
        c.add(unknown("hold: unknown section", "section",
                () -> client.hold(HoldRequest.units(SHOW, SectionId.of("nope"), FAN, 1))));
        c.add(unknown("hold: unknown seat", "seat",
                () -> client.hold(HoldRequest.seat(SHOW, BALCONY, SeatId.of("Q-9"), FAN))));
        c.add(new Case("hold: a hold id reused for another buyer", KeyReusedException.class, "already used",
                () -> client.hold(HoldRequest.units(SHOW, FLOOR, BuyerId.of("other"), 1).withHoldId(hold.id()))));
        c.add(new Case("hold: a hold id reused for a seat of another section", KeyReusedException.class,
                "already used", () -> client.hold(HoldRequest.seat(SHOW, BALCONY, SeatId.of("A-1"), FAN)
                        .withHoldId(hold.id()))));
        c.add(new Case("hold: a hold id reused on another event", KeyReusedException.class, "already used",
                () -> client.hold(HoldRequest.units(ENCORE, FLOOR, FAN, 1).withHoldId(hold.id()))));
        c.add(invalid("release: null", "hold", () -> client.release(null)));
        c.add(unknown("release: unknown hold", "hold", () -> client.release(ghostHold)));
        c.add(invalid("confirm: null", "hold", () -> client.confirm(null)));
        c.add(unknown("confirm: unknown hold", "hold", () -> client.confirm(ghostHold)));
        c.add(invalid("refund: null", "ticket", () -> client.refund(null)));
        c.add(invalid("bulk release: null event", "event", () -> client.releaseHolds(null)));
        c.add(unknown("bulk release: unknown event", "event", () -> client.releaseHolds(EventId.of("nope"))));
        c.add(invalid("bulk refund: null event", "event", () -> client.refundAll(null)));
        c.add(unknown("bulk refund: unknown event", "event", () -> client.refundAll(EventId.of("nope"))));
        c.add(unknown("refund: unknown ticket", "ticket", () -> client.refund(TicketId.of(UUID.randomUUID()))));

        // resale
        c.add(invalid("list: null request", "request", () -> client.listForResale(null)));
        c.add(invalid("list: zero ask", "askMinor", () -> ListingRequest.of(ticket.id(), FAN, 0)));
        c.add(invalid("list: negative ask", "askMinor", () -> ListingRequest.of(ticket.id(), FAN, -100)));
        c.add(invalid("list: overflowing ask", "askMinor", () -> ListingRequest.of(ticket.id(), FAN, Long.MAX_VALUE)));
        c.add(invalid("list: null seller", "seller", () -> ListingRequest.of(ticket.id(), null, 100)));
        c.add(unknown("list: unknown ticket", "ticket",
                () -> client.listForResale(ListingRequest.of(TicketId.of(UUID.randomUUID()), FAN, 100))));
        c.add(new Case("list: a listing id reused for another ticket", KeyReusedException.class, "already used",
                () -> client.listForResale(ListingRequest.of(ticket.id(), FAN, 1_000).withListingId(listing.id()))));
        c.add(invalid("withdraw: null seller", "seller", () -> client.withdrawListing(listing.id(), null)));
        c.add(unknown("withdraw: unknown listing", "listing",
                () -> client.withdrawListing(ListingId.of(UUID.randomUUID()), FAN)));
        c.add(invalid("buy: null buyer", "buyer", () -> client.buyListing(listing.id(), null)));
        c.add(unknown("buy: unknown listing", "listing",
                () -> client.buyListing(ListingId.of(UUID.randomUUID()), FAN)));
        c.add(invalid("settle: null", "listing", () -> client.settle(null)));
        c.add(unknown("settle: unknown listing", "listing", () -> client.settle(ListingId.of(UUID.randomUUID()))));
        c.add(invalid("cancel sale: null", "listing", () -> client.cancelSale(null)));
        c.add(unknown("cancel sale: unknown listing", "listing",
                () -> client.cancelSale(ListingId.of(UUID.randomUUID()))));

        // queries
        c.add(invalid("unitsLeft: null section", "section", () -> client.unitsLeft(SHOW, null)));
        c.add(unknown("unitsLeft: unknown section", "section", () -> client.unitsLeft(SHOW, SectionId.of("nope"))));
        c.add(invalid("seats: a GA section", "general admission", () -> client.seats(SHOW, FLOOR)));
        c.add(invalid("holdersOf: null seat", "seat", () -> client.holdersOf(SHOW, BALCONY, null)));
        c.add(unknown("holdersOf: unknown seat", "seat", () -> client.holdersOf(SHOW, BALCONY, SeatId.of("Z-1"))));
        c.add(invalid("findHold: null", "hold", () -> client.findHold(null)));
        c.add(invalid("findTicket: null", "ticket", () -> client.findTicket(null)));
        c.add(invalid("findListing: null", "listing", () -> client.findListing(null)));
        c.add(invalid("ticketsOf: null buyer", "buyer", () -> client.ticketsOf(SHOW, null)));
        c.add(unknown("ticketsOf: unknown event", "event", () -> client.ticketsOf(EventId.of("nope"), FAN)));
        c.add(invalid("audit: null event", "event", () -> client.audit(null)));
        c.add(unknown("audit: unknown event", "event", () -> client.audit(EventId.of("nope"))));
        c.add(invalid("event: null", "event", () -> client.event(null)));

        // client and policy configuration
        c.add(invalid("builder: null store", "store", () -> TicketingClient.builder().store(null)));
        c.add(invalid("builder: zero hold ttl", "defaultHoldTtl",
                () -> TicketingClient.builder().defaultHoldTtl(Duration.ZERO)));
        c.add(invalid("builder: negative sweep interval", "expirySweepInterval",
                () -> TicketingClient.builder().expirySweepInterval(Duration.ofSeconds(-1))));
        c.add(invalid("builder: combined holds out of range", "maxCombinedHolds",
                () -> TicketingClient.builder().maxCombinedHolds(501)));
        c.add(invalid("builder: blank name", "name", () -> TicketingClient.builder().name("")));
        c.add(invalid("builder: null listener", "listener", () -> TicketingClient.builder().listener(null)));
        c.add(invalid("policy: zero attempts", "maxAttempts", () -> RetryPolicy.builder().maxAttempts(0)));
        c.add(invalid("engine: negative expected holds", "expectedHolds",
                () -> EngineStore.builder().expectedHolds(-1)));
        c.add(invalid("policy: negative deadline", "deadline",
                () -> RetryPolicy.builder().deadline(Duration.ofSeconds(-1))));
        c.add(invalid("policy: null jitter", "jitter", () -> RetryPolicy.builder().jitter(null)));
        c.add(invalid("policy: delay before retry 0", "retry",
                () -> RetryPolicy.defaults().delayNanos(0, 0, new java.util.Random(1))));
        c.add(invalid("policy: negative previous delay", "previousNanos",
                () -> RetryPolicy.defaults().delayNanos(1, -1, new java.util.Random(1))));
        c.add(invalid("policy: delay without a random source", "random",
                () -> RetryPolicy.defaults().delayNanos(1, 0, null)));
        c.add(invalid("stats: null operation", "operation", () -> new OperationStats().snapshot(null)));
        c.add(invalid("config: null listeners", "listeners", () -> new ClientConfig(store, false,
                RetryPolicy.defaults(), Duration.ofMinutes(5), BucketSelection.LEAST_BUSY, 1, false, 64,
                Duration.ZERO, null, Ticker.system(), Sleeper.system(), Optional.empty(), "c")));
        c.add(invalid("store: null transaction mode", "mode", () -> store.inTransaction(null, tx -> null)));
        c.add(invalid("store: null transaction work", "work", () -> store.inTransaction(TxMode.READ_ONLY, null)));

        // the calls not covered above
        c.add(invalid("revoke: null event", "event", () -> client.revokeFan(null, FAN)));
        c.add(invalid("verification: null buyer", "buyer", () -> client.verification(SHOW, null)));
        c.add(invalid("verify: evidence with a space", "URL", () -> client.verifyFan(SHOW, FAN,
                Checks.evidence("evidence", "https://id.example/a b"))));
        c.add(invalid("verify: javascript evidence", "http", () -> client.verifyFan(SHOW, FAN,
                URI.create("javascript:alert(1)"))));
        c.add(invalid("verify: evidence with an unpaired surrogate", "well-formed Unicode",
                () -> client.verifyFan(SHOW, FAN, URI.create("https://id.example/x\uDC00y"))));
        c.add(invalid("withdraw: null listing", "listing", () -> client.withdrawListing(null, FAN)));
        c.add(invalid("buy: null listing", "listing", () -> client.buyListing(null, FAN)));
        c.add(invalid("unitsLeft: null event", "event", () -> client.unitsLeft(null, FLOOR)));
        c.add(unknown("unitsLeft: unknown event", "event", () -> client.unitsLeft(EventId.of("nope"), FLOOR)));
        c.add(invalid("seats: null section", "section", () -> client.seats(SHOW, null)));
        c.add(unknown("seats: unknown section", "section", () -> client.seats(SHOW, SectionId.of("nope"))));
        c.add(invalid("holdersOf: null event", "event", () -> client.holdersOf(null, BALCONY, SeatId.of("A-1"))));
        c.add(invalid("holdersOf: a GA section", "general admission",
                () -> client.holdersOf(SHOW, FLOOR, SeatId.of("A-1"))));
        c.add(invalid("ticketsOf: null event", "event", () -> client.ticketsOf(null, FAN)));
        c.add(invalid("hold: null ttl", "ttl", () -> HoldRequest.units(SHOW, FLOOR, FAN, 1).withTtl(null)));
        c.add(invalid("hold: null hold id", "holdId", () -> HoldRequest.units(SHOW, FLOOR, FAN, 1).withHoldId(null)));
        c.add(invalid("list: null listing id", "listingId",
                () -> ListingRequest.of(ticket.id(), FAN, 100).withListingId(null)));
        c.add(invalid("id with a unicode letter", "may hold only", () -> BuyerId.of("zoë")));
        c.add(invalid("id with a percent sign", "may hold only", () -> EventId.of("50%off")));
        c.add(invalid("id starting with a dash", "may hold only", () -> SectionId.of("-floor")));

        // seat maps
        c.add(invalid("row name of a negative index", "index", () -> SeatMap.rowName(-1)));
        c.add(invalid("row name of the lowest index", "index", () -> SeatMap.rowName(Integer.MIN_VALUE)));
        c.add(invalid("row name beyond ZZ", "index", () -> SeatMap.rowName(702)));
        c.add(invalid("seat grid of more rows than ZZ", "rows", () -> SeatMap.grid(703, 1)));
        c.add(invalid("seat grid of negative seats per row", "seatsPerRow", () -> SeatMap.grid(1, -1)));

        // the records the client hands back, built by hand
        c.add(invalid("event: negative per-buyer cap", "perBuyerCap",
                () -> new Event(SHOW, "show", -1, 11_000, List.of())));
        c.add(invalid("event: negative resale cap", "resaleCapBps",
                () -> new Event(SHOW, "show", 4, -1, List.of())));
        c.add(invalid("event: resale cap above the limit", "resaleCapBps",
                () -> new Event(SHOW, "show", 4, Limits.MAX_RESALE_CAP_BPS + 1, List.of())));
        c.add(invalid("event: a null section", "section",
                () -> new Event(SHOW, "show", 4, 11_000, java.util.Arrays.asList((Section) null))));
        c.add(invalid("event: looking up a null section", "sectionId",
                () -> new Event(SHOW, "show", 4, 11_000, List.of()).section(null)));
        c.add(invalid("section: zero capacity", "capacity",
                () -> new Section(FLOOR, SectionKind.GENERAL_ADMISSION, 0, 1, 1_000)));
        c.add(invalid("section: negative buckets", "buckets",
                () -> new Section(FLOOR, SectionKind.GENERAL_ADMISSION, 10, -1, 1_000)));
        c.add(invalid("section: more buckets than units", "buckets",
                () -> new Section(FLOOR, SectionKind.GENERAL_ADMISSION, 5, 6, 1_000)));
        c.add(invalid("section: negative face value", "faceValueMinor",
                () -> new Section(FLOOR, SectionKind.GENERAL_ADMISSION, 10, 2, -1)));
        c.add(invalid("hold: zero units in the record", "units", () -> holdRecord(Optional.empty(), 0, 1_000)));
        c.add(invalid("hold: negative units in the record", "units", () -> holdRecord(Optional.empty(), -2, 1_000)));
        c.add(invalid("hold: two units of a seat in the record", "units",
                () -> holdRecord(Optional.of(SeatId.of("A-1")), 2, 1_000)));
        c.add(invalid("hold: negative unit price", "unitPriceMinor", () -> holdRecord(Optional.empty(), 1, -1)));
        c.add(invalid("listing: zero ask in the record", "askMinor", () -> new Listing(listing.id(),
                listing.ticket(), SHOW, FAN, 0, 1_100, ListingState.ACTIVE, Optional.empty())));
        c.add(invalid("listing: negative cap", "capMinor", () -> new Listing(listing.id(), listing.ticket(), SHOW,
                FAN, 1_000, -1, ListingState.ACTIVE, Optional.empty())));
        c.add(invalid("ticket: negative face value", "faceValueMinor", () -> new Ticket(ticket.id(), SHOW, FLOOR,
                Optional.empty(), hold.id(), FAN, TicketState.VALID, "code", -1)));
        c.add(invalid("verification: negative units used", "used", () -> new Verification(SHOW, FAN,
                VerificationStatus.VERIFIED, ok, -1, 4)));
        c.add(invalid("verification: zero cap", "cap", () -> new Verification(SHOW, FAN,
                VerificationStatus.VERIFIED, ok, 0, 0)));
        c.add(invalid("seat: null state", "state", () -> new Seat(SeatId.of("A-1"), null)));
        c.add(invalid("sold out: zero units requested", "requested",
                () -> new Rejection.SoldOut(SHOW, FLOOR, 0, 0)));
        c.add(invalid("sold out: negative units left", "unitsLeft",
                () -> new Rejection.SoldOut(SHOW, FLOOR, 1, -1)));
        c.add(invalid("cap reached: negative units used", "used",
                () -> new Rejection.CapReached(SHOW, FAN, 4, -1, 1)));
        c.add(invalid("cap reached: zero cap", "cap", () -> new Rejection.CapReached(SHOW, FAN, 0, 0, 1)));
        c.add(invalid("cap reached: units requested above a hold's limit", "requested",
                () -> new Rejection.CapReached(SHOW, FAN, 4, 0, Limits.MAX_UNITS_PER_HOLD + 1)));
        c.add(invalid("ask above cap: negative cap", "capMinor",
                () -> new Rejection.AskAboveCap(ticket.id(), 1_000, -1)));
        c.add(invalid("audit: negative oversold units", "oversoldUnits", () -> new AuditReport(10, 0, 0, 0, -1, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of())));
        c.add(invalid("audit: negative units refunded", "unitsRefunded", () -> new AuditReport(10, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, List.of(), List.of())));
        c.add(invalid("section audit: negative held units", "heldUnits", () -> new AuditReport.SectionAudit(SHOW,
                FLOOR, SectionKind.GENERAL_ADMISSION, 10, 10, -1, 0, 0, 0, 0)));
        c.add(invalid("contested seat with one claim", "claimants", () -> new AuditReport.SeatClaims(SHOW, BALCONY,
                SeatId.of("A-1"), List.of(FAN))));
        c.add(invalid("stats: negative calls", "calls", () -> new OperationStats.Snapshot(Operation.HOLD, -1, 0, 0,
                0, 0, 0, 0, 0, 0)));
        c.add(invalid("stats: a success with a negative latency", "latencyNanos",
                () -> new OperationStats().onSuccess(Operation.HOLD, 1, -5)));
        c.add(invalid("stats: attempt zero", "attempt", () -> new OperationStats().onAttempt(Operation.HOLD, 0)));
        c.add(invalid("stats: a rejection without an operation", "operation",
                () -> new OperationStats().onRejected(null, new Rejection.SoldOut(SHOW, FLOOR, 1, 0), 1, 0)));

        // the engine's builder
        c.add(invalid("engine builder: null clock", "clock", () -> EngineStore.builder().clock(null)));
        c.addAll(storeCases());
        return c;
    }

    private static Hold holdRecord(Optional<SeatId> seat, int units, long unitPriceMinor) {
        Instant now = Instant.parse("2026-11-23T20:00:00Z");
        return new Hold(HoldId.of(UUID.randomUUID()), SHOW, seat.isPresent() ? BALCONY : FLOOR, seat, FAN, units,
                HoldStatus.HELD, now, now.plusSeconds(600), unitPriceMinor);
    }

    @TestFactory
    protected Stream<DynamicTest> everyInvalidCallGetsATypedErrorAndChangesNothing() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<String> before = StoreDump.of(store);
            assertThatThrownBy(c.call()::execute)
                    .isInstanceOf(c.expected())
                    .hasMessageContaining(c.messagePart())
                    .satisfies(e -> assertThat(((DhamanaException) e).isRetryable()).isFalse());
            assertThat(StoreDump.of(store)).as("rows after: %s", c.name()).isEqualTo(before);
        }));
    }

    @TestFactory
    protected Stream<DynamicTest> theInputThatReachedTheStoreWasStoredVerbatimNotInterpreted() {
        // Ids are restricted to a safe alphabet, and free text (names, evidence URLs) travels as parameters: a
        // name full of SQL comes back exactly as written.
        return Stream.of(DynamicTest.dynamicTest("an event named like an injection", () -> {
            String name = "Robert'); DROP TABLE event; -- \"quoted\" \\ back";
            EventId id = EventId.of("odd-name");
            client.createEvent(EventSpec.builder(id).name(name).generalAdmission("g", 1, 1, 1).build());
            assertThat(client.event(id)).get().extracting(Event::name).isEqualTo(name);
        }));
    }
}

package io.dhamana.examples.travel;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.Seat;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.Section;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;
import io.dhamana.examples.support.Args;
import io.dhamana.examples.support.Cli;
import io.dhamana.examples.support.Crowd;
import io.dhamana.examples.support.ExampleStores;
import io.dhamana.examples.support.RunId;
import io.dhamana.spi.TicketStore;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Airline seats and hotel rooms: inventory where every unit has a name. Each flight is an event with its own seat
 * map ({@code 1A} to {@code 30F}); the hotel is an event with one section per night whose seats are its rooms
 * ({@code 101}, {@code 102}...). Travellers book from two sites at once (two clients on one store). Shows:
 * <ul>
 *   <li>no double booking: rivals for the same window seat or room-night get {@link Rejection.SeatTaken}, and the
 *       audit finds every seat and room-night with at most one holder;</li>
 *   <li>holds that expire: a traveller who abandons checkout keeps the seat only for the hold's time to live;
 *       {@link TicketingClient#expireHolds()} returns it to sale and a late payment is refused with
 *       {@link Rejection.HoldExpired};</li>
 *   <li>refunds: a cancelled booking's seat or room goes back on sale;</li>
 *   <li>multi-night stays as one hold per night, all or nothing: if a night is taken, the nights already held are
 *       released and the guest tries another room.</li>
 * </ul>
 * Freed seats and rooms are read back from the seat rows and then sold again to stand-by travellers.
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.travel.TravelBooking
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.travel.TravelBooking \
 *     -Dexec.args="--flights 8 --passengers 3000 --ttl-seconds 2"
 * </pre>
 */
public final class TravelBooking {
    private static final SectionId CABIN = SectionId.of("cabin");
    private static final String SEAT_LETTERS = "ABCDEF";

    /**
     * How much inventory and how many travellers.
     *
     * @param flights    flights, each a 6-abreast cabin of {@code rows} rows
     * @param passengers travellers wanting one flight seat each
     * @param floors     hotel floors of 8 rooms each
     * @param nights     nights on sale at the hotel
     * @param guests     travellers wanting a stay of 1 to 3 nights
     */
    public record Size(int flights, int rows, int passengers, int floors, int nights, int guests) {
        public static final Size DEFAULT = new Size(4, 30, 1_000, 5, 7, 200);
    }

    /** How the run lets time pass: sleeping on a real clock, or moving a test's clock. */
    @FunctionalInterface
    public interface Waiting {
        void waitFor(Duration d) throws InterruptedException;
    }

    /**
     * What a run did.
     *
     * @param events          the flights and the hotel
     * @param abandonedTrips  trips whose traveller walked away before paying
     * @param abandoned       seats and room-nights left in holds that were never paid
     * @param expired         holds the expiry sweep returned to sale
     * @param lateRefused     abandoned trips whose late payment was refused as expired
     * @param refunded        seats and room-nights refunded on cancellation
     * @param freedAvailable  abandoned or refunded seats and room-nights that the seat rows show available again
     * @param rebooked        freed seats and room-nights the stand-by travellers were told they bought
     * @param resoldInRows    freed seats and room-nights that the seat rows show sold, to their stand-by traveller
     * @param audits          one audit per event, at the end
     */
    public record Result(List<EventId> events, int abandonedTrips, int abandoned, int expired, int lateRefused,
                         int refunded, int freedAvailable, int rebooked, int resoldInRows, List<AuditReport> audits) {
        public Result {
            events = List.copyOf(events);
            audits = List.copyOf(audits);
        }

        /** Seats and room-nights freed by expiry or refund. */
        public int freed() {
            return abandoned + refunded;
        }

        /**
         * What the run's figures show went wrong, empty when nothing did: an unclean audit, a double booking, a late
         * payment accepted, an abandoned hold not swept, or a freed seat or room not on sale again and resold.
         */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            if (!clean()) {
                p.add("the audit found violations");
            }
            if (doubleBooked() != 0) {
                p.add(doubleBooked() + " seats or room-nights double-booked");
            }
            if (lateRefused != abandonedTrips) {
                p.add(lateRefused + " of " + abandonedTrips + " late payments refused as expired");
            }
            // At least: on a shared database the sweep may also expire other runs' holds.
            if (expired < abandoned) {
                p.add(expired + " holds expired by the sweep for " + abandoned + " abandoned");
            }
            if (freedAvailable != freed()) {
                p.add(freedAvailable + " of " + freed() + " freed seats and room-nights available again");
            }
            if (rebooked != freed() || resoldInRows != freed()) {
                p.add(rebooked + " of " + freed() + " freed seats and room-nights sold again, " + resoldInRows
                        + " of them sold in the seat rows");
            }
            return p;
        }

        /** Whether every event's audit is clean. */
        public boolean clean() {
            return audits.stream().allMatch(AuditReport::isClean);
        }

        /** Seats and room-nights claimed twice, over all events (must be 0). */
        public long doubleBooked() {
            return audits.stream().mapToLong(AuditReport::doubleBookedSeats).sum();
        }

        /** Seats and room-nights sold and not refunded, over all events. */
        public long sold() {
            return audits.stream().mapToLong(AuditReport::soldUnits).sum();
        }
    }

    /** A named unit: a seat on a flight, or a room on one night. */
    record Spot(EventId event, SectionId section, SeatId seat) {}

    private TravelBooking() {}

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "TravelBooking [--flights 4] [--rows 30] [--passengers 1000] [--floors 5] [--nights 7] "
                + "[--guests 200] [--ttl-seconds 5]", TravelBooking::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws InterruptedException {
        Size d = Size.DEFAULT;
        Size size = new Size(args.integer("flights", d.flights()), args.integer("rows", d.rows()),
                args.integer("passengers", d.passengers()), args.integer("floors", d.floors()),
                args.integer("nights", d.nights()), args.integer("guests", d.guests()));
        boolean ok;
        try (TicketStore store = ExampleStores.open(args)) {
            // On a real clock, the abandoned holds lapse while we sleep past their time to live.
            Result r = run(store, size, Duration.ofSeconds(args.integer("ttl-seconds", 5)),
                    wait -> Thread.sleep(wait.toMillis()), System.out);
            List<String> problems = r.problems();
            ok = problems.isEmpty();
            System.out.println(ok ? String.format(Locale.ROOT, "No double booking; all %,d late payments refused, and"
                    + " all %,d expired and refunded seats and rooms went back on sale and were sold again (seat"
                    + " rows).", r.lateRefused(), r.freed()) : "NOT AS CLAIMED: " + String.join("; ", problems));
        }
        return ok;
    }

    /**
     * Sells the flights and the hotel of {@code size} with holds that last {@code ttl}, lets time pass with
     * {@code waiting}, expires, refunds and resells, and writes progress to {@code out}.
     */
    public static Result run(TicketStore store, Size size, Duration ttl, Waiting waiting, PrintStream out)
            throws InterruptedException {
        String run = RunId.next();
        // The sweeper is off so this run shows expireHolds() at work; a real app leaves it on.
        try (TicketingClient east = site(store, "east"); TicketingClient west = site(store, "west")) {
            TicketingClient[] sites = {east, west};

            List<EventId> flights = new ArrayList<>();
            for (int f = 0; f < size.flights(); f++) {
                EventId flight = EventId.of("flight-DH" + (100 + f) + "-" + run);
                List<SeatId> seatMap = new ArrayList<>();
                for (int row = 1; row <= size.rows(); row++) {
                    for (char letter : SEAT_LETTERS.toCharArray()) {
                        seatMap.add(SeatId.of(row + "" + letter));
                    }
                }
                // One seat per named passenger on a flight: the per-buyer cap is 1.
                east.createEvent(EventSpec.builder(flight).name("Flight DH" + (100 + f)).perBuyerCap(1)
                        .reservedSeating(CABIN.value(), seatMap, 18_900).build());
                flights.add(flight);
            }
            EventId hotel = EventId.of("hotel-" + run);
            EventSpec.Builder hotelSpec = EventSpec.builder(hotel).name("Harbour Hotel").perBuyerCap(3);
            List<SeatId> rooms = new ArrayList<>();
            for (int floor = 1; floor <= size.floors(); floor++) {
                for (int n = 1; n <= 8; n++) {
                    rooms.add(SeatId.of(String.valueOf(floor * 100 + n)));
                }
            }
            for (int night = 1; night <= size.nights(); night++) {
                hotelSpec.reservedSeating(night(night).value(), rooms, 14_000);
            }
            east.createEvent(hotelSpec.build());
            out.printf(Locale.ROOT, "Travel booking on %s: %d flights of %d seats, a hotel of %d rooms over %d nights,"
                            + " %,d passengers and %,d guests from two sites, holds of %d s%n", store.description(),
                    size.flights(), size.rows() * 6, rooms.size(), size.nights(), size.passengers(), size.guests(),
                    ttl.toSeconds());

            int travellers = size.passengers() + size.guests();
            Crowd.run(travellers, 16, i -> {
                // Identity is checked once per trip (passport details for a flight, a card for the hotel).
                EventId where = i < size.passengers() ? flights.get(i % flights.size()) : hotel;
                sites[i % 2].verifyFan(where, traveller(i), URI.create("https://id.example/travellers/" + i)).value();
            });

            ConcurrentLinkedQueue<List<Hold>> abandoned = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<List<Ticket>> booked = new ConcurrentLinkedQueue<>();
            AtomicInteger taken = new AtomicInteger();
            Crowd.run(travellers, 32, i -> {
                TicketingClient site = sites[i % 2];
                SplittableRandom random = new SplittableRandom(i);
                List<List<Spot>> choices = i < size.passengers()
                        ? seatChoices(flights.get(i % flights.size()), size.rows(), random)
                        : stayChoices(hotel, rooms, size.nights(), random);
                for (List<Spot> choice : choices) {
                    Optional<List<Hold>> held = holdAll(site, traveller(i), choice, ttl, taken);
                    if (held.isEmpty()) {
                        continue;
                    }
                    if (random.nextInt(10) == 0) {
                        abandoned.add(held.get()); // closes the tab before paying: the hold will lapse
                    } else {
                        List<Ticket> tickets = new ArrayList<>();
                        for (Hold h : held.get()) {
                            tickets.addAll(site.confirm(h.id()).value());
                        }
                        booked.add(tickets);
                    }
                    return;
                }
            });
            int abandonedUnits = abandoned.stream().mapToInt(List::size).sum();
            out.printf(Locale.ROOT, "  booked %,d trips (%,d times a rival had the seat or room first), %,d travellers "
                    + "walked away from %,d held seats and room-nights%n", booked.size(), taken.get(), abandoned.size(),
                    abandonedUnits);

            out.printf(Locale.ROOT, "  letting %d s pass so the abandoned holds lapse...%n",
                    ttl.plusSeconds(1).toSeconds());
            waiting.waitFor(ttl.plusSeconds(1));
            int lateRefused = 0;
            for (List<Hold> trip : abandoned) {
                // The traveller comes back to pay after the hold lapsed. The store's clock decides, not the sweeper:
                // the hold is refused as expired even though nothing has swept it yet.
                Outcome<List<Ticket>> late = west.confirm(trip.get(0).id());
                if (late.rejectionIfAny().orElse(null) instanceof Rejection.HoldExpired) {
                    lateRefused++;
                }
            }
            int expired = east.expireHolds(); // returns the lapsed holds' seats and rooms to sale
            out.printf(Locale.ROOT, "  %,d of %,d late payments refused as expired, then %,d holds expired by the "
                    + "sweep%n", lateRefused, abandoned.size(), expired);

            List<Spot> freed = new ArrayList<>();
            for (List<Hold> trip : abandoned) {
                trip.forEach(h -> freed.add(spot(h.event(), h.section(), h.seat().orElseThrow())));
            }
            int refunded = 0;
            int t = 0;
            for (List<Ticket> trip : booked) {
                if (t++ % 20 != 0) {
                    continue; // one trip in twenty is cancelled
                }
                for (Ticket ticket : trip) {
                    east.refund(ticket.id()).value();
                    freed.add(spot(ticket.event(), ticket.section(), ticket.seat().orElseThrow()));
                    refunded++;
                }
            }

            // Read the freed seats and rooms back from the seat rows: each must be on sale again.
            List<EventId> events = new ArrayList<>(flights);
            events.add(hotel);
            Map<Spot, SeatState> states = new HashMap<>();
            for (EventId event : events) {
                for (SectionId section : sectionsOf(east, event)) {
                    for (Seat seat : east.seats(event, section)) {
                        states.put(spot(event, section, seat.id()), seat.state());
                    }
                }
            }
            int freedAvailable = (int) freed.stream().filter(s -> states.get(s) == SeatState.AVAILABLE).count();

            // ...and sell each one again, to a stand-by traveller.
            int rebooked = 0;
            for (int k = 0; k < freed.size(); k++) {
                Spot s = freed.get(k);
                BuyerId standby = standby(k);
                east.verifyFan(s.event(), standby, URI.create("https://id.example/standby/" + k)).value();
                Outcome<Hold> held = west.hold(HoldRequest.seat(s.event(), s.section(), s.seat(), standby));
                if (held.isOk() && west.confirm(held.value().id()).isOk()) {
                    rebooked++;
                }
            }
            // Read them back once more: each must now be sold, to its stand-by traveller and nobody else.
            int resoldInRows = 0;
            for (int k = 0; k < freed.size(); k++) {
                Spot s = freed.get(k);
                boolean sold = east.seats(s.event(), s.section()).stream()
                        .anyMatch(seat -> seat.id().equals(s.seat()) && seat.state() == SeatState.SOLD);
                if (sold && east.holdersOf(s.event(), s.section(), s.seat()).equals(List.of(standby(k)))) {
                    resoldInRows++;
                }
            }
            out.printf(Locale.ROOT, "  %,d refunded on cancellation; %,d of %,d freed seats and room-nights back on "
                    + "sale (seat rows), %,d sold again to stand-by travellers (%,d sold in the seat rows)%n",
                    refunded, freedAvailable, freed.size(), rebooked, resoldInRows);

            List<AuditReport> audits = events.stream().map(east::audit).toList();
            Result result = new Result(events, abandoned.size(), abandonedUnits, expired, lateRefused, refunded,
                    freedAvailable, rebooked, resoldInRows, audits);
            out.println();
            out.printf(Locale.ROOT, "  seats and room-nights sold (audit)  %,d%n", result.sold());
            out.printf(Locale.ROOT, "  double-booked (audit)               %,d%n", result.doubleBooked());
            out.printf(Locale.ROOT, "  audit clean, every event            %s%n", result.clean() ? "yes" : "NO");
            for (AuditReport a : audits) {
                if (!a.isClean()) {
                    out.println("  audit  " + a.summary());
                }
            }
            return result;
        }
    }

    /** A passenger's choices, best first: a window seat if possible, then any seat. One seat per choice. */
    private static List<List<Spot>> seatChoices(EventId flight, int rows, SplittableRandom random) {
        List<List<Spot>> choices = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            char letter = k < 3 && random.nextBoolean()
                    ? (random.nextBoolean() ? 'A' : 'F') // the window seats everybody wants
                    : SEAT_LETTERS.charAt(random.nextInt(6));
            choices.add(List.of(spot(flight, CABIN, SeatId.of((1 + random.nextInt(rows)) + "" + letter))));
        }
        return choices;
    }

    /** A guest's choices: one stay of 1 to 3 consecutive nights, in one of four rooms. One room-night per night. */
    private static List<List<Spot>> stayChoices(EventId hotel, List<SeatId> rooms, int nights,
                                                SplittableRandom random) {
        int length = 1 + random.nextInt(Math.min(3, nights));
        int first = 1 + random.nextInt(nights - length + 1);
        List<List<Spot>> choices = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            SeatId room = rooms.get(random.nextInt(rooms.size()));
            List<Spot> stay = new ArrayList<>();
            for (int n = first; n < first + length; n++) {
                stay.add(spot(hotel, night(n), room));
            }
            choices.add(stay);
        }
        return choices;
    }

    /**
     * Holds every spot for the traveller, or none: a stay needs the same room every night, so when a night is
     * taken the nights already held are released at once rather than left to expire.
     */
    private static Optional<List<Hold>> holdAll(TicketingClient site, BuyerId who, List<Spot> spots, Duration ttl,
                                                AtomicInteger taken) {
        List<Hold> held = new ArrayList<>();
        for (Spot s : spots) {
            Outcome<Hold> o = site.hold(HoldRequest.seat(s.event(), s.section(), s.seat(), who).withTtl(ttl));
            if (!o.isOk()) {
                if (o.rejectionIfAny().orElseThrow() instanceof Rejection.SeatTaken) {
                    taken.incrementAndGet();
                }
                held.forEach(h -> site.release(h.id()).value());
                return Optional.empty();
            }
            held.add(o.value());
        }
        return Optional.of(held);
    }

    private static List<SectionId> sectionsOf(TicketingClient client, EventId event) {
        return client.event(event).orElseThrow().sections().stream().map(Section::id).toList();
    }

    private static Spot spot(EventId event, SectionId section, SeatId seat) {
        return new Spot(event, section, seat);
    }

    private static SectionId night(int n) {
        return SectionId.of("night-" + n);
    }

    private static BuyerId standby(int k) {
        return BuyerId.of("standby-" + k);
    }

    /** Traveller {@code i}'s buyer id. */
    public static BuyerId traveller(int i) {
        return BuyerId.of("traveller-" + i);
    }

    private static TicketingClient site(TicketStore store, String name) {
        return TicketingClient.builder().store(store).name("travel-" + name)
                .expirySweepInterval(Duration.ZERO).build();
    }
}

package io.dhamana.examples.appointments;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
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
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Appointments at national scale (a vaccination campaign, passport interviews, driving tests): every time slot at
 * every clinic on every day is a named seat. Each region is an event; its sections are clinic-days
 * ({@code clinic-03.day-07}) and their seats the day's slots ({@code 08:00}, {@code 08:15}...). Patients book from
 * two regions' front ends at once. Shows:
 * <ul>
 *   <li>no double booking across tens of thousands of slots: a slot someone else took is refused with
 *       {@link Rejection.SeatTaken} and the patient tries another; the audit finds no slot with two patients;</li>
 *   <li>one appointment per patient (per-buyer cap 1), only for patients whose identity was checked;</li>
 *   <li>cancellation returns the slot: a patient who gives up before confirming releases the hold, a confirmed
 *       appointment is cancelled with a refund; the seat rows show every freed slot available, and patients on
 *       the waiting list book them.</li>
 * </ul>
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java \
 *     -Dexec.mainClass=io.dhamana.examples.appointments.NationalAppointments
 * mvn -q -pl dhamana-examples -am test-compile exec:java \
 *     -Dexec.mainClass=io.dhamana.examples.appointments.NationalAppointments -Dexec.args="--regions 4 --patients 20000"
 * </pre>
 */
public final class NationalAppointments {

    /**
     * The campaign's shape.
     *
     * @param regions     regions, one event each
     * @param clinics     clinics per region
     * @param days        days on the calendar (clinics x days must be at most 100, the sections of one event)
     * @param slotsPerDay 15-minute slots per clinic-day, from 08:00
     * @param patients    patients, spread over the regions
     */
    public record Size(int regions, int clinics, int days, int slotsPerDay, int patients) {
        public static final Size DEFAULT = new Size(10, 10, 10, 32, 40_000);

        long slots() {
            return (long) regions * clinics * days * slotsPerDay;
        }
    }

    /**
     * What the campaign did.
     *
     * @param released       holds given back before confirming
     * @param cancelled      confirmed appointments cancelled (refunded)
     * @param freedAvailable released or cancelled slots that the seat rows show available afterwards
     * @param offered        freed slots offered to a patient waiting in the slot's region
     * @param rebooked       freed slots booked by patients from the waiting list, as they were told
     * @param rebookedInRows freed slots the seat rows show booked, to the waiting patient they were offered to
     * @param stillFree      freed slots the seat rows show free and unclaimed at the end
     * @param waitlisted     patients who found no free slot in their tries
     * @param audits         one audit per region, at the end
     */
    public record Result(List<EventId> regions, long slots, int released, int cancelled, int freedAvailable,
                         int offered, int rebooked, int rebookedInRows, int stillFree, int waitlisted,
                         List<AuditReport> audits) {
        public Result {
            regions = List.copyOf(regions);
            audits = List.copyOf(audits);
        }

        /** Slots released or cancelled. */
        public int freed() {
            return released + cancelled;
        }

        /**
         * What the campaign's figures show went wrong, empty when nothing did: an unclean audit, a slot booked twice,
         * a freed slot not free again, a waiting patient refused a free slot, or a freed slot neither booked from
         * the waiting list nor free at the end (seat rows).
         */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            if (!clean()) {
                p.add("the audit found violations");
            }
            if (doubleBooked() != 0) {
                p.add(doubleBooked() + " slots booked twice");
            }
            if (freedAvailable != freed()) {
                p.add(freedAvailable + " of " + freed() + " freed slots free again");
            }
            if (rebooked != offered) {
                p.add(rebooked + " of " + offered + " freed slots offered to the waiting list booked");
            }
            if (rebookedInRows != rebooked || rebookedInRows + stillFree != freed()) {
                p.add("of " + freed() + " freed slots the seat rows show " + rebookedInRows + " booked from the "
                        + "waiting list (" + rebooked + " told) and " + stillFree + " free");
            }
            return p;
        }

        /** Appointments booked and not cancelled, over all regions (audit). */
        public long booked() {
            return audits.stream().mapToLong(AuditReport::soldUnits).sum();
        }

        /** Slots with more than one patient, over all regions (audit; must be 0). */
        public long doubleBooked() {
            return audits.stream().mapToLong(AuditReport::doubleBookedSeats).sum();
        }

        /** Whether every region's audit is clean. */
        public boolean clean() {
            return audits.stream().allMatch(AuditReport::isClean);
        }
    }

    /** A slot: a time at one clinic on one day, in one region. */
    record Slot(EventId region, SectionId clinicDay, SeatId time) {}

    private NationalAppointments() {}

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "NationalAppointments [--regions 10] [--clinics 10] [--days 10] [--slots-per-day 32] "
                + "[--patients 40000] [--threads 64]", NationalAppointments::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws InterruptedException {
        Size d = Size.DEFAULT;
        Size size = new Size(args.integer("regions", d.regions()), args.integer("clinics", d.clinics()),
                args.integer("days", d.days()), args.integer("slots-per-day", d.slotsPerDay()),
                args.integer("patients", d.patients()));
        boolean ok;
        try (TicketStore store = ExampleStores.open(args)) {
            Result r = run(store, size, args.integer("threads", 64), System.out);
            List<String> problems = r.problems();
            ok = problems.isEmpty();
            System.out.println(ok ? String.format(Locale.ROOT, "No slot booked twice; all %,d released or cancelled"
                    + " slots went back on the calendar: %,d booked from the waiting list, %,d still free (seat"
                    + " rows).", r.freed(), r.rebookedInRows(), r.stillFree())
                    : "NOT AS CLAIMED: " + String.join("; ", problems));
        }
        return ok;
    }

    /** Runs a campaign of {@code size} on {@code store}, writing progress to {@code out}. */
    public static Result run(TicketStore store, Size size, int threads, PrintStream out) throws InterruptedException {
        if (size.clinics() * size.days() > 100 || size.slotsPerDay() > 40) {
            throw new IllegalArgumentException("clinics x days must be at most 100 and slots-per-day at most 40");
        }
        String run = RunId.next();
        try (TicketingClient north = frontEnd(store, "north"); TicketingClient south = frontEnd(store, "south")) {
            TicketingClient[] frontEnds = {north, south};
            List<SeatId> times = new ArrayList<>();
            for (int s = 0; s < size.slotsPerDay(); s++) {
                times.add(SeatId.of(LocalTime.of(8, 0).plusMinutes(15L * s).toString()));
            }
            List<EventId> regions = new ArrayList<>();
            for (int r = 0; r < size.regions(); r++) {
                EventId region = EventId.of(String.format(Locale.ROOT, "appointments-r%02d-%s", r + 1, run));
                EventSpec.Builder spec = EventSpec.builder(region).name("Campaign, region " + (r + 1))
                        .perBuyerCap(1); // one appointment per patient
                for (int c = 1; c <= size.clinics(); c++) {
                    for (int day = 1; day <= size.days(); day++) {
                        spec.reservedSeating(clinicDay(c, day).value(), times, 0); // appointments are free
                    }
                }
                north.createEvent(spec.build());
                regions.add(region);
            }
            out.printf(Locale.ROOT, "Appointments on %s: %d regions x %d clinics x %d days x %d slots = %,d slots, "
                            + "%,d patients, two front ends%n", store.description(), size.regions(), size.clinics(),
                    size.days(), size.slotsPerDay(), size.slots(), size.patients());

            // A patient may book once their identity (a health number) is checked, in their home region.
            Crowd.run(size.patients(), threads, i -> frontEnds[i % 2].verifyFan(regions.get(i % size.regions()),
                    patient(i), URI.create("https://health.example/patients/" + i)).value());

            ConcurrentLinkedQueue<Hold> undecided = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Ticket> booked = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Integer> waitlist = new ConcurrentLinkedQueue<>();
            AtomicInteger taken = new AtomicInteger();
            Crowd.run(size.patients(), threads, i -> {
                TicketingClient frontEnd = frontEnds[i % 2];
                EventId region = regions.get(i % size.regions());
                SplittableRandom random = new SplittableRandom(i);
                int home = 1 + random.nextInt(size.clinics());
                for (int attempt = 0; attempt < 8; attempt++) {
                    // Near home first, then any clinic in the region; earlier days are wanted more.
                    int clinic = attempt < 4 ? home : 1 + random.nextInt(size.clinics());
                    int day = 1 + Math.min(random.nextInt(size.days()), random.nextInt(size.days()));
                    SeatId time = times.get(random.nextInt(times.size()));
                    Outcome<Hold> held = frontEnd.hold(HoldRequest.seat(region, clinicDay(clinic, day), time,
                            patient(i)));
                    if (!held.isOk()) {
                        taken.incrementAndGet();
                        continue;
                    }
                    if (random.nextInt(20) == 0) {
                        undecided.add(held.value()); // still filling in the form; will give up
                    } else {
                        booked.add(frontEnd.confirm(held.value().id()).value().get(0));
                    }
                    return;
                }
                waitlist.add(i);
            }, done -> out.printf(Locale.ROOT, "  %,7d/%,d patients | booked %,d | slot taken, tried another %,d | "
                    + "waiting list %,d%n", done, size.patients(), booked.size(), taken.get(), waitlist.size()));

            // The undecided give up and release their holds; one confirmed appointment in ten is cancelled.
            List<Slot> freed = new ArrayList<>();
            for (Hold h : undecided) {
                north.release(h.id()).value();
                freed.add(new Slot(h.event(), h.section(), h.seat().orElseThrow()));
            }
            int cancelled = 0;
            int k = 0;
            for (Ticket t : booked) {
                if (k++ % 10 == 0) {
                    north.refund(t.id()).value();
                    freed.add(new Slot(t.event(), t.section(), t.seat().orElseThrow()));
                    cancelled++;
                }
            }
            // Read each freed slot back from the seat rows, then offer it to the waiting list of its region.
            int freedAvailable = 0;
            for (Slot s : freed) {
                boolean available = north.seats(s.region(), s.clinicDay()).stream()
                        .anyMatch(seat -> seat.id().equals(s.time()) && seat.state() == SeatState.AVAILABLE);
                freedAvailable += available ? 1 : 0;
            }
            List<Integer> waiting = new ArrayList<>(waitlist);
            Map<Slot, BuyerId> offeredTo = new HashMap<>();
            int rebooked = 0;
            for (Slot s : freed) {
                int region = regions.indexOf(s.region());
                for (int w = 0; w < waiting.size(); w++) {
                    int i = waiting.get(w);
                    if (i % size.regions() == region) {
                        offeredTo.put(s, patient(i));
                        Outcome<Hold> held = south.hold(HoldRequest.seat(s.region(), s.clinicDay(), s.time(),
                                patient(i)));
                        if (held.isOk() && south.confirm(held.value().id()).isOk()) {
                            rebooked++;
                            waiting.remove(w);
                        }
                        break;
                    }
                }
            }
            // Read the freed slots back once more: each is booked by the patient it was offered to, or free.
            int rebookedInRows = 0;
            int stillFree = 0;
            for (Slot s : freed) {
                SeatState state = north.seats(s.region(), s.clinicDay()).stream()
                        .filter(seat -> seat.id().equals(s.time())).findFirst().orElseThrow().state();
                List<BuyerId> holders = north.holdersOf(s.region(), s.clinicDay(), s.time());
                if (state == SeatState.SOLD && offeredTo.containsKey(s) && holders.equals(List.of(offeredTo.get(s)))) {
                    rebookedInRows++;
                } else if (state == SeatState.AVAILABLE && holders.isEmpty()) {
                    stillFree++;
                }
            }

            List<AuditReport> audits = regions.stream().map(north::audit).toList();
            Result result = new Result(regions, size.slots(), undecided.size(), cancelled, freedAvailable,
                    offeredTo.size(), rebooked, rebookedInRows, stillFree, waitlist.size(), audits);
            out.println();
            out.printf(Locale.ROOT, "  slots                              %,d%n", size.slots());
            out.printf(Locale.ROOT, "  appointments booked (audit)        %,d%n", result.booked());
            out.printf(Locale.ROOT, "  double-booked slots (audit)        %,d%n", result.doubleBooked());
            out.printf(Locale.ROOT, "  released before confirming         %,d%n", undecided.size());
            out.printf(Locale.ROOT, "  cancelled after confirming         %,d%n", cancelled);
            out.printf(Locale.ROOT, "  freed slots available (seat rows)  %,d of %,d%n", freedAvailable, freed.size());
            out.printf(Locale.ROOT, "  rebooked from the waiting list     %,d of %,d offered (waiting list was %,d)%n",
                    rebooked, offeredTo.size(), waitlist.size());
            out.printf(Locale.ROOT, "  freed slots at the end (seat rows) %,d booked from the waiting list, %,d free%n",
                    rebookedInRows, stillFree);
            out.printf(Locale.ROOT, "  audit clean, every region          %s%n", result.clean() ? "yes" : "NO");
            return result;
        }
    }

    private static SectionId clinicDay(int clinic, int day) {
        return SectionId.of(String.format(Locale.ROOT, "clinic-%02d.day-%02d", clinic, day));
    }

    /** Patient {@code i}'s id; patient {@code i} lives in region {@code i % regions}. */
    public static BuyerId patient(int i) {
        return BuyerId.of("patient-" + i);
    }

    private static TicketingClient frontEnd(TicketStore store, String name) {
        return TicketingClient.builder().store(store).name("appointments-" + name).build();
    }
}

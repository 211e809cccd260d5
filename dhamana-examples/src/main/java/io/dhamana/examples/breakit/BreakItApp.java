package io.dhamana.examples.breakit;

import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.examples.support.Args;
import io.dhamana.examples.support.Cli;
import io.dhamana.examples.support.ExampleStores;
import io.dhamana.examples.support.RunId;
import io.dhamana.spi.TicketStore;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Break it, from the command line: N buyers (60 by default) hit one seat at the same instant from two regions,
 * twice. First through the SDK's guarded hold, then through the naive "count the claims, insert if none" code most
 * apps start with (the foil, {@code NaiveCountThenInsert}). Each run gets its own event and seat; afterwards the
 * seat's holders are counted from committed rows and the damage is priced at a $150 face value. Prints the two
 * side by side. Exits non-zero if the guarded run ever leaves a seat with other than one holder.
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.breakit.BreakItApp
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.breakit.BreakItApp \
 *     -Dexec.args="--buyers 500 --gap-ms 5"
 * </pre>
 */
public final class BreakItApp {
    private static final SectionId FRONT_ROW = SectionId.of("front-row");
    private static final SeatId SEAT = SeatId.of("A-1");

    /**
     * Both runs.
     *
     * @param guardedEvent the event the guarded run bought from
     * @param naiveEvent   the event the naive run bought from
     */
    public record Result(EventId guardedEvent, EventId naiveEvent, SectionId section, SeatId seat,
                         BreakIt.Result guarded, BreakIt.Result naive) {}

    private BreakItApp() {}

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "BreakItApp [--buyers 60] [--gap-ms 5] [--face-dollars 150]", BreakItApp::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws InterruptedException {
        try (TicketStore store = ExampleStores.open(args)) {
            Result r = run(store, args.integer("buyers", 60), Duration.ofMillis(args.integer("gap-ms", 5)),
                    args.integer("face-dollars", 150) * 100L, System.out);
            return r.guarded().holders().size() == 1 && r.guarded().audit().isClean();
        }
    }

    /**
     * Runs the stampede guarded, then naive, each on a fresh one-seat event of {@code store}, and prints the
     * comparison to {@code out}.
     *
     * @param naiveGap the naive app's time between its count and its insert: its round trip to the database and
     *                 its own logic (5 ms by default on the command line)
     */
    public static Result run(TicketStore store, int buyers, Duration naiveGap, long faceValueMinor, PrintStream out)
            throws InterruptedException {
        String run = RunId.next();
        EventId guardedEvent = oneSeatEvent(store, "break-it-guarded-" + run, faceValueMinor);
        EventId naiveEvent = oneSeatEvent(store, "break-it-naive-" + run, faceValueMinor);
        out.printf(Locale.ROOT, "Break it: %d buyers hit seat %s at the same instant from two regions, face value %s,"
                + " on %s%n%n", buyers, SEAT, money(faceValueMinor), store.description());

        BreakIt.Result guarded = BreakIt.run(store, guardedEvent, FRONT_ROW, SEAT, buyers, BreakIt.Mode.GUARDED,
                "g" + run, faceValueMinor, naiveGap);
        BreakIt.Result naive = BreakIt.run(store, naiveEvent, FRONT_ROW, SEAT, buyers, BreakIt.Mode.NAIVE,
                "n" + run, faceValueMinor, naiveGap);

        String row = "  %-34s %22s %30s%n";
        out.printf(Locale.ROOT, row, "", "guarded (SDK hold)", "naive (count, then insert)");
        out.printf(Locale.ROOT, row, "told \"the seat is yours\"", guarded.appWinners(), naive.appWinners());
        out.printf(Locale.ROOT, row, "saw a claim, inserted nothing", "-", naive.backedOff());
        out.printf(Locale.ROOT, row, "refused by the store", guarded.refusedByStore(), naive.refusedByStore());
        out.printf(Locale.ROOT, row, "serialization conflicts", guarded.conflicts() + " (retried)",
                naive.conflicts());
        out.printf(Locale.ROOT, row, "holders in committed rows", guarded.holders().size(), naive.holders().size());
        out.printf(Locale.ROOT, row, "oversold (extra holders)", guarded.extraHolders(), naive.extraHolders());
        out.printf(Locale.ROOT, row, "damage at " + money(faceValueMinor) + " face value",
                money(guarded.damageMinor()), money(naive.damageMinor()));
        out.printf(Locale.ROOT, row, "double-booked seats (audit)", guarded.audit().doubleBookedSeats(),
                naive.audit().doubleBookedSeats());
        out.printf(Locale.ROOT, row, "audit", verdict(guarded), verdict(naive));
        out.printf(Locale.ROOT, row, "time", guarded.elapsed().toMillis() + " ms", naive.elapsed().toMillis() + " ms");
        out.println();
        out.println(guardedSentence(guarded));
        out.println(naiveSentence(naive, store.description()));
        return new Result(guardedEvent, naiveEvent, FRONT_ROW, SEAT, guarded, naive);
    }

    private static EventId oneSeatEvent(TicketStore store, String id, long faceValueMinor) {
        EventId event = EventId.of(id);
        try (TicketingClient admin = TicketingClient.builder().store(store).name("break-it-admin").build()) {
            admin.createEvent(EventSpec.builder(event).name("Break it")
                    .reservedSeating(FRONT_ROW.value(), SeatMap.grid(1, 1), faceValueMinor).build());
        }
        return event;
    }

    /** What the guarded run's counts show, and only that. */
    static String guardedSentence(BreakIt.Result g) {
        int holders = g.holders().size();
        if (holders == 1 && g.appWinners() == 1 && g.refusedByStore() == g.buyers() - 1) {
            return g.buyers() == 1
                    ? "Guarded: 1 holder, and there was no rival."
                    : String.format(Locale.ROOT, "Guarded: 1 holder in committed rows; the store refused each of the"
                    + " other %d buyers (%d conflicts on the way, retried).", g.buyers() - 1,
                    g.conflicts());
        }
        return String.format(Locale.ROOT, "Guarded: %d holders in committed rows for one seat, %d told they had it, %d"
                + " refused by the store: THE GUARD DID NOT HOLD.", holders, g.appWinners(), g.refusedByStore());
    }

    /** What the naive run's counts show, and only that. */
    static String naiveSentence(BreakIt.Result n, String storeDescription) {
        int holders = n.holders().size();
        if (n.extraHolders() > 0) {
            String store = n.refusedByStore() == 0
                    ? "The store refused none of their commits: each inserted its own hold row and no two wrote the"
                    + " same row, so nothing conflicted."
                    : String.format(Locale.ROOT, "The store refused %d naive commits (%d as serialization conflicts),"
                    + " but not these.", n.refusedByStore(), n.conflicts());
            return String.format(Locale.ROOT, "Naive: %d people hold one seat; %d were told it was theirs after"
                    + " counting zero claims and inserting. %s %s to refund, and %d angry fans.", holders,
                    n.appWinners(), store, money(n.damageMinor()), n.extraHolders());
        }
        if (holders == 1 && n.refusedByStore() > 0) {
            return String.format(Locale.ROOT, "Naive: one holder, but not thanks to the naive code: the store (%s)"
                    + " refused %d of its commits (%d as serialization conflicts) and %d buyers saw a claim first."
                    + " Under snapshot isolation (PostgreSQL REPEATABLE READ, Aurora DSQL, the engine) nothing refuses"
                    + " those commits and the same code oversells.", storeDescription, n.refusedByStore(),
                    n.conflicts(), n.backedOff());
        }
        if (holders == 1 && n.backedOff() == n.buyers() - 1) {
            return String.format(Locale.ROOT, "Naive: one holder this time: each of the other %d buyers counted the"
                    + " winner's claim before inserting, so they ran one after another rather than at once (an"
                    + " overloaded machine does that). The flaw is still there; run it again, or with more buyers or a"
                    + " longer --gap-ms.", n.backedOff());
        }
        return String.format(Locale.ROOT, "Naive: %d holders in committed rows, %d told they had the seat, %d saw a"
                + " claim first, %d refused by the store (%d as serialization conflicts).", holders, n.appWinners(),
                n.backedOff(), n.refusedByStore(), n.conflicts());
    }

    private static String verdict(BreakIt.Result r) {
        return r.audit().isClean() ? "CLEAN" : "VIOLATIONS";
    }

    private static String money(long minor) {
        return String.format(Locale.ROOT, "$%,d.%02d", minor / 100, minor % 100);
    }
}

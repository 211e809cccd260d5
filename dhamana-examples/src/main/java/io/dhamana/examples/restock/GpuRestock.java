package io.dhamana.examples.restock;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SectionId;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.examples.support.Args;
import io.dhamana.examples.support.Cli;
import io.dhamana.examples.support.Crowd;
import io.dhamana.examples.support.ExampleStores;
import io.dhamana.examples.support.RunId;
import io.dhamana.spi.TicketStore;

import java.io.PrintStream;
import java.net.URI;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A GPU (or games console) restock: a few thousand units, a per-buyer cap, and a bot army that outnumbers the
 * people. Three kinds of shopper hit the store at once from two regions:
 * <ul>
 *   <li>people: verified, each wants one or two cards and asks once;</li>
 *   <li>bots: thousands of throwaway accounts that never passed verification, each firing several requests for
 *       as many cards as it can; every request is refused with {@link Rejection.NotVerified};</li>
 *   <li>scalpers: accounts that did pass verification and then hammer the store for more than the cap; the store
 *       refuses everything past the cap with {@link Rejection.CapReached}.</li>
 * </ul>
 * Afterwards it counts from committed rows what the bots own (zero) and the most cards any one account owns (at
 * most the cap), and the audit confirms zero oversold and zero cap violations.
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.restock.GpuRestock
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.restock.GpuRestock \
 *     -Dexec.args="--units 500 --bots 20000 --cap 1"
 * </pre>
 */
public final class GpuRestock {
    private static final SectionId CARDS = SectionId.of("rtx-cards");

    /**
     * Who shows up.
     *
     * @param units           cards in the restock
     * @param cap             most cards one account may hold or own
     * @param people          verified shoppers asking once for one or two cards
     * @param bots            unverified accounts
     * @param requestsPerBot  requests each bot fires
     * @param scalpers        verified accounts that ask again and again
     * @param requestsPerScalper requests each scalper fires
     */
    public record Size(int units, int cap, int people, int bots, int requestsPerBot, int scalpers,
                       int requestsPerScalper) {
        public static final Size DEFAULT = new Size(2_000, 2, 6_000, 4_000, 5, 50, 20);

        int requests() {
            return people + bots * requestsPerBot + scalpers * requestsPerScalper;
        }
    }

    /**
     * What the restock did; figures marked "rows" are counted from committed ticket and allowance rows.
     *
     * @param botRefused    bot requests refused as not verified
     * @param capRefused    requests refused because the account had reached the cap
     * @param botUnits      cards owned by bots (rows; must be 0)
     * @param scalperUnits  cards owned by scalpers (rows; at most scalpers × cap)
     * @param maxOwned      the most cards any account owns (rows; at most the cap)
     * @param maxUsed       the most of its cap any account has used (allowance rows; at most the cap)
     * @param peopleServed  people owning at least one card (rows)
     */
    public record Result(EventId event, Size size, int botRefused, int capRefused, long botUnits, long scalperUnits,
                         long maxOwned, long maxUsed, long peopleServed, AuditReport audit) {}

    private GpuRestock() {}

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "GpuRestock [--units 2000] [--cap 2] [--people 6000] [--bots 4000] [--requests-per-bot 5]"
                + " [--scalpers 50] [--requests-per-scalper 20] [--threads 64]", GpuRestock::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws InterruptedException {
        Size d = Size.DEFAULT;
        Size size = new Size(args.integer("units", d.units()), args.integer("cap", d.cap()),
                args.integer("people", d.people()), args.integer("bots", d.bots()),
                args.integer("requests-per-bot", d.requestsPerBot()), args.integer("scalpers", d.scalpers()),
                args.integer("requests-per-scalper", d.requestsPerScalper()));
        boolean ok;
        try (TicketStore store = ExampleStores.open(args)) {
            Result r = run(store, size, args.integer("threads", 64), System.out);
            ok = r.audit().isClean() && r.botUnits() == 0 && r.maxOwned() <= size.cap();
            System.out.println(ok ? "Bots got nothing; no account owns more than the cap; zero oversold."
                    : "THE AUDIT FOUND VIOLATIONS: " + r.audit().summary());
        }
        return ok;
    }

    /** Runs one restock of {@code size} on {@code store}, writing progress to {@code out}. */
    public static Result run(TicketStore store, Size size, int threads, PrintStream out) throws InterruptedException {
        EventId restock = EventId.of("gpu-restock-" + RunId.next());
        try (TicketingClient east = region(store, "east"); TicketingClient west = region(store, "west")) {
            TicketingClient[] regions = {east, west};
            east.createEvent(EventSpec.builder(restock).name("GPU restock").perBuyerCap(size.cap())
                    .generalAdmission(CARDS.value(), size.units(), Math.min(64, size.units()), 159_900).build());
            out.printf(Locale.ROOT, "GPU restock on %s: %,d cards, cap %d per account; %,d people, %,d bots x %d "
                            + "requests, %,d scalpers x %d requests, two regions%n", store.description(), size.units(),
                    size.cap(), size.people(), size.bots(), size.requestsPerBot(), size.scalpers(),
                    size.requestsPerScalper());

            // People and scalpers passed verification; bots never did.
            int verified = size.people() + size.scalpers();
            Crowd.run(verified, threads, i -> {
                BuyerId who = i < size.people() ? person(i) : scalper(i - size.people());
                regions[i % 2].verifyFan(restock, who, URI.create("https://verify.example/" + who.value())).value();
            });

            // Every request in the crowd, shuffled so bots, scalpers and people arrive interleaved.
            int[] schedule = shuffledRequests(size);
            AtomicInteger sold = new AtomicInteger();
            AtomicInteger botRefused = new AtomicInteger();
            AtomicInteger capRefused = new AtomicInteger();
            Crowd.run(schedule.length, threads, k -> {
                int actor = schedule[k];
                TicketingClient region = regions[k % 2];
                SplittableRandom random = new SplittableRandom(k);
                BuyerId who;
                int units;
                if (actor < size.people()) {
                    who = person(actor);
                    units = 1 + random.nextInt(2);
                } else if (actor < size.people() + size.bots()) {
                    who = bot(actor - size.people());
                    units = 1 + random.nextInt(5); // a bot asks for as many as it dares
                } else {
                    who = scalper(actor - size.people() - size.bots());
                    units = 1 + random.nextInt(size.cap() + 1); // sometimes more than the cap in one go
                }
                Outcome<Hold> held = region.hold(HoldRequest.units(restock, CARDS, who, units));
                if (held.isOk()) {
                    region.confirm(held.value().id()).value();
                    sold.addAndGet(units);
                } else if (held.rejectionIfAny().orElseThrow() instanceof Rejection.NotVerified) {
                    botRefused.incrementAndGet();
                } else if (held.rejectionIfAny().orElseThrow() instanceof Rejection.CapReached) {
                    capRefused.incrementAndGet();
                }
            }, done -> out.printf(Locale.ROOT, "  %,7d/%,d requests | cards sold %,d | bots refused %,d | "
                    + "over the cap %,d%n", done, schedule.length, sold.get(), botRefused.get(), capRefused.get()));

            // Count from committed rows: what each account owns (live tickets) and how much of its cap it used.
            AtomicLong botUnits = new AtomicLong();
            AtomicLong scalperUnits = new AtomicLong();
            AtomicLong peopleServed = new AtomicLong();
            LongAccumulator maxOwned = new LongAccumulator(Math::max, 0);
            LongAccumulator maxUsed = new LongAccumulator(Math::max, 0);
            int accounts = size.people() + size.bots() + size.scalpers();
            Crowd.run(accounts, threads, a -> {
                BuyerId who = a < size.people() ? person(a)
                        : a < size.people() + size.bots() ? bot(a - size.people())
                        : scalper(a - size.people() - size.bots());
                long owned = east.ticketsOf(restock, who).stream().filter(t -> t.state() != TicketState.REFUNDED)
                        .count();
                maxOwned.accumulate(owned);
                east.verification(restock, who).ifPresent(v -> maxUsed.accumulate(v.used()));
                if (a < size.people()) {
                    peopleServed.addAndGet(owned > 0 ? 1 : 0);
                } else if (a < size.people() + size.bots()) {
                    botUnits.addAndGet(owned);
                } else {
                    scalperUnits.addAndGet(owned);
                }
            });
            AuditReport audit = east.audit(restock);

            out.println();
            out.printf(Locale.ROOT, "  cards sold (audit)             %,d of %,d, %,d left%n", audit.soldUnits(),
                    size.units(), audit.remaining());
            out.printf(Locale.ROOT, "  oversold (audit)               %,d%n", audit.oversoldUnits());
            out.printf(Locale.ROOT, "  bot requests refused           %,d of %,d (not verified)%n", botRefused.get(),
                    size.bots() * size.requestsPerBot());
            out.printf(Locale.ROOT, "  cards owned by bots (rows)     %,d%n", botUnits.get());
            out.printf(Locale.ROOT, "  requests over the cap refused  %,d%n", capRefused.get());
            out.printf(Locale.ROOT, "  cards owned by scalpers (rows) %,d across %,d accounts (at most %,d)%n",
                    scalperUnits.get(), size.scalpers(), (long) size.scalpers() * size.cap());
            out.printf(Locale.ROOT, "  most cards on one account      %d owned (rows), %d of cap used (allowance), "
                    + "cap %d%n",
                    maxOwned.get(), maxUsed.get(), size.cap());
            out.printf(Locale.ROOT, "  people who got a card (rows)   %,d of %,d%n", peopleServed.get(), size.people());
            out.printf(Locale.ROOT, "  cap violations (audit)         %,d%n", audit.capViolations());
            out.println("  audit                          " + audit.summary());
            return new Result(restock, size, botRefused.get(), capRefused.get(), botUnits.get(), scalperUnits.get(),
                    maxOwned.get(), maxUsed.get(), peopleServed.get(), audit);
        }
    }

    /** Every request as the index of the account that makes it, in a fixed random order. */
    private static int[] shuffledRequests(Size size) {
        int[] schedule = new int[size.requests()];
        int k = 0;
        for (int p = 0; p < size.people(); p++) {
            schedule[k++] = p;
        }
        for (int b = 0; b < size.bots(); b++) {
            for (int r = 0; r < size.requestsPerBot(); r++) {
                schedule[k++] = size.people() + b;
            }
        }
        for (int s = 0; s < size.scalpers(); s++) {
            for (int r = 0; r < size.requestsPerScalper(); r++) {
                schedule[k++] = size.people() + size.bots() + s;
            }
        }
        return Crowd.shuffle(schedule, 42);
    }

    /** Person {@code i}'s account. */
    public static BuyerId person(int i) {
        return BuyerId.of("person-" + i);
    }

    /** Bot {@code i}'s account. */
    public static BuyerId bot(int i) {
        return BuyerId.of("bot-" + i);
    }

    /** Scalper {@code i}'s account. */
    public static BuyerId scalper(int i) {
        return BuyerId.of("scalper-" + i);
    }

    private static TicketingClient region(TicketStore store, String name) {
        return TicketingClient.builder().store(store).name("restock-" + name).build();
    }
}

package io.dhamana.examples.sneakers;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SectionId;
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
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sneaker flash drop: a limited run of pairs, one pair per verified buyer, and a crowd in which a share of the
 * accounts are bots that never passed verification. Shows three rules the store enforces at commit, from two
 * regions at once:
 * <ul>
 *   <li>verified buyers only: every bot is refused with {@link Rejection.NotVerified} and owns nothing;</li>
 *   <li>one pair per buyer (per-buyer cap 1): a buyer who clicks "buy" again is refused with
 *       {@link Rejection.CapReached};</li>
 *   <li>no oversell: the drop sells out over 64 stock buckets and the audit counts zero oversold.</li>
 * </ul>
 * The figures that matter (pairs sold, oversold, pairs owned by bots) are counted from committed rows.
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.sneakers.SneakerDrop
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.sneakers.SneakerDrop \
 *     -Dexec.args="--buyers 20000 --bot-percent 50 --pairs 1000"
 * </pre>
 */
public final class SneakerDrop {
    private static final SectionId PAIRS = SectionId.of("pairs");
    private static final long PRICE_MINOR = 22_000; // $220.00

    /**
     * What a drop did.
     *
     * @param botsRefused        bot attempts the store refused as not verified
     * @param botPairs           pairs owned by bots, counted from ticket rows (must be 0)
     * @param secondPairsRefused buyers who already had a pair, tried for another and were refused (cap reached)
     * @param audit              the drop's audit: sold, remaining, oversold, cap violations, ledger
     */
    public record Result(EventId event, int buyers, int bots, int pairs, int botsRefused, long botPairs,
                         int secondPairsRefused, AuditReport audit, Duration elapsed) {}

    private SneakerDrop() {}

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "SneakerDrop [--buyers 100000] [--bot-percent 20] [--pairs 5000] [--buckets 64] "
                + "[--threads 64]", SneakerDrop::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws InterruptedException {
        boolean ok;
        try (TicketStore store = ExampleStores.open(args)) {
            Result r = run(store, args.integer("buyers", 100_000), args.integer("bot-percent", 20),
                    args.integer("pairs", 5_000), args.integer("buckets", 64), args.integer("threads", 64),
                    System.out);
            AuditReport a = r.audit();
            ok = a.isClean() && a.oversoldUnits() == 0 && r.botPairs() == 0;
            String verdict = (a.remaining() == 0 ? "Sold out" : "Closed") + " with zero oversold; no bot got a pair.";
            System.out.println(ok ? verdict : "THE AUDIT FOUND VIOLATIONS: " + a.summary());
        }
        return ok;
    }

    /**
     * Runs one drop on {@code store}: {@code buyers} accounts of which {@code botPercent}% are unverified bots,
     * {@code pairs} pairs over {@code buckets} stock buckets, and progress written to {@code out}.
     */
    public static Result run(TicketStore store, int buyers, int botPercent, int pairs, int buckets, int threads,
                             PrintStream out) throws InterruptedException {
        if (buyers < 1 || botPercent < 0 || botPercent > 100 || pairs < 1 || buckets < 1) {
            throw new IllegalArgumentException("need buyers >= 1, 0 <= bot-percent <= 100, pairs >= 1, buckets >= 1");
        }
        EventId drop = EventId.of("sneakers-" + RunId.next());
        try (TicketingClient east = region(store, "east"); TicketingClient west = region(store, "west")) {
            TicketingClient[] regions = {east, west};
            int usedBuckets = Math.min(buckets, pairs);
            east.createEvent(EventSpec.builder(drop).name("Sneaker drop")
                    .perBuyerCap(1) // one pair per buyer, enforced by the store on the buyer's allowance row
                    .generalAdmission(PAIRS.value(), pairs, usedBuckets, PRICE_MINOR)
                    .build());
            int bots = 0;
            for (int i = 0; i < buyers; i++) {
                bots += isBot(i, botPercent) ? 1 : 0;
            }
            out.printf(Locale.ROOT, "Sneaker drop on %s: %,d pairs over %d buckets, cap 1 pair per buyer, "
                    + "%,d buyers of whom %,d are unverified bots, two regions%n", store.description(), pairs,
                    usedBuckets, buyers, bots);

            // Verification happens before the drop (an ID check, a purchase history...). Bots never pass it.
            Duration verifying = Crowd.run(buyers, threads, i -> {
                if (!isBot(i, botPercent)) {
                    regions[i % 2].verifyFan(drop, buyer(i, botPercent),
                            URI.create("https://verify.example/buyers/" + i)).value();
                }
            });
            out.printf(Locale.ROOT, "  verified %,d buyers in %.1f s%n", buyers - bots, verifying.toMillis() / 1e3);

            AtomicInteger paid = new AtomicInteger();
            AtomicInteger soldOut = new AtomicInteger();
            AtomicInteger botsRefused = new AtomicInteger();
            AtomicInteger secondPairsRefused = new AtomicInteger();
            Duration elapsed = Crowd.run(buyers, threads, i -> {
                TicketingClient region = regions[i % 2];
                BuyerId who = buyer(i, botPercent);
                Outcome<Hold> held = region.hold(HoldRequest.units(drop, PAIRS, who, 1));
                if (held.isOk()) {
                    region.confirm(held.value().id()).value(); // pay at once: the hold becomes a ticket
                    paid.incrementAndGet();
                    if (i % 10 == 0) {
                        // An eager buyer clicks "buy" again. The cap counts held and paid units, so this is refused.
                        Outcome<Hold> again = region.hold(HoldRequest.units(drop, PAIRS, who, 1));
                        if (again.rejectionIfAny().orElse(null) instanceof Rejection.CapReached) {
                            secondPairsRefused.incrementAndGet();
                        }
                    }
                    return;
                }
                Rejection why = held.rejectionIfAny().orElseThrow();
                if (why instanceof Rejection.NotVerified) {
                    botsRefused.incrementAndGet();
                } else if (why instanceof Rejection.SoldOut) {
                    soldOut.incrementAndGet();
                }
            }, done -> out.printf(Locale.ROOT, "  %,7d/%,d buyers done | pairs paid %,d | sold out %,d "
                    + "| bots refused %,d%n", done, buyers, paid.get(), soldOut.get(), botsRefused.get()));

            // Count what bots own from ticket rows, not from what the app was told.
            AtomicLong botPairs = new AtomicLong();
            Crowd.run(buyers, threads, i -> {
                if (isBot(i, botPercent)) {
                    botPairs.addAndGet(east.ticketsOf(drop, buyer(i, botPercent)).size());
                }
            });
            AuditReport audit = east.audit(drop);

            out.println();
            out.printf(Locale.ROOT, "  pairs sold (audit)          %,d of %,d, %,d left%n", audit.soldUnits(), pairs,
                    audit.remaining());
            out.printf(Locale.ROOT, "  oversold (audit)            %,d%n", audit.oversoldUnits());
            out.printf(Locale.ROOT, "  bots refused, not verified  %,d of %,d bots%n", botsRefused.get(), bots);
            out.printf(Locale.ROOT, "  pairs owned by bots (rows)  %,d%n", botPairs.get());
            out.printf(Locale.ROOT, "  second pairs refused (cap)  %,d%n", secondPairsRefused.get());
            out.printf(Locale.ROOT, "  cap violations (audit)      %,d%n", audit.capViolations());
            out.printf(Locale.ROOT, "  drop took                   %.2f s (%,.0f buyers/s)%n", elapsed.toMillis() / 1e3,
                    buyers / Math.max(1e-3, elapsed.toMillis() / 1e3));
            out.println("  audit                       " + audit.summary());
            return new Result(drop, buyers, bots, pairs, botsRefused.get(), botPairs.get(),
                    secondPairsRefused.get(), audit, elapsed);
        }
    }

    /** Whether account {@code i} is a bot: {@code botPercent} of every hundred accounts, spread through the crowd. */
    public static boolean isBot(int i, int botPercent) {
        return i % 100 < botPercent;
    }

    /** Account {@code i}'s buyer id; bots are named so for readable output only, the store knows nothing of it. */
    public static BuyerId buyer(int i, int botPercent) {
        return BuyerId.of((isBot(i, botPercent) ? "bot-" : "fan-") + i);
    }

    private static TicketingClient region(TicketStore store, String name) {
        return TicketingClient.builder().store(store).name("sneakers-" + name).build();
    }
}

package io.dhamana.examples.collectibles;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingRequest;
import io.dhamana.ListingState;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limited digital collectibles: a numbered edition ({@code no-0001} to {@code no-1000}) where every number is a
 * named seat, so it can be minted once. Then a resale market with the rules enforced by the store:
 * <ul>
 *   <li>no double mint: collectors race for the low numbers from two regions; each number gets one owner;</li>
 *   <li>a resale price cap: an ask above 110% of the mint price is refused by the store's constraint
 *       ({@link Rejection.AskAboveCap}), and the seller lists at the cap instead;</li>
 *   <li>escrow: {@link TicketingClient#buyListing} moves the price into escrow and the collectible to the buyer
 *       in one transaction, with a new code, so the seller's copy is dead; rival buyers of the same listing are
 *       refused;</li>
 *   <li>settlement: {@link TicketingClient#settle} pays the seller; {@link TicketingClient#cancelSale} (a flagged
 *       payment) returns the collectible to the seller and the money to the buyer;</li>
 *   <li>a balanced ledger: the audit sums every money movement and every escrow account to zero drift.</li>
 * </ul>
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java \
 *     -Dexec.mainClass=io.dhamana.examples.collectibles.CollectibleDrop
 * mvn -q -pl dhamana-examples -am test-compile exec:java \
 *     -Dexec.mainClass=io.dhamana.examples.collectibles.CollectibleDrop \
 *     -Dexec.args="--editions 5000 --collectors 20000"
 * </pre>
 */
public final class CollectibleDrop {
    private static final SectionId EDITION = SectionId.of("edition");
    private static final long MINT_PRICE_MINOR = 5_000; // $50.00
    private static final int RESALE_CAP_PERCENT = 110;
    private static final int RARE = 100; // numbers up to this one are the ones people trade

    /**
     * What the drop and its resale market did.
     *
     * @param minted          collectibles minted (audit: sold and not refunded)
     * @param asksRefused     asks above the cap the store refused
     * @param listings        every listing made, at the cap
     * @param raceLost        purchases refused because a rival bought the listing first
     * @param unverifiedRefused purchases by unverified wallets refused
     * @param settled         sales paid out to the seller
     * @param cancelled       sales cancelled: collectible back to the seller, money back to the buyer
     * @param ownersRight     settled or cancelled sales whose collectible (ticket row) is owned by the right side
     * @param codesRotated    settled sales whose collectible's code changed from the seller's copy
     */
    public record Result(EventId event, int editions, long minted, int asksRefused, List<ListingId> listings,
                         int raceLost, int unverifiedRefused, int settled, int cancelled, int ownersRight,
                         int codesRotated, AuditReport audit) {
        public Result {
            listings = List.copyOf(listings);
        }
    }

    private CollectibleDrop() {}

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "CollectibleDrop [--editions 1000] [--collectors 3000] [--threads 32]", CollectibleDrop::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws InterruptedException {
        boolean ok;
        try (TicketStore store = ExampleStores.open(args)) {
            Result r = run(store, args.integer("editions", 1_000), args.integer("collectors", 3_000),
                    args.integer("threads", 32), System.out);
            ok = r.audit().isClean();
            System.out.println(ok ? "Every number minted once; the ledger and every escrow balance."
                    : "THE AUDIT FOUND VIOLATIONS: " + r.audit().summary());
        }
        return ok;
    }

    /**
     * Mints {@code editions} numbers to {@code collectors} collectors, then runs the resale market of the rare ones
     * (the first hundred numbers), writing progress to {@code out}.
     */
    public static Result run(TicketStore store, int editions, int collectors, int threads, PrintStream out)
            throws InterruptedException {
        if (editions < RARE || editions > 9_999 || collectors < 1) {
            throw new IllegalArgumentException("editions must be between " + RARE + " and 9999, collectors >= 1");
        }
        EventId drop = EventId.of("collectible-" + RunId.next());
        try (TicketingClient east = region(store, "east"); TicketingClient west = region(store, "west")) {
            TicketingClient[] regions = {east, west};
            List<SeatId> numbers = new ArrayList<>();
            for (int n = 1; n <= editions; n++) {
                numbers.add(number(n));
            }
            east.createEvent(EventSpec.builder(drop).name("Genesis edition").perBuyerCap(2)
                    .resaleCapPercent(RESALE_CAP_PERCENT) // the store refuses any ask above this at commit
                    .reservedSeating(EDITION.value(), numbers, MINT_PRICE_MINOR).build());
            // Collectors mint; traders only buy on resale (three per rare number). Both are verified wallets.
            int traders = 3 * RARE;
            Crowd.run(collectors + traders, threads, i -> {
                BuyerId who = i < collectors ? collector(i) : trader(i - collectors);
                regions[i % 2].verifyFan(drop, who, URI.create("https://kyc.example/" + who.value())).value();
            });
            out.printf(Locale.ROOT, "Collectible drop on %s: %,d numbered editions at %s, %,d collectors, resale cap "
                            + "%d%%, two regions%n", store.description(), editions, money(MINT_PRICE_MINOR),
                    collectors, RESALE_CAP_PERCENT);

            // 1. Mint. Half the collectors chase the rare low numbers; each number is a seat, so one owner each.
            ConcurrentLinkedQueue<Ticket> rare = new ConcurrentLinkedQueue<>();
            AtomicInteger taken = new AtomicInteger();
            Crowd.run(collectors, threads, i -> {
                SplittableRandom random = new SplittableRandom(i);
                for (int attempt = 0; attempt < 3; attempt++) {
                    int n = random.nextBoolean() ? 1 + random.nextInt(RARE) : 1 + random.nextInt(editions);
                    Outcome<Hold> held = regions[i % 2].hold(HoldRequest.seat(drop, EDITION, number(n), collector(i)));
                    if (held.isOk()) {
                        Ticket t = regions[i % 2].confirm(held.value().id()).value().get(0);
                        if (n <= RARE) {
                            rare.add(t);
                        }
                        return;
                    }
                    taken.incrementAndGet();
                }
            });
            long minted = east.audit(drop).soldUnits();
            out.printf(Locale.ROOT, "  minted %,d of %,d (%,d attempts found the number already minted)%n", minted,
                    editions, taken.get());

            // 2. List. Owners of rare numbers ask three times the mint price; the store refuses; they ask the cap.
            List<Ticket> offered = new ArrayList<>(rare);
            List<ListingId> listings = new ArrayList<>();
            int asksRefused = 0;
            long cap = MINT_PRICE_MINOR * RESALE_CAP_PERCENT / 100;
            for (Ticket t : offered) {
                long greedyAsk = 3 * MINT_PRICE_MINOR;
                Outcome<Listing> greedy = east.listForResale(ListingRequest.of(t.id(), t.owner(), greedyAsk));
                if (greedy.rejectionIfAny().orElse(null) instanceof Rejection.AskAboveCap) {
                    asksRefused++;
                }
                listings.add(east.listForResale(ListingRequest.of(t.id(), t.owner(), cap)).value().id());
            }
            out.printf(Locale.ROOT, "  %,d rare numbers offered: %,d asks of %s refused by the store (cap %s), "
                    + "all relisted at the cap%n", offered.size(), asksRefused, money(3 * MINT_PRICE_MINOR),
                    money(cap));

            // 3. Buy. A wallet that skipped verification is refused; then three traders race for each listing.
            int unverifiedRefused = 0;
            for (int k = 0; k < listings.size(); k++) {
                Outcome<Listing> bot = west.buyListing(listings.get(k), BuyerId.of("wallet-" + k));
                unverifiedRefused += bot.rejectionIfAny().orElse(null) instanceof Rejection.NotVerified ? 1 : 0;
            }
            AtomicInteger raceLost = new AtomicInteger();
            Crowd.run(listings.size() * 3, threads, k -> {
                Outcome<Listing> bought = regions[k % 2].buyListing(listings.get(k / 3), trader(k));
                if (bought.rejectionIfAny().orElse(null) instanceof Rejection.WrongState) {
                    raceLost.incrementAndGet(); // a rival's purchase committed first: the listing is SOLD
                }
            });

            // 4. Settle. Most sales pay out to the seller; one in ten is cancelled (the payment was flagged).
            int settled = 0;
            int cancelled = 0;
            int ownersRight = 0;
            int codesRotated = 0;
            for (int k = 0; k < listings.size(); k++) {
                Listing sold = east.findListing(listings.get(k)).orElseThrow();
                if (sold.state() != ListingState.SOLD) {
                    continue;
                }
                boolean cancel = k % 10 == 0;
                if (cancel) {
                    west.cancelSale(sold.id()).value();
                } else {
                    west.settle(sold.id()).value();
                }
                // Read the collectible back from its row: who owns it now, and is the seller's code dead?
                Ticket now = east.findTicket(sold.ticket()).orElseThrow();
                BuyerId rightful = cancel ? sold.seller() : sold.buyer().orElseThrow();
                ownersRight += now.owner().equals(rightful) ? 1 : 0;
                if (cancel) {
                    cancelled++;
                } else {
                    settled++;
                    codesRotated += now.code().equals(offered.get(k).code()) ? 0 : 1;
                }
            }

            AuditReport audit = east.audit(drop);
            out.println();
            out.printf(Locale.ROOT, "  minted (audit)                    %,d, double-minted numbers %,d%n",
                    audit.soldUnits(), audit.doubleBookedSeats());
            out.printf(Locale.ROOT, "  asks above the cap refused        %,d%n", asksRefused);
            out.printf(Locale.ROOT, "  listings sold                     %,d of %,d; %,d rival purchases refused, "
                    + "%,d unverified wallets refused%n", settled + cancelled, listings.size(), raceLost.get(),
                    unverifiedRefused);
            out.printf(Locale.ROOT, "  settled to the seller             %,d (%s)%n", settled, money(settled * cap));
            out.printf(Locale.ROOT, "  cancelled, refunded to the buyer  %,d (%s)%n", cancelled,
                    money(cancelled * cap));
            out.printf(Locale.ROOT, "  right owner after settlement      %,d of %,d (ticket rows); seller's code dead "
                    + "in %,d of %,d%n", ownersRight, settled + cancelled, codesRotated, settled);
            out.printf(Locale.ROOT, "  double sales (audit)              %,d%n", audit.doubleSoldTickets());
            out.printf(Locale.ROOT, "  ledger (audit)                    money legs sum to %s, %,d unbalanced "
                    + "operations, escrow drift %,d%n", money(audit.moneyImbalanceMinor()),
                    audit.unbalancedOperations(), audit.escrowDrift());
            out.println("  audit                             " + audit.summary());
            return new Result(drop, editions, audit.soldUnits(), asksRefused, listings, raceLost.get(),
                    unverifiedRefused, settled, cancelled, ownersRight, codesRotated, audit);
        }
    }

    /** The seat id of edition number {@code n}. */
    public static SeatId number(int n) {
        return SeatId.of(String.format(Locale.ROOT, "no-%04d", n));
    }

    private static BuyerId collector(int i) {
        return BuyerId.of("collector-" + i);
    }

    private static BuyerId trader(int i) {
        return BuyerId.of("trader-" + i);
    }

    private static String money(long minor) {
        return String.format(Locale.ROOT, "$%,d.%02d", minor / 100, Math.abs(minor % 100));
    }

    private static TicketingClient region(TicketStore store, String name) {
        return TicketingClient.builder().store(store).name("collectibles-" + name).build();
    }
}

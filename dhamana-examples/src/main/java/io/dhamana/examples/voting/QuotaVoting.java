package io.dhamana.examples.voting;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Quota-bound voting: a ballot whose options each accept at most a quota of votes (places on a programme chosen by
 * ranked vote, delegates per constituency, seats per elective). Each option is a general-admission section whose
 * capacity is its quota; a vote is one unit, held and confirmed. Voters cast their vote from two polling services
 * at once, ranking the options: when their first choice is full they fall back to the next. Shows:
 * <ul>
 *   <li>no over-allocation: no option receives more votes than its quota, however many vote at the same instant;</li>
 *   <li>one vote per voter (per-buyer cap 1): voting a second time is refused with {@link Rejection.CapReached};</li>
 *   <li>verified voters only: someone not on the roll is refused with {@link Rejection.NotVerified}.</li>
 * </ul>
 * The tally is read from the audit, which counts votes from committed rows.
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.voting.QuotaVoting
 * mvn -q -pl dhamana-examples -am test-compile exec:java -Dexec.mainClass=io.dhamana.examples.voting.QuotaVoting \
 *     -Dexec.args="--voters 100000 --unregistered 10000"
 * </pre>
 */
public final class QuotaVoting {
    /** The options: each one's quota as a share of the voters, and how many put it first (per cent). */
    private static final String[] OPTIONS = {"option-a", "option-b", "option-c", "option-d", "option-e", "option-f"};
    private static final int[] QUOTA_PERCENT = {30, 20, 15, 12, 8, 5};
    private static final int[] FIRST_CHOICE_PERCENT = {45, 20, 15, 10, 6, 4};

    /**
     * What the ballot did.
     *
     * @param secondVotesRefused  second votes refused because the voter had voted (cap 1)
     * @param unregisteredRefused votes by people not on the roll refused as not verified
     * @param fellBack            voters whose vote went to a lower choice because a higher one was full
     * @param noRoom              voters who found every option they ranked full
     * @param audit               the ballot's audit; its sections are the tally
     */
    public record Result(EventId event, int voters, int unregistered, int secondVotesRefused, int unregisteredRefused,
                         int fellBack, int noRoom, AuditReport audit) {}

    private QuotaVoting() {}

    public static void main(String[] argv) throws Exception {
        Cli.main(argv, "QuotaVoting [--voters 20000] [--unregistered 2000] [--threads 64]", QuotaVoting::fromCommandLine);
    }

    private static boolean fromCommandLine(Args args) throws InterruptedException {
        boolean ok;
        try (TicketStore store = ExampleStores.open(args)) {
            Result r = run(store, args.integer("voters", 20_000), args.integer("unregistered", 2_000),
                    args.integer("threads", 64), System.out);
            ok = r.audit().isClean();
            System.out.println(ok ? "No quota over-allocated; one vote per registered voter."
                    : "THE AUDIT FOUND VIOLATIONS: " + r.audit().summary());
        }
        return ok;
    }

    /**
     * Runs a ballot for {@code voters} registered voters (quotas sized from that number) and {@code unregistered}
     * people who are not on the roll, writing progress and the tally to {@code out}.
     */
    public static Result run(TicketStore store, int voters, int unregistered, int threads, PrintStream out)
            throws InterruptedException {
        if (voters < 100 || unregistered < 0) {
            throw new IllegalArgumentException("voters must be at least 100 and unregistered at least 0");
        }
        EventId ballot = EventId.of("ballot-" + RunId.next());
        try (TicketingClient north = service(store, "north"); TicketingClient south = service(store, "south")) {
            TicketingClient[] services = {north, south};
            EventSpec.Builder spec = EventSpec.builder(ballot).name("Ranked ballot with quotas")
                    .perBuyerCap(1); // one vote per voter: the store checks the voter's allowance row at commit
            for (int o = 0; o < OPTIONS.length; o++) {
                int quota = Math.max(1, voters * QUOTA_PERCENT[o] / 100);
                spec.generalAdmission(OPTIONS[o], quota, Math.min(16, quota), 0); // the quota is the capacity
            }
            north.createEvent(spec.build());
            out.printf(Locale.ROOT, "Ballot on %s: %d options with quotas totalling %d%% of %,d registered voters, "
                    + "%,d people not on the roll, two polling services%n", store.description(), OPTIONS.length,
                    Arrays.stream(QUOTA_PERCENT).sum(), voters, unregistered);

            // The electoral roll: every registered voter is verified before polls open.
            Crowd.run(voters, threads, i -> services[i % 2].verifyFan(ballot, voter(i),
                    URI.create("https://roll.example/voters/" + i)).value());

            AtomicInteger cast = new AtomicInteger();
            AtomicInteger secondVotesRefused = new AtomicInteger();
            AtomicInteger unregisteredRefused = new AtomicInteger();
            AtomicInteger fellBack = new AtomicInteger();
            AtomicInteger noRoom = new AtomicInteger();
            // Registered voters and people who are not on the roll arrive mixed.
            int[] arrivals = Crowd.shuffle(IntStream.range(0, voters + unregistered).toArray(), 7);
            Crowd.run(arrivals.length, threads, k -> {
                int i = arrivals[k];
                TicketingClient service = services[k % 2];
                SplittableRandom random = new SplittableRandom(i);
                BuyerId who = i < voters ? voter(i) : BuyerId.of("unregistered-" + (i - voters));
                List<SectionId> ranking = ranking(random);
                for (int rank = 0; rank < ranking.size(); rank++) {
                    Outcome<Hold> vote = service.hold(HoldRequest.units(ballot, ranking.get(rank), who, 1));
                    if (vote.isOk()) {
                        service.confirm(vote.value().id()).value(); // the vote is cast
                        cast.incrementAndGet();
                        fellBack.addAndGet(rank > 0 ? 1 : 0);
                        if (i % 20 == 0) {
                            // Tries to vote again, for another option: the cap of one counts the vote already cast.
                            Outcome<Hold> again = service.hold(HoldRequest.units(ballot, ranking.get(
                                    (rank + 1) % ranking.size()), who, 1));
                            if (again.rejectionIfAny().orElse(null) instanceof Rejection.CapReached) {
                                secondVotesRefused.incrementAndGet();
                            }
                        }
                        return;
                    }
                    Rejection why = vote.rejectionIfAny().orElseThrow();
                    if (why instanceof Rejection.NotVerified) {
                        unregisteredRefused.incrementAndGet();
                        return;
                    }
                    // SoldOut: this option's quota is full; try the voter's next choice.
                }
                noRoom.incrementAndGet();
            }, done -> out.printf(Locale.ROOT, "  %,7d/%,d voters | votes cast %,d | fell back to a lower choice %,d | "
                    + "not on the roll %,d%n", done, voters + unregistered, cast.get(), fellBack.get(),
                    unregisteredRefused.get()));

            AuditReport audit = north.audit(ballot);
            out.println();
            out.println("  option      quota   votes (audit)");
            for (AuditReport.SectionAudit s : audit.sections()) {
                out.printf(Locale.ROOT, "  %-9s %,7d %,7d%s%n", s.section().value(), s.capacity(), s.soldUnits(),
                        s.soldUnits() == s.capacity() ? "  full" : "");
            }
            out.printf(Locale.ROOT, "  votes cast (audit)             %,d%n", audit.soldUnits());
            out.printf(Locale.ROOT, "  over quota (audit)             %,d%n", audit.oversoldUnits());
            out.printf(Locale.ROOT, "  fell back to a lower choice    %,d; found every choice full %,d%n",
                    fellBack.get(), noRoom.get());
            out.printf(Locale.ROOT, "  second votes refused (cap 1)   %,d%n", secondVotesRefused.get());
            out.printf(Locale.ROOT, "  not on the roll, refused       %,d of %,d%n", unregisteredRefused.get(),
                    unregistered);
            out.printf(Locale.ROOT, "  voters over the cap (audit)    %,d%n", audit.capViolations());
            out.println("  audit                          " + audit.summary());
            return new Result(ballot, voters, unregistered, secondVotesRefused.get(), unregisteredRefused.get(),
                    fellBack.get(), noRoom.get(), audit);
        }
    }

    /** A voter's ranking: a first choice drawn by popularity, then the other options in random order. */
    private static List<SectionId> ranking(SplittableRandom random) {
        int roll = random.nextInt(100);
        int first = 0;
        while (roll >= FIRST_CHOICE_PERCENT[first]) {
            roll -= FIRST_CHOICE_PERCENT[first++];
        }
        List<SectionId> ranking = new ArrayList<>();
        ranking.add(SectionId.of(OPTIONS[first]));
        List<String> rest = new ArrayList<>(List.of(OPTIONS));
        rest.remove(first);
        while (!rest.isEmpty()) {
            ranking.add(SectionId.of(rest.remove(random.nextInt(rest.size()))));
        }
        return ranking;
    }

    /** Registered voter {@code i}'s id. */
    public static BuyerId voter(int i) {
        return BuyerId.of("voter-" + i);
    }

    private static TicketingClient service(TicketStore store, String name) {
        return TicketingClient.builder().store(store).name("ballot-" + name).build();
    }
}

package io.dhamana;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first snippet, verbatim between the markers, so it always compiles and runs, takes the path the README
 * shows (two tickets sold, a clean audit), and stays the text the README prints.
 */
class ReadmeExampleTest {
    private static final String START = "// README-SNIPPET-START";
    private static final String END = "// README-SNIPPET-END";
    private static final Path SOURCE = Path.of("dhamana-sdk", "src", "test", "java", "io", "dhamana",
            "ReadmeExampleTest.java");

    /**
     * The snippet returns early when the hold is refused, so only what it printed tells whether it sold: both lines
     * and nothing else, the audit recomputed from committed rows. (Surefire runs this module's tests one at a time,
     * so nothing else writes to System.out meanwhile.)
     */
    @Test
    void theReadmeSnippetSellsTwoTicketsAndAuditsClean() {
        assertThat(printedBy(ReadmeExampleTest::readmeSnippet)).containsExactly(
                "2 tickets, 4998 left",
                "capacity=5096 remaining=5094 held=0 sold=2 | oversold=0 doubleBookedSeats=0 doubleSoldTickets=0 "
                        + "negativeBuckets=0 stockDrift=0 seatStateMismatches=0 ledgerDrift=0 allowanceDrift=0 "
                        + "capViolations=0 moneyImbalance=0 unbalancedOps=0 escrowDrift=0 | "
                        + "Σhold=2 = outstanding 2 + released 0 + refunded 0 | CLEAN");
    }

    @Test
    void theSnippetIsTheReadmesFirstJavaBlockUnderUseIt() throws IOException {
        Path root = projectRoot();
        List<String> snippet = betweenMarkers(Files.readAllLines(root.resolve(SOURCE), StandardCharsets.UTF_8));
        // The try block's closing brace must sit after the END marker here, so the snippet can return early and the
        // try-with-resources still compile; the README's block ends with that brace, so it is added back.
        List<String> expected = new ArrayList<>(snippet);
        expected.add("}");
        List<String> readme = firstJavaBlockUnderUseIt(Files.readAllLines(root.resolve("README.md"),
                StandardCharsets.UTF_8));
        assertThat(readme).containsExactlyElementsOf(expected);
    }

    private static void readmeSnippet() {
        // README-SNIPPET-START
        try (TicketingClient client = TicketingClient.builder().build()) {     // in-process engine, no server
            EventId show = EventId.of("eras-london");
            SectionId floor = SectionId.of("floor");
            client.createEvent(EventSpec.builder(show)
                    .perBuyerCap(4).resaleCapPercent(110)
                    .generalAdmission("floor", 5_000, 64, 15_000)              // 5,000 units over 64 buckets, $150
                    .reservedSeating("balcony", SeatMap.grid(8, 12), 25_000)   // 96 named seats, $250
                    .build());

            BuyerId fan = BuyerId.of("fan-1");
            client.verifyFan(show, fan, URI.create("https://verify.example/fan-1"));

            Outcome<Hold> held = client.hold(HoldRequest.units(show, floor, fan, 2));
            if (held instanceof Outcome.Rejected<Hold> no) {
                System.out.println("refused: " + no.rejection().message());  // sold out, not verified, cap...
                return;
            }
            List<Ticket> tickets = client.confirm(held.value().id()).value();
            System.out.println(tickets.size() + " tickets, " + client.unitsLeft(show, floor) + " left");
            System.out.println(client.audit().summary());                      // recomputed from committed rows
            // README-SNIPPET-END
        }
    }

    private static List<String> printedBy(Runnable body) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            body.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The lines strictly between the markers, less their common indentation. */
    private static List<String> betweenMarkers(List<String> source) {
        int start = indexOfTrimmed(source, START, 0);
        int end = indexOfTrimmed(source, END, start + 1);
        assertThat(start).as("start marker").isNotNegative();
        assertThat(end).as("end marker after the start marker").isGreaterThan(start);
        List<String> lines = source.subList(start + 1, end);
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }

    /** The first ```java block after "## Use it", before the next second-level heading. */
    private static List<String> firstJavaBlockUnderUseIt(List<String> readme) {
        int section = readme.indexOf("## Use it");
        assertThat(section).as("the README's \"## Use it\" section").isNotNegative();
        int open = -1;
        for (int i = section + 1; i < readme.size() && open < 0; i++) {
            String line = readme.get(i);
            assertThat(line).as("a ```java block inside \"## Use it\"").doesNotStartWith("## ");
            if (line.strip().equals("```java")) {
                open = i;
            }
        }
        assertThat(open).as("a ```java block inside \"## Use it\"").isNotNegative();
        int close = indexOfTrimmed(readme, "```", open + 1);
        assertThat(close).as("the block's closing fence").isGreaterThan(open);
        return readme.subList(open + 1, close).stream().map(l -> l.isBlank() ? "" : l).toList();
    }

    private static int indexOfTrimmed(List<String> lines, String wanted, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(wanted)) {
                return i;
            }
        }
        return -1;
    }

    /** The project root, holding README.md: the working directory or one of its parents (Surefire uses the module). */
    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve(SOURCE))) {
                return dir;
            }
        }
        throw new AssertionError("no README.md with " + SOURCE + " beside it above " + Path.of("").toAbsolutePath());
    }
}

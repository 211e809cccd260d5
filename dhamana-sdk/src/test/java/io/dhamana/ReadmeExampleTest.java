package io.dhamana;

import io.dhamana.readme.MetricsQuickstart;
import io.dhamana.readme.PostgresQuickstart;
import io.dhamana.readme.Quickstart;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's code, as a reader copies it. Each Java block follows a {@code <!-- snippet: path -->} line naming the
 * test source it must equal (less its package line), so every block compiles with its imports; the blocks are run
 * here the way a new user would run them, several times over, against the engine and a PostgreSQL database that
 * keeps its rows between runs. The dependency versions the README names are the build's own.
 */
class ReadmeExampleTest {
    private static final Path README = Path.of("README.md");
    private static final Pattern SNIPPET = Pattern.compile("<!-- snippet: (\\S+) -->");

    @Test
    void everyJavaBlockIsASourceFileThatCompiles() throws IOException {
        Path root = projectRoot();
        Map<String, List<String>> blocks = markedBlocks(Files.readAllLines(root.resolve(README)));
        assertThat(blocks).as("marked Java blocks in the README").containsKeys(
                "dhamana-sdk/src/test/java/io/dhamana/readme/Quickstart.java",
                "dhamana-sdk/src/test/java/io/dhamana/readme/PostgresQuickstart.java",
                "dhamana-sdk/src/test/java/io/dhamana/readme/DsqlQuickstart.java",
                "dhamana-sdk/src/test/java/io/dhamana/readme/MetricsQuickstart.java");
        for (Map.Entry<String, List<String>> e : blocks.entrySet()) {
            List<String> source = Files.readAllLines(root.resolve(e.getKey()), StandardCharsets.UTF_8);
            assertThat(source.get(0)).as(e.getKey()).startsWith("package ");
            List<String> withoutPackage = source.subList(source.get(1).isBlank() ? 2 : 1, source.size());
            assertThat(e.getValue()).as("README block of " + e.getKey()).containsExactlyElementsOf(withoutPackage);
        }
        long javaBlocks = Files.readAllLines(root.resolve(README)).stream().filter(l -> l.strip().equals("```java"))
                .count();
        assertThat(blocks).as("every ```java block of the README is marked").hasSize((int) javaBlocks);
    }

    /** The engine quickstart sells two tickets and audits clean, every time it runs (each run has its own engine). */
    @Test
    void theQuickstartSellsTwoTicketsAndAuditsClean() {
        for (int run = 1; run <= 3; run++) {
            assertThat(printedBy(() -> Quickstart.main(new String[0]))).as("run " + run).containsExactly(
                    "2 tickets, 4998 left",
                    "capacity=5096 remaining=5094 held=0 sold=2 | oversold=0 doubleBookedSeats=0 doubleSoldTickets=0 "
                            + "negativeBuckets=0 stockDrift=0 seatStateMismatches=0 ledgerDrift=0 allowanceDrift=0 "
                            + "capViolations=0 moneyImbalance=0 unbalancedOps=0 escrowDrift=0 | "
                            + "Σhold=2 = outstanding 2 + released 0 + refunded 0 | CLEAN");
        }
    }

    /** The metrics block prints what the registry counted, by outcome (a timer's order is the registry's). */
    @Test
    void theMetricsQuickstartPrintsEachOutcome() {
        for (int run = 1; run <= 2; run++) {
            assertThat(printedBy(() -> MetricsQuickstart.main(new String[0]))).as("run " + run)
                    .containsExactlyInAnyOrder("committed: 1 call(s) on engine", "sold-out: 1 call(s) on engine");
        }
    }

    /**
     * The PostgreSQL quickstart against a database that persists: the first run creates the schema and the event,
     * and later runs find them, sell two more tickets to a new fan, and are never refused by the per-buyer cap.
     */
    @Test
    void thePostgresQuickstartRunsAgainAndAgainOnOneDatabase() {
        PostgresServer.freshSchema("dhamana"); // a new user's empty database; the snippet uses the default schema
        PostgresServer.Endpoint db = PostgresServer.endpoint();
        for (int n = 1; n <= 3; n++) {
            List<String> printed = printedBy(() -> PostgresQuickstart.run(db.jdbcUrl(), db.user(), db.password()));
            assertThat(printed).as("run " + n).hasSize(2);
            assertThat(printed.get(0)).isEqualTo("2 tickets, " + (5_000 - 2 * n) + " left");
            assertThat(printed.get(1)).contains("sold=" + 2 * n + " ").contains("oversold=0").endsWith("| CLEAN");
        }
        PostgresServer.freshSchema("dhamana");
    }

    /** The versions the README tells a user to add are the ones this build compiles and tests against. */
    @Test
    void theReadmesDependencyVersionsAreTheBuildsOwn() throws IOException {
        Path root = projectRoot();
        String pom = Files.readString(root.resolve("pom.xml"));
        String readme = Files.readString(root.resolve(README));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("postgresql", property(pom, "postgresql.version"));
        expected.put("HikariCP", property(pom, "hikaricp.version"));
        expected.put("slf4j-simple", property(pom, "slf4j.version"));
        expected.put("micrometer-core", property(pom, "micrometer.version"));
        expected.put("dsql", property(pom, "awssdk.version"));
        expected.put("dhamana-sdk", Pattern.compile("<artifactId>dhamana-parent</artifactId>\\s*<version>([^<]+)<")
                .matcher(pom).results().findFirst().orElseThrow().group(1));
        Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>").matcher(readme);
        Map<String, String> named = new LinkedHashMap<>();
        while (m.find()) {
            named.put(m.group(1), m.group(2));
        }
        assertThat(named).containsAllEntriesOf(expected);
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(m.find()).as(name + " in pom.xml").isTrue();
        return m.group(1);
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

    /** Each ```java block right after a snippet marker line, by the path the marker names. */
    private static Map<String, List<String>> markedBlocks(List<String> readme) {
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        for (int i = 0; i + 1 < readme.size(); i++) {
            Matcher m = SNIPPET.matcher(readme.get(i).strip());
            if (!m.matches()) {
                continue;
            }
            assertThat(readme.get(i + 1).strip()).as("the line after " + readme.get(i)).isEqualTo("```java");
            List<String> lines = new ArrayList<>();
            int j = i + 2;
            for (; j < readme.size() && !readme.get(j).strip().equals("```"); j++) {
                lines.add(readme.get(j));
            }
            assertThat(j).as("the closing fence of " + m.group(1)).isLessThan(readme.size());
            blocks.put(m.group(1), lines);
        }
        return blocks;
    }

    /** The project root, holding README.md: the working directory or one of its parents (Surefire uses the module). */
    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(README)) && Files.isRegularFile(dir.resolve("dhamana-sdk/pom.xml"))) {
                return dir;
            }
        }
        throw new AssertionError("no README.md beside dhamana-sdk above " + Path.of("").toAbsolutePath());
    }
}

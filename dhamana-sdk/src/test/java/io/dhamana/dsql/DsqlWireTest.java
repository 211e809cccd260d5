package io.dhamana.dsql;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.HoldRequest;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What actually goes over the wire, including what pgjdbc sends on its own: the {@code BEGIN} of each transaction,
 * and whatever {@code setReadOnly} or {@code setAutoCommit} might send. pgjdbc logs every query message at FINEST;
 * each one the store caused must be something DSQL accepts, and no {@code SET} of any kind may appear.
 */
class DsqlWireTest {
    private static final Pattern PARSE = Pattern.compile("FE=> Parse\\(stmt=[^,]*,query=\"(.*)\",oids=", Pattern.DOTALL);

    @Test
    void nothingTheDriverSendsForTheStoreIsRefusedByDsql() {
        String schema = "dsql_wire";
        PostgresServer.freshSchema(schema);
        DsqlStandIn.prepare(); // the test server's own set-up, before listening
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        Logger driver = Logger.getLogger("org.postgresql");
        Level was = driver.getLevel();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                Object[] p = r.getParameters();
                String m = r.getMessage();
                if (m == null) {
                    return;
                }
                Matcher parse = PARSE.matcher(m);
                if (parse.find()) {
                    sent.add(parse.group(1)); // logged already formatted
                } else if (m.contains("FE=> SimpleQuery(") && p != null && p.length >= 1) {
                    sent.add(String.valueOf(p[0]));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        driver.addHandler(capture);
        driver.setLevel(Level.FINEST);
        try (DsqlStore store = DsqlStandIn.builder(schema, new DsqlConformance()).maxPoolSize(2).build();
             TicketingClient client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                     .build()) {
            EventId e = EventId.of("wire-" + UUID.randomUUID().toString().substring(0, 8));
            client.createEvent(EventSpec.builder(e).perBuyerCap(2).generalAdmission("floor", 10, 2, 1_000).build());
            BuyerId fan = BuyerId.of("fan");
            client.verifyFan(e, fan, URI.create("https://id.example/fan")).value();
            client.confirm(client.hold(HoldRequest.units(e, SectionId.of("floor"), fan, 1)).value().id()).value();
            client.releaseHolds(e);
            AuditReport audit = client.audit(e);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
        } finally {
            driver.removeHandler(capture);
            driver.setLevel(was);
        }
        List<String> queries = List.copyOf(sent).stream().map(String::strip).filter(q -> !standInOwn(q)).toList();
        assertThat(queries).as("queries pgjdbc logged").isNotEmpty();
        assertThat(queries).contains("BEGIN", "BEGIN READ ONLY");
        assertThat(queries).anyMatch(q -> q.startsWith("UPDATE " + schema + ".stock_bucket SET remaining"))
                .anyMatch(q -> q.startsWith("CREATE INDEX ASYNC") || q.startsWith("CALL sys.wait_for_job"));
        assertThat(queries).noneMatch(q -> DsqlRules.normalize(q).startsWith("SET"));
        List<String> refused = queries.stream().filter(q -> !DsqlRules.violations(q).isEmpty()).distinct().toList();
        assertThat(refused).as("sent over the wire and refused by DSQL").isEmpty();
    }

    /**
     * What the stand-in itself sends on the same connections: the isolation check when it wraps a connection, and
     * the synchronous build of an index the store asked for with CREATE INDEX ASYNC (with its job bookkeeping).
     */
    private static boolean standInOwn(String q) {
        String n = DsqlRules.normalize(q);
        return n.equals("SHOW TRANSACTION_ISOLATION")
                || (n.startsWith("CREATE ") && n.contains(" INDEX IF NOT EXISTS ") && !n.contains(" ASYNC "))
                || n.startsWith("INSERT INTO SYS.JOBS")
                || n.matches("SELECT '' ?::TEXT AS JOB_ID");
    }
}

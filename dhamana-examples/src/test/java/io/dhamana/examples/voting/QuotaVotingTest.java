package io.dhamana.examples.voting;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaVotingTest {

    @Test
    void noQuotaIsExceededAndEachRegisteredVoterVotesOnce() throws Exception {
        int voters = 2_000;
        int unregistered = 200;
        try (EngineStore store = EngineStore.create();
             TicketingClient reader = TicketingClient.builder().store(store).build()) {
            QuotaVoting.Result r = QuotaVoting.run(store, voters, unregistered, 16,
                    new PrintStream(PrintStream.nullOutputStream()));

            AuditReport audit = reader.audit(r.event());
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            assertThat(audit.oversoldUnits()).isZero();
            assertThat(audit.capViolations()).isZero();
            for (AuditReport.SectionAudit option : audit.sections()) {
                assertThat(option.soldUnits()).as("votes for %s", option.section())
                        .isLessThanOrEqualTo(option.capacity());
            }
            // The most popular option is wanted first by more voters than its quota: it fills exactly.
            AuditReport.SectionAudit a = audit.sections().get(0);
            assertThat(a.soldUnits()).isEqualTo(a.capacity());

            // From the ticket rows: at most one vote per voter, none for anyone off the roll, and the votes the
            // audit counts are exactly the voters holding one.
            long votersWithAVote = 0;
            long doubleTriersWithAVote = 0;
            for (int i = 0; i < voters; i++) {
                long votes = votes(reader, r, QuotaVoting.voter(i));
                assertThat(votes).as("votes of voter %d", i).isLessThanOrEqualTo(1);
                votersWithAVote += votes;
                doubleTriersWithAVote += i % 20 == 0 ? votes : 0;
            }
            for (int i = 0; i < unregistered; i++) {
                assertThat(votes(reader, r, BuyerId.of("unregistered-" + i))).isZero();
            }
            assertThat(audit.soldUnits()).isEqualTo(votersWithAVote);
            assertThat(r.secondVotesRefused()).isEqualTo(doubleTriersWithAVote).isPositive();
            assertThat(r.unregisteredRefused()).isEqualTo(unregistered);
            assertThat(r.noRoom()).isEqualTo(voters - votersWithAVote);
            assertThat(r.fellBack()).isPositive();
        }
    }

    private static long votes(TicketingClient reader, QuotaVoting.Result r, BuyerId who) {
        return reader.ticketsOf(r.event(), who).stream().filter(t -> t.state() != TicketState.REFUNDED).count();
    }
}

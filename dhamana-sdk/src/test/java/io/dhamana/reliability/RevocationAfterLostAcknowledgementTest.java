package io.dhamana.reliability;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.HoldRequest;
import io.dhamana.Operation;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.RetryPolicy;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.Verification;
import io.dhamana.engine.EngineStore;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.FaultyStore;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression, found by the five-million-operation soak: a revocation whose commit acknowledgement was lost, retried
 * by the client after someone verified the buyer again in between, revoked a second time and then found its own key
 * in the log, and failed with a {@code KeyReusedException} (final, not retryable) although its work had been done.
 * The revocation checked its key only after its guarded write; like every other call it now inserts its key first,
 * so the retry finds the work done and returns.
 */
class RevocationAfterLostAcknowledgementTest {
    @Test
    void aRevocationRetriedAfterAReVerificationFindsItsWorkDone() {
        EventId show = EventId.of("revoke-replay");
        BuyerId fan = BuyerId.of("fan");
        try (EngineStore engine = EngineStore.create();
             TicketingClient admin = TicketingClient.builder().store(engine).expirySweepInterval(Duration.ZERO)
                     .build()) {
            admin.createEvent(EventSpec.builder(show).perBuyerCap(4).generalAdmission("ga", 10, 2, 100).build());
            admin.verifyFan(show, fan, URI.create("https://id.example/fan")).value();
            FaultyStore faulty = new FaultyStore(engine);
            AtomicBoolean reVerified = new AtomicBoolean();
            // While the client backs off before its retry, the buyer is verified again by someone else.
            try (TicketingClient client = TicketingClient.builder().store(faulty).expirySweepInterval(Duration.ZERO)
                    .retryPolicy(RetryPolicy.builder().retryTransientFailures(true).build())
                    .sleeper(nanos -> {
                        if (reVerified.compareAndSet(false, true)) {
                            admin.verifyFan(show, fan, URI.create("https://id.example/fan-again")).value();
                        }
                    }).build()) {
                faulty.next(FaultyStore.Fault.LOST_AFTER_COMMIT);
                Outcome<Verification> revoked = client.revokeFan(show, fan);

                assertThat(revoked.isOk()).isTrue();
                assertThat(reVerified).isTrue();
            }
            // One revocation in the log, and the verification that followed it stands.
            long revocations = engine.inTransaction(TxMode.READ_ONLY, tx -> {
                long[] n = new long[1];
                tx.scan(io.dhamana.spi.Table.OPERATIONS, Optional.of(show), op -> n[0] += op.operation() == Operation.REVOKE_FAN ? 1 : 0);
                return n[0];
            });
            assertThat(revocations).isEqualTo(1);
            assertThat(admin.hold(HoldRequest.units(show, SectionId.of("ga"), fan, 1)).isOk()).isTrue();
            AuditReport audit = admin.audit(show);
            assertThat(audit.isClean()).as(audit.summary()).isTrue();
            // A revocation of a buyer never verified is still refused, and one of a revoked buyer is still a no-op.
            assertThat(admin.revokeFan(show, BuyerId.of("stranger")).rejectionIfAny()).get()
                    .isInstanceOf(Rejection.NotVerified.class);
            admin.revokeFan(show, fan).value();
            assertThat(admin.revokeFan(show, fan).isOk()).isTrue();
        }
    }
}

package io.dhamana.internal;

import io.dhamana.testkit.ForwardingStore;
import io.dhamana.BuyerId;
import io.dhamana.ConflictException;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.HoldRequest;
import io.dhamana.RetryPolicy;
import io.dhamana.SectionId;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import io.dhamana.spi.TransactionWork;
import io.dhamana.spi.TxMode;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A real flight recording of real calls, read back with the JDK's own reader. */
class FlightRecorderEventsTest {

    /** The engine, losing the next N writing transactions to a conflict. */
    private static final class LosingStore extends ForwardingStore {
        final AtomicInteger toLose = new AtomicInteger();

        LosingStore() {
            super(EngineStore.create());
        }

        @Override
        public <T> T inTransaction(TxMode mode, TransactionWork<T> work) {
            if (mode == TxMode.READ_WRITE && toLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ConflictException("40001", "lost to a rival (test)", null);
            }
            return super.inTransaction(mode, work);
        }
    }

    @Test
    void callsAndAttemptsAppearInARecording(@TempDir Path dir) throws Exception {
        EventId show = EventId.of("jfr-show");
        SectionId floor = SectionId.of("floor");
        BuyerId fan = BuyerId.of("fan-1");
        LosingStore store = new LosingStore();
        Path file = dir.resolve("calls.jfr");
        try (TicketingClient client = TicketingClient.builder().ownedStore(store).expirySweepInterval(Duration.ZERO)
                .retryPolicy(RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO).build()).build()) {
            client.createEvent(EventSpec.builder(show).generalAdmission("floor", 2, 1, 100).build());
            client.verifyFan(show, fan, URI.create("https://verify.example/fan-1")).value();
            try (Recording recording = new Recording()) {
                recording.enable("io.dhamana.Call");
                recording.enable("io.dhamana.Attempt");
                recording.start();
                store.toLose.set(2);
                client.hold(HoldRequest.units(show, floor, fan, 2)).value();          // two conflicts, then commits
                client.hold(HoldRequest.units(show, floor, fan, 1)).rejectionIfAny().orElseThrow(); // sold out
                recording.stop();
                recording.dump(file);
            }
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> holds = events.stream().filter(e -> e.getEventType().getName().equals("io.dhamana.Call"))
                .filter(e -> e.getString("operation").equals("hold")).toList();
        assertThat(holds).hasSize(2);
        RecordedEvent committed = holds.stream().filter(e -> e.getString("outcome").equals("committed")).findFirst()
                .orElseThrow();
        assertThat(committed.getInt("attempts")).isEqualTo(3);
        assertThat(committed.getInt("conflicts")).isEqualTo(2);
        assertThat(committed.getInt("retries")).isEqualTo(2);
        assertThat(committed.getString("store")).isEqualTo("engine");
        assertThat(committed.getDuration()).isPositive();
        RecordedEvent refused = holds.stream().filter(e -> e.getString("outcome").equals("sold-out")).findFirst()
                .orElseThrow();
        assertThat(refused.getInt("attempts")).isEqualTo(1);
        assertThat(refused.getInt("conflicts")).isZero();

        List<String> attempts = events.stream().filter(e -> e.getEventType().getName().equals("io.dhamana.Attempt"))
                .filter(e -> e.getString("operation").equals("hold"))
                .map(e -> e.getInt("attempt") + ":" + e.getString("result")).toList();
        assertThat(attempts).containsExactly("1:conflict", "2:conflict", "3:committed", "1:sold-out");
    }
}

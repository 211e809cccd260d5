package io.dhamana.engine.internal;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldRequest;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;
import io.dhamana.engine.EngineStore;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression, found by the soak: the engine updated its secondary indexes (tickets of a hold, tickets of an owner,
 * holds by expiry, seats in order) only after a commit had become visible. A transaction that began in between saw
 * the committed rows but not the index entries pointing at them, so a confirm repeated right after the first one
 * committed found the work done and answered with no tickets at all. Two clients confirm the same hold at the same
 * instant, many times over: whichever one replays must return the same tickets the first one made.
 */
class IndexVisibilityTest {
    @Test
    void aConfirmRepeatedAsTheFirstOneCommitsReturnsItsTickets() throws Exception {
        EventId show = EventId.of("index-visibility");
        SectionId ga = SectionId.of("ga");
        int rounds = 1_500;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (EngineStore store = EngineStore.create();
             TicketingClient a = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO).build();
             TicketingClient b = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO).build()) {
            a.createEvent(EventSpec.builder(show).perBuyerCap(3).generalAdmission("ga", rounds * 3, 16, 100)
                    .build());
            CyclicBarrier together = new CyclicBarrier(2);
            for (int i = 0; i < rounds; i++) {
                BuyerId fan = BuyerId.of("fan-" + i);
                a.verifyFan(show, fan, URI.create("https://id.example/" + i)).value();
                Hold hold = a.hold(HoldRequest.units(show, ga, fan, 3)).value();
                CompletableFuture<List<Ticket>> first = CompletableFuture.supplyAsync(() -> {
                    await(together);
                    return a.confirm(hold.id()).value();
                }, pool);
                CompletableFuture<List<Ticket>> second = CompletableFuture.supplyAsync(() -> {
                    await(together);
                    return b.confirm(hold.id()).value();
                }, pool);
                List<Ticket> x = first.get(30, TimeUnit.SECONDS);
                List<Ticket> y = second.get(30, TimeUnit.SECONDS);
                assertThat(x).as("round %d", i).hasSize(3);
                assertThat(y).as("round %d", i).extracting(Ticket::id)
                        .containsExactlyInAnyOrderElementsOf(x.stream().map(Ticket::id).toList());
                assertThat(a.ticketsOf(show, fan)).as("round %d", i).hasSize(3);
            }
            assertThat(a.audit(show).isClean()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

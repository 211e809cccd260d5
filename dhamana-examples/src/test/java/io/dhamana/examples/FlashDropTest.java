package io.dhamana.examples;

import io.dhamana.engine.EngineStore;
import io.dhamana.examples.support.Cli;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's main job, small: every verdict comes from the audit of committed rows. */
class FlashDropTest {

    @Test
    void aDropThatSellsOutOversellsNothingAndMeasuresTheRateWhileStockLasted() throws Exception {
        try (EngineStore store = EngineStore.create()) {
            FlashDrop.Summary s = FlashDrop.run(store, 3_000, 1_000, 16, 8, false, false);

            assertThat(s.audit().isClean()).as(s.audit().summary()).isTrue();
            assertThat(s.oversold()).isZero();
            assertThat(s.doubleBookedSeats()).isZero();
            assertThat(s.capacity()).isEqualTo(1_000 + 96);
            // Demand (3,000 fans, one or two units each) is well above the stock: it sells out, up to the seats
            // fans gave up on after three taken ones.
            assertThat(s.remaining()).isLessThan(96);
            assertThat(s.soldUnits() + s.audit().heldUnits() + s.remaining()).isEqualTo(s.capacity());
            assertThat(s.holds()).isPositive();
            assertThat(s.holdsPerSecond()).isPositive();
        }
    }

    @Test
    void aRoundTripTimeNeedsAPostgresServerOnThisMachine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.run(new String[] {"--rtt-ms", "5"}, "FlashDrop", args -> {
            io.dhamana.examples.support.ExampleStores.open(args).close();
            return true;
        }, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(Cli.USAGE_ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rtt-ms").contains("--jdbc-url");
    }
}

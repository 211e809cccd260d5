package io.dhamana.jmh;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Every profile names benchmarks and parameters that exist, and the quick profile stays quick. */
class PlanTest {

    @Test
    void everyStepNamesAnExistingBenchmarkAndParameters() throws Exception {
        for (String name : new String[]{"smoke", "quick", "full"}) {
            Plan plan = Plan.named(name);
            assertThat(plan.steps()).isNotEmpty();
            for (Plan.Step step : plan.steps()) {
                if (step instanceof Plan.JmhStep j) {
                    String[] parts = j.benchmark().split("\\.");
                    Class<?> c = Class.forName("io.dhamana.jmh." + parts[0]);
                    assertThat(Arrays.stream(c.getMethods()).map(Method::getName)).contains(parts[1]);
                    for (String param : j.params().keySet()) {
                        assertThat(c.getField(param)).as(j.title()).isNotNull();
                    }
                }
            }
        }
    }

    @Test
    void quickStaysUnderTwentyMinutesAndFullIsTheLongRun() {
        assertThat(Plan.quick().estimateSeconds()).isLessThanOrEqualTo(20 * 60);
        assertThat(Plan.full().estimateSeconds()).isGreaterThan(Plan.quick().estimateSeconds());
    }
}

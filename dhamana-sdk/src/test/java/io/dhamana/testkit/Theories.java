package io.dhamana.testkit;

import org.quicktheories.QuickTheory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * How the property suites run QuickTheories. A failing property reports the smallest failing example that shrinking
 * found, the exception it raised, and the seed ({@code Seed was ...}); {@code -DQT_SEED=<seed>} replays the same
 * examples. For a property that runs threads the seed fixes the inputs but not the interleaving, so a replay may
 * take a few runs to fail again.
 */
public final class Theories {
    private Theories() {}

    /** QuickTheories trying {@code tries} examples, seeded from {@code -DQT_SEED} if given, else from the clock. */
    public static QuickTheory qt(int tries) {
        return QuickTheory.qt().withExamples(tries);
    }

    /**
     * A property whose examples are expensive (threads, a store), shrunk for at most {@code budget} once an example
     * has failed. QuickTheories stops searching at the first failing example and then only shrinks it, so the
     * failure is reported either way; past the budget the remaining shrink candidates are not run, so that a hang
     * found in the last try does not keep the build for hours, each candidate waiting for its own hang.
     */
    public static <T> Consumer<T> shrinkingAtMost(Duration budget, Example<T> property) {
        AtomicLong firstFailure = new AtomicLong(Long.MIN_VALUE);
        return example -> {
            long failedAt = firstFailure.get();
            if (failedAt != Long.MIN_VALUE && System.nanoTime() - failedAt > budget.toNanos()) {
                return; // shrinking has had its time; the failure found is what gets reported
            }
            try {
                property.check(example);
            } catch (RuntimeException | Error e) {
                firstFailure.compareAndSet(Long.MIN_VALUE, System.nanoTime());
                throw e;
            } catch (Exception e) {
                firstFailure.compareAndSet(Long.MIN_VALUE, System.nanoTime());
                throw new AssertionError(e);
            }
        };
    }

    /** The check of one example, which may throw anything a test may throw. */
    @FunctionalInterface
    public interface Example<T> {
        void check(T example) throws Exception;
    }
}

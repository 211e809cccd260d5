package io.dhamana.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * A check on JMH's throughput that does not depend on how threads share the CPU: every hold committed in the
 * iteration, by all threads, divided by the wall time from the first thread's start to the end. JMH instead divides
 * each thread's operations by that thread's own measured window and adds the rates up, which overstates the total
 * when threads far outnumber cores and some of them start late or stall; the wall-clock figure counts the threads'
 * line-up before and after the measured window too, so it errs low. The report shows their ratio.
 *
 * <p>Written by thread 0 at the end of each iteration ({@link HoldCounters#endIteration}); JMH reports it as the
 * secondary result {@code holdsPerSecond}, the mean over iterations.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class WallClock {
    /** Committed holds per second of wall time in the iteration (thread 0 only; 0 on other threads). */
    public long holdsPerSecond;
}

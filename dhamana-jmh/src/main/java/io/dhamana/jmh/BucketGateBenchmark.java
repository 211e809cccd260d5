package io.dhamana.jmh;

import io.dhamana.internal.BucketGate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The client's admission gate on its own, with no store behind it: each call enters the gate, stays inside for
 * {@code insideMicros}, leaves, and works {@code outsideMicros} on the CPU before the next call. Inside, it works on
 * the CPU as an in-process hold does, or with {@code waits=true} sleeps as a thread waiting on a database does (a
 * timed sleep, which the kernel's timer slack lengthens: about 100 µs more here).
 *
 * <p>It shows what the waiter on the way costs and saves for each shape of hold: the gate naps after a short spin,
 * which frees the other core when the holder comes straight back, and leaves a given-back place idle until the nap
 * ends when nobody else is awake to take it. The gate is internal to the SDK; this
 * benchmark is its only user outside it.
 *
 * <pre>
 * java -jar dhamana-jmh/target/benchmarks.jar BucketGateBenchmark -t 2 -p insideMicros=20 -p outsideMicros=10
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class BucketGateBenchmark {
    /** Time inside the gate per call. */
    @Param({"1", "5", "20"})
    public int insideMicros;

    /** CPU time outside the gate between two calls of one thread. */
    @Param({"0", "5", "20"})
    public int outsideMicros;

    /** Whether the time inside is a sleep (a database round trip) rather than CPU work. */
    @Param({"false"})
    public boolean waits;

    private BucketGate gate;

    /** A gate of one place, like one bucket under the client's default admission. */
    @Setup
    public void gate() {
        gate = new BucketGate(1);
    }

    /** One call through the gate. */
    @Benchmark
    public void call() {
        gate.enter();
        try {
            if (waits) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(insideMicros));
            } else {
                work(insideMicros);
            }
        } finally {
            gate.leave();
        }
        work(outsideMicros);
    }

    private static void work(int micros) {
        if (micros == 0) {
            return;
        }
        long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}

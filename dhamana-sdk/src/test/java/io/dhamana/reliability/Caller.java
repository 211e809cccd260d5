package io.dhamana.reliability;

import io.dhamana.DhamanaException;
import io.dhamana.NotFoundException;
import io.dhamana.Operation;
import io.dhamana.OperationFailedException;
import io.dhamana.Outcome;
import io.dhamana.TicketingClient;
import io.dhamana.reliability.History.Kind;
import io.dhamana.reliability.History.Op;

import java.util.Queue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A well-behaved caller of a {@link TicketingClient}: it records every call in a {@link History}, and when a call
 * fails with an unknown outcome it repeats it with the same arguments, hence the same idempotency key, until the
 * outcome is known or it has tried enough. It also checks that every failure it meets is a clear one: an
 * {@link OperationFailedException} naming the operation, carrying the key to repeat the call with (for keyed calls)
 * and a typed cause. Anything else goes to {@code problems}. One per thread.
 */
final class Caller {
    /** What {@link #call} returns for a call whose outcome stayed unknown. */
    static final Object UNKNOWN = new Object();

    final TicketingClient client;
    final String name;
    final History.Recorder recorder;
    private final int maxRepeats;
    private final long pauseNanos;
    private final Queue<String> problems;

    /**
     * @param maxRepeats  how many times a call with an unknown outcome is repeated
     * @param pauseMillis how long to wait before each repeat (0 for none)
     * @param problems    where unclear errors are reported
     */
    Caller(TicketingClient client, String name, History.Recorder recorder, int maxRepeats, long pauseMillis,
           Queue<String> problems) {
        this.client = client;
        this.name = name;
        this.recorder = recorder;
        this.maxRepeats = maxRepeats;
        this.pauseNanos = pauseMillis * 1_000_000L;
        this.problems = problems;
    }

    /**
     * Makes a call and records it, repeating it while its outcome is unknown. Returns the committed value (for an
     * {@link Outcome}, its value), {@link #UNKNOWN}, or null when it definitely did nothing.
     */
    Object call(Kind kind, Consumer<Op> args, Supplier<?> call) {
        long first = -1;
        for (int attempt = 0; attempt <= maxRepeats; attempt++) {
            if (attempt > 0 && pauseNanos > 0) {
                long until = System.nanoTime() + pauseNanos;
                for (long left = pauseNanos; left > 0; left = until - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
            }
            Op op = recorder.invoke(name, kind);
            args.accept(op);
            if (first < 0) {
                first = op.index;
            } else {
                op.repeatOf = first;
            }
            try {
                return recorder.returned(op, call.get());
            } catch (NotFoundException e) {
                recorder.failed(op, e); // for example a hold whose creation never committed
                return null;
            } catch (OperationFailedException e) {
                recorder.info(op, e);
                checkClear(op, e);
            } catch (RuntimeException e) {
                recorder.info(op, e);
                problems.add("op " + op.index + " (" + kind + ") failed with an unclear error: " + e);
                return UNKNOWN;
            }
        }
        return UNKNOWN;
    }

    private void checkClear(Op op, OperationFailedException e) {
        boolean keyed = op.kind != Kind.EXPIRE && op.kind != Kind.READ;
        if (keyed && e.operationKey().isEmpty()) {
            problems.add("op " + op.index + " (" + op.kind + ") failed without its idempotency key: " + e);
        }
        if (e.getMessage() == null || e.getMessage().isBlank() || e.operation() == null
                || (op.kind != Kind.READ && e.operation() == Operation.QUERY)) {
            problems.add("op " + op.index + " (" + op.kind + ") failed with an unclear message: " + e);
        }
        if (!(e.getCause() instanceof DhamanaException)) {
            problems.add("op " + op.index + " (" + op.kind + ") failed with an untyped cause: " + e.getCause());
        }
    }
}

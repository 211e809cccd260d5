package io.dhamana.testkit;

import io.dhamana.Sleeper;
import io.dhamana.Ticker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A sleeper that does not sleep: it records each delay and moves a fake ticker forward by it. */
public final class RecordingSleeper implements Sleeper, Ticker {
    private final List<Long> delays = new CopyOnWriteArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Override
    public void sleep(long nanos) {
        delays.add(nanos);
        now.addAndGet(nanos);
    }

    @Override
    public long read() {
        return now.get();
    }

    /** Moves the ticker without a sleep (time spent working). */
    public void advance(long nanos) {
        now.addAndGet(nanos);
    }

    public List<Long> delays() {
        return List.copyOf(delays);
    }
}

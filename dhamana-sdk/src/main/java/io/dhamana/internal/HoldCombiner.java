package io.dhamana.internal;

import io.dhamana.BuyerId;
import io.dhamana.ClientConfig;
import io.dhamana.ConflictException;
import io.dhamana.DhamanaException;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.KeyReusedException;
import io.dhamana.Operation;
import io.dhamana.OperationFailedException;
import io.dhamana.OperationKey;
import io.dhamana.OperationListener;
import io.dhamana.Outcome;
import io.dhamana.spi.TxMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Flat combining for general-admission holds: callers that target the same bucket queue up, and whichever of them
 * gets the bucket's lane serves everyone queued (up to a bound) with one transaction. On a hot bucket this turns a
 * storm of conflicting transactions (or a row-lock convoy on PostgreSQL) into one commit per batch.
 *
 * <p>Each caller keeps its own hold id (idempotency key) and gets its own outcome: refusals are decided per member
 * and write nothing, and a member whose own call is in error (its key reused for other work) gets that error while
 * the rest are served. If a combined transaction fails in a way that may pass on its own (conflicts past its
 * retries, a lost connection), the lane's leader serves its members one by one with ordinary single holds. If it
 * fails in a way a retry would meet again (a statement the database refuses, a constraint, a bug), every member's
 * caller gets the error, and it is logged at WARN: serving them one by one would hide it. A lone caller is served the
 * ordinary way, but still inside the lane, so callers arriving meanwhile queue for the next combined transaction.
 *
 * <p>A combined hold is shared work, so an interrupt does not abandon it: an interrupted caller still waits for its
 * outcome (and, as leader, serves its members), and finds its interrupt status set again when the call returns.
 */
final class HoldCombiner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HoldCombiner.class);
    /**
     * How long a waiting caller parks before looking again. A leader wakes its members when their outcome is ready
     * and the next queued caller when it lets go of the lane, so this is only a safety net against a missed wake.
     */
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private static final class Member {
        final HoldId id;
        final BuyerId buyer;
        final int units;
        final Duration ttl;
        final boolean mayBeDone;
        final Thread thread = Thread.currentThread();
        final long started;
        volatile Outcome<Hold> outcome;
        volatile RuntimeException failure;

        Member(HoldId id, BuyerId buyer, int units, Duration ttl, boolean mayBeDone, long started) {
            this.id = id;
            this.buyer = buyer;
            this.units = units;
            this.ttl = ttl;
            this.mayBeDone = mayBeDone;
            this.started = started;
        }

        boolean finished() {
            return outcome != null || failure != null;
        }
    }

    private static final class Lane {
        final ConcurrentLinkedQueue<Member> queue = new ConcurrentLinkedQueue<>();
        final AtomicBoolean leading = new AtomicBoolean();
    }

    private final ClientConfig config;
    private final RetryLoop singles;
    private final RetryLoop batches;
    private final OperationListener listener;
    private final ConcurrentHashMap<SectionState, Lane[]> lanes = new ConcurrentHashMap<>();
    private final LongAdder permanentFailures = new LongAdder();

    HoldCombiner(RetryLoop singles, ClientConfig config) {
        this.config = config;
        this.singles = singles;
        this.listener = singles.listener();
        // A combined transaction reports its attempts and conflicts once; each member reports its own outcome.
        OperationListener attemptsOnly = new OperationListener() {
            @Override
            public void onAttempt(Operation operation, int attempt) {
                listener.onAttempt(operation, attempt);
            }

            @Override
            public void onConflict(Operation operation, int attempt, ConflictException conflict) {
                listener.onConflict(operation, attempt, conflict);
            }

            @Override
            public void onRetry(Operation operation, int nextAttempt, long delayNanos, DhamanaException cause) {
                listener.onRetry(operation, nextAttempt, delayNanos, cause);
            }
        };
        this.batches = new RetryLoop(config.store(), config.retryPolicy(), attemptsOnly, config.ticker(),
                config.sleeper(), config.random());
    }

    /**
     * Holds units for one caller, combined with whoever else waits on the same bucket.
     *
     * @param callerChosenId whether the caller named the hold id (and so may be repeating a hold already made)
     */
    Outcome<Hold> hold(SectionState section, HoldId id, BuyerId buyer, int units, Duration ttl,
                       boolean callerChosenId) {
        int bucket = section.chooseBucket(config.bucketSelection(), buyer, 1, -1);
        Lane lane = lanes.computeIfAbsent(section, s -> newLanes(s.buckets()))[bucket];
        Member me = new Member(id, buyer, units, ttl, callerChosenId, config.ticker().read());
        lane.queue.add(me);
        // Queued callers take no admission place: the lane already lets one transaction at a time reach the bucket,
        // and the lone-member path below is admitted like any single hold.
        boolean interrupted = false;
        try {
            while (!me.finished()) {
                // Cleared while queued, since a set flag makes every park return at once (a spin that starves the
                // leader), and while leading, since a leader's own interrupt must not fail the members it serves.
                interrupted |= Thread.interrupted();
                if (lane.leading.compareAndSet(false, true)) {
                    try {
                        interrupted |= lead(section, bucket, lane);
                    } finally {
                        lane.leading.set(false);
                    }
                    Member next = lane.queue.peek();
                    if (next != null) {
                        LockSupport.unpark(next.thread); // someone queued while we led: let them lead
                    }
                } else {
                    LockSupport.parkNanos(this, PARK_NANOS);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt(); // kept for the caller to see once its hold is decided
            }
        }
        if (me.failure != null) {
            throw me.failure;
        }
        return me.outcome;
    }

    private static Lane[] newLanes(int n) {
        Lane[] l = new Lane[n];
        for (int i = 0; i < n; i++) {
            l[i] = new Lane();
        }
        return l;
    }

    /** Serves whoever is queued in the lane; returns whether the leader's thread was interrupted meanwhile. */
    private boolean lead(SectionState section, int bucket, Lane lane) {
        List<Member> batch = new ArrayList<>(Math.min(64, config.maxCombinedHolds()));
        Member m;
        while (batch.size() < config.maxCombinedHolds() && (m = lane.queue.poll()) != null) {
            batch.add(m);
        }
        if (batch.isEmpty()) {
            return false;
        }
        if (batch.size() == 1) {
            // Alone: the ordinary path is cheaper than planning a batch. It runs while this thread still holds the
            // lane, so callers arriving meanwhile queue up and share the next transaction; serving it outside the
            // lane would let every later caller find the lane empty too, one at a time.
            return serveAlone(section, batch.get(0));
        }
        List<HoldRecipes.BatchMember> members = batch.stream()
                .map(b -> new HoldRecipes.BatchMember(b.id, b.buyer, b.units, b.ttl, b.mayBeDone)).toList();
        boolean interrupted = Thread.interrupted();
        listener.onCombinedHolds(batch.size());
        List<Outcome<Hold>> outcomes;
        Map<Integer, RuntimeException> failures = new HashMap<>();
        try {
            outcomes = batches.run(Operation.HOLD, null, TxMode.READ_WRITE,
                    (tx, attempt) -> HoldRecipes.holdBatch(tx, section, bucket, members, attempt, failures));
        } catch (DhamanaException e) {
            if (e.isRetryable()) {
                // Conflicts or lost connections, past the batch's own retries. Still inside the lane, so each
                // member gets its own outcome (or its own error) and callers arriving meanwhile keep queueing.
                LOG.debug("combined hold of {} failed as it may again succeed; serving its members one by one",
                        batch.size(), e);
                for (Member b : batch) {
                    interrupted |= serveAlone(section, b);
                }
                return interrupted;
            }
            failAll(batch, e);
            return interrupted;
        } catch (RuntimeException e) {
            failAll(batch, e);
            return interrupted;
        }
        List<Member> alone = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (failures.containsKey(i)) {
                fail(batch.get(i), failures.get(i));
            } else if (outcomes.get(i) == null) {
                alone.add(batch.get(i)); // needs units from several buckets: the single-hold path splits it
            } else {
                finish(batch.get(i), outcomes.get(i));
            }
        }
        for (Member b : alone) {
            interrupted |= serveAlone(section, b);
        }
        return interrupted;
    }

    /**
     * Runs one member's hold on its own (the ordinary single-hold path), hands it the result and wakes it; returns
     * whether the leader's thread had been interrupted, having cleared that so the member's backoff is not cut short.
     */
    private boolean serveAlone(SectionState section, Member m) {
        boolean interrupted = Thread.interrupted();
        try {
            m.outcome = HoldCall.run(singles, config.bucketSelection(), config.admissionPerBucket(), section, m.id,
                    Optional.empty(), m.buyer, m.units, m.ttl, m.mayBeDone);
        } catch (RuntimeException e) {
            m.failure = e;
        }
        LockSupport.unpark(m.thread);
        return interrupted;
    }

    /**
     * A combined transaction that failed for a reason a retry would meet again (a statement the database refuses, a
     * constraint, a bug): serving its members one by one would only hide it, so each member's caller sees it.
     */
    private void failAll(List<Member> batch, RuntimeException e) {
        permanentFailures.increment();
        LOG.warn("combined hold of {} failed and will not be retried one by one; each of its callers gets the"
                + " error: {}", batch.size(), e.toString());
        for (Member m : batch) {
            fail(m, e);
        }
    }

    /** Hands a member its own error, as the failure of its own call, and wakes it. */
    private void fail(Member member, RuntimeException e) {
        long latency = config.ticker().read() - member.started;
        RuntimeException failure = e;
        if (!(e instanceof KeyReusedException)) {
            // The batch's own failure names no key: the member's names its own, with what the store said.
            int attempts = e instanceof OperationFailedException o ? o.attempts() : 1;
            Throwable cause = e instanceof OperationFailedException && e.getCause() != null ? e.getCause() : e;
            failure = new OperationFailedException(Operation.HOLD, OperationKey.of(member.id.value()), attempts,
                    "hold failed in a combined transaction: " + cause.getMessage(), cause);
        }
        listener.onFailure(Operation.HOLD, failure, 1, latency);
        member.failure = failure;
        LockSupport.unpark(member.thread);
    }

    /** Combined transactions that failed for good, each failing all its members' calls. */
    long permanentFailures() {
        return permanentFailures.sum();
    }

    /** Hands a member of a combined transaction its outcome and wakes it. */
    private void finish(Member member, Outcome<Hold> outcome) {
        long latency = config.ticker().read() - member.started;
        if (outcome instanceof Outcome.Rejected<Hold> r) {
            listener.onRejected(Operation.HOLD, r.rejection(), 1, latency);
        } else {
            listener.onSuccess(Operation.HOLD, 1, latency);
        }
        member.outcome = outcome;
        LockSupport.unpark(member.thread);
    }

    @Override
    public void close() {
        lanes.clear();
    }
}

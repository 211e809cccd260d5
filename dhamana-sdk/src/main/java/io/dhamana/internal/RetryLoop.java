package io.dhamana.internal;

import io.dhamana.ConflictException;
import io.dhamana.DhamanaException;
import io.dhamana.Operation;
import io.dhamana.OperationFailedException;
import io.dhamana.OperationKey;
import io.dhamana.OperationListener;
import io.dhamana.Outcome;
import io.dhamana.RetriesExhaustedException;
import io.dhamana.RetryPolicy;
import io.dhamana.Sleeper;
import io.dhamana.StoreException;
import io.dhamana.Ticker;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Runs one call's transaction until it commits, is rejected, or fails for good. Retries conflicts (and, if the
 * policy says so, transient failures) after a jittered delay; never retries anything else.
 */
public final class RetryLoop {

    /** The body of one attempt; {@code attempt} is 1-based so a recipe can change course on a retry. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run(StoreTransaction tx, int attempt);
    }

    /** Optional per-attempt hooks around the whole transaction, commit included (used for bucket admission). */
    public interface Hooks {
        void beforeAttempt(int attempt);

        void afterAttempt(int attempt);
    }

    /** Kept with a call's failure so the caller sees the history without unbounded memory. */
    private static final int MAX_SUPPRESSED = 16;

    private final TicketStore store;
    private final RetryPolicy policy;
    private final OperationListener listener;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final Optional<RandomGenerator> fixedRandom;
    private final String storeKind;

    public RetryLoop(TicketStore store, RetryPolicy policy, OperationListener listener, Ticker ticker,
                     Sleeper sleeper, Optional<RandomGenerator> fixedRandom) {
        this.store = store;
        this.policy = policy;
        this.listener = listener;
        this.ticker = ticker;
        this.sleeper = sleeper;
        this.fixedRandom = fixedRandom;
        this.storeKind = OutcomeNames.storeKind(store);
    }

    public OperationListener listener() {
        return listener;
    }

    /** Runs a call; {@code key} may be null for reads. Records it in a flight recording when one is running. */
    public <T> T run(Operation op, OperationKey key, TxMode mode, Attempt<T> work) {
        CallEvent call = new CallEvent();
        if (!call.isEnabled()) {
            return attempts(op, key, mode, work, null);
        }
        call.begin();
        call.operation = op.label();
        call.store = storeKind;
        try {
            T result = attempts(op, key, mode, work, call);
            call.outcome = result instanceof Outcome.Rejected<?> r ? OutcomeNames.of(r.rejection())
                    : OutcomeNames.COMMITTED;
            return result;
        } catch (RuntimeException | Error e) {
            call.outcome = OutcomeNames.ofFailure(e);
            throw e;
        } finally {
            call.commit();
        }
    }

    private <T> T attempts(Operation op, OperationKey key, TxMode mode, Attempt<T> work, CallEvent call) {
        long start = ticker.read();
        long deadline = start + policy.deadline().toNanos();
        List<Throwable> earlier = null;
        long previousDelay = 0;
        for (int attempt = 1; ; attempt++) {
            listener.onAttempt(op, attempt);
            final int current = attempt;
            DhamanaException retryable;
            Hooks hooks = work instanceof Hooks h ? h : null;
            if (hooks != null) {
                hooks.beforeAttempt(attempt);
            }
            AttemptEvent recorded = call == null ? null : attemptEvent(op, call, attempt);
            try {
                T result = store.inTransaction(mode, tx -> work.run(tx, current));
                if (recorded != null) {
                    recorded.result = result instanceof Outcome.Rejected<?> r ? OutcomeNames.of(r.rejection())
                            : OutcomeNames.COMMITTED;
                }
                long latency = ticker.read() - start;
                if (result instanceof Outcome.Rejected<?> rejected) {
                    listener.onRejected(op, rejected.rejection(), attempt, latency);
                } else {
                    listener.onSuccess(op, attempt, latency);
                }
                return result;
            } catch (ConflictException e) {
                listener.onConflict(op, attempt, e);
                if (call != null) {
                    call.conflicts++;
                    recorded.result = OutcomeNames.CONFLICT;
                }
                retryable = e;
            } catch (StoreException e) {
                if (!(e.isTransient() && policy.retryTransientFailures())) {
                    throw fail(op, key, attempt, start, earlier,
                            new OperationFailedException(op, key, attempt, op.label() + " failed: " + e.getMessage(), e));
                }
                retryable = e;
            } catch (DhamanaException e) {
                // Invalid input, unknown ids, key reuse, constraint violations: final, and already typed.
                listener.onFailure(op, e, attempt, ticker.read() - start);
                throw e;
            } catch (RuntimeException | Error e) {
                listener.onFailure(op, e, attempt, ticker.read() - start);
                throw e;
            } finally {
                if (recorded != null) {
                    if (recorded.result == null) {
                        recorded.result = OutcomeNames.FAILURE; // an exception other than a conflict
                    }
                    recorded.commit();
                }
                if (hooks != null) {
                    hooks.afterAttempt(attempt);
                }
            }

            if (attempt >= policy.maxAttempts()) {
                throw fail(op, key, attempt, start, earlier, new RetriesExhaustedException(op, key, attempt,
                        "the last attempt lost: " + retryable.getMessage(), retryable));
            }
            long delay = policy.delayNanos(attempt, previousDelay, random());
            previousDelay = delay;
            if (ticker.read() + delay > deadline) {
                throw fail(op, key, attempt, start, earlier, new RetriesExhaustedException(op, key, attempt,
                        "the retry deadline of " + policy.deadline() + " passed", retryable));
            }
            if (earlier == null) {
                earlier = new ArrayList<>(4);
            }
            if (earlier.size() < MAX_SUPPRESSED) {
                earlier.add(retryable);
            }
            listener.onRetry(op, attempt + 1, delay, retryable);
            if (call != null) {
                call.retries++;
            }
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw fail(op, key, attempt, start, earlier, new OperationFailedException(op, key, attempt,
                        op.label() + " was interrupted while backing off", ie));
            }
        }
    }

    private AttemptEvent attemptEvent(Operation op, CallEvent call, int attempt) {
        call.attempts = attempt;
        AttemptEvent e = new AttemptEvent();
        e.begin();
        e.operation = call.operation;
        e.attempt = attempt;
        e.store = storeKind;
        return e;
    }

    private RuntimeException fail(Operation op, OperationKey key, int attempts, long start, List<Throwable> earlier,
                                  OperationFailedException failure) {
        if (earlier != null) {
            for (Throwable t : earlier) {
                if (t != failure.getCause()) {
                    failure.addSuppressed(t);
                }
            }
        }
        listener.onFailure(op, failure, attempts, ticker.read() - start);
        return failure;
    }

    private RandomGenerator random() {
        return fixedRandom.isPresent() ? new LockedRandom(fixedRandom.get()) : ThreadLocalRandom.current();
    }

    /** Serialises draws from a caller-supplied generator, which need not be thread-safe. */
    private record LockedRandom(RandomGenerator delegate) implements RandomGenerator {
        @Override
        public long nextLong() {
            synchronized (delegate) {
                return delegate.nextLong();
            }
        }

        @Override
        public long nextLong(long bound) {
            synchronized (delegate) {
                return delegate.nextLong(bound);
            }
        }
    }
}

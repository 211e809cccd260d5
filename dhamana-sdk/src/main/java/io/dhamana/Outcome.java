package io.dhamana;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a mutating call did: either it committed ({@link Ok}) or the store refused it for a business reason
 * ({@link Rejected}, with a typed {@link Rejection}). Faults (conflicts that outlived their retries, lost
 * connections, invalid arguments) are exceptions instead.
 *
 * <pre>{@code
 * Outcome<Hold> held = client.hold(HoldRequest.units(show, floor, fan, 2));
 * if (held instanceof Outcome.Rejected<Hold> r && r.rejection() instanceof Rejection.SoldOut) { ... }
 * Hold hold = held.value(); // or throws RejectedException
 * }</pre>
 *
 * @param <T> the committed value's type
 */
public sealed interface Outcome<T> {

    /** A committed call and what it produced. */
    record Ok<T>(T value) implements Outcome<T> {
        /** Creates the value; lists are copied, so it stays immutable.

@param value what the call produced */
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A refused call. Nothing was written. */
    record Rejected<T>(Rejection rejection) implements Outcome<T> {
        /** Creates the value; lists are copied, so it stays immutable.

@param rejection why the store refused the call */
        public Rejected {
            Objects.requireNonNull(rejection, "rejection");
        }
    }

    /**
     * A committed outcome.
     *
     * @param <T> the committed value's type
     * @param value the value
     * @return an {@link Ok} holding the value
     */
    static <T> Outcome<T> ok(T value) {
        return new Ok<>(value);
    }

    /**
     * A refused outcome.
     *
     * @param <T> the committed value's type
     * @param rejection why the store refused it
     * @return a {@link Rejected} holding the rejection
     */
    static <T> Outcome<T> rejected(Rejection rejection) {
        return new Rejected<>(rejection);
    }

    /**
     * Whether the call committed.
     *
     * @return true for {@link Ok}
     */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /**
     * The committed value.
     *
     * @return the committed value
     * @throws RejectedException carrying the rejection, if the call was refused
     */
    default T value() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw new RejectedException(((Rejected<T>) this).rejection());
    }

    /**
     * The committed value, if any.
     *
     * @return the value, or empty if the call was refused
     */
    default Optional<T> toOptional() {
        return this instanceof Ok<T> ok ? Optional.of(ok.value()) : Optional.empty();
    }

    /**
     * The rejection, if the call was refused.
     *
     * @return the rejection, or empty if the call committed
     */
    default Optional<Rejection> rejectionIfAny() {
        return this instanceof Rejected<T> r ? Optional.of(r.rejection()) : Optional.empty();
    }

    /**
     * Transforms the committed value; a rejection passes through.
     *
     * @param <R> the mapped value's type
     * @param f the function applied to a committed value
     * @return the mapped outcome; a rejection unchanged
     */
    default <R> Outcome<R> map(Function<? super T, ? extends R> f) {
        if (this instanceof Ok<T> ok) {
            return new Ok<>(f.apply(ok.value()));
        }
        return new Rejected<>(((Rejected<T>) this).rejection());
    }
}

package io.dhamana;

import io.dhamana.engine.EngineStore;
import io.dhamana.internal.Checks;
import io.dhamana.internal.DefaultTicketingClient;
import io.dhamana.spi.TicketStore;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The front door: holds, releases, confirms and refunds tickets, verifies fans, and runs escrowed resale, with every
 * rule (no oversell, one owner per seat and ticket, verified buyers only, a per-buyer cap, a resale price cap, a
 * balanced ledger) enforced by the store at commit.
 *
 * <pre>{@code
 * try (TicketingClient client = TicketingClient.builder().build()) {          // in-process engine
 *     Event show = client.createEvent(EventSpec.builder("show")
 *             .generalAdmission("floor", 500, 64, 15_000).build());
 *     client.verifyFan(show.id(), BuyerId.of("fan-1"), URI.create("https://id.example/fan-1"));
 *     Outcome<Hold> held = client.hold(HoldRequest.units(show.id(), SectionId.of("floor"), BuyerId.of("fan-1"), 2));
 *     List<Ticket> tickets = client.confirm(held.value().id()).value();
 * }
 * }</pre>
 *
 * <p><b>Outcomes.</b> Every mutating call returns an {@link Outcome}: committed, or refused with a typed
 * {@link Rejection} (sold out, seat taken, not verified, cap reached, not the owner, ask above cap, hold expired,
 * wrong state). A refused call changed nothing.
 *
 * <p><b>Retries.</b> Each call runs its transaction inside a retry loop that retries serialization conflicts only
 * (SQLSTATE 40001 / 40P01, DSQL OC000/OC001, the engine's own), with jittered exponential backoff, bounded attempts
 * and a deadline ({@link RetryPolicy}). A general-admission hold retried after a conflict moves to another bucket.
 *
 * <p><b>Idempotency.</b> Every mutating call carries a key: a hold's or listing's id (chosen by the client unless the
 * request names one), or for transitions (confirm, release, refund, buy, settle...) a key derived from the subject.
 * Repeating a call with the same key returns the outcome of the work already done instead of doing it twice, also
 * after a commit whose acknowledgement was lost. A rejected call did no work, so repeating it decides afresh.
 *
 * <p><b>Errors.</b> Invalid arguments throw {@link InvalidRequestException} before anything is written; unknown ids
 * throw {@link NotFoundException}; a key or caller-chosen id repeated for different work throws
 * {@link KeyReusedException}; exhausted retries throw {@link RetriesExhaustedException}; other store failures throw
 * {@link OperationFailedException}. None of them leaves a partial write. A call on a closed client, or on one whose
 * store was closed (by its owner, or by {@link #close} while the call was running), throws
 * {@link IllegalStateException}.
 *
 * <p>Thread-safe. Close it to stop its expiry sweeper (and its store, if it made the store).
 */
public interface TicketingClient extends AutoCloseable {

    /**
     * A builder with defaults: the in-process engine, {@link RetryPolicy#defaults()}, 10-minute holds.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * The settings this client was built with.
     *
     * @return the settings, as copied at build time
     */
    ClientConfig config();

    /**
     * What the client is doing now: callers waiting for a place on a stock bucket and hold calls not yet returned.
     * Counted in the client, without a store round trip, so it is cheap enough for every metrics scrape.
     *
     * @return the figures at this moment
     */
    ClientActivity activity();

    // ------------------------------------------------------------------ events

    /**
     * Creates an event with its sections, stock buckets and seats. Idempotent: creating the same spec again returns
     * the existing event. Large events are written in batches of at most a thousand rows per transaction; the event
     * becomes visible only once all of its sections are in place.
     *
     * @param spec the event, its sections and its caps
     * @return the event as stored
     * @throws InvalidRequestException if an event with this id exists with a different spec
     */
    Event createEvent(EventSpec spec);

    /**
     * The event, if it exists.
     *
     * @param event the event
     * @return the event, or empty if it does not exist
     */
    Optional<Event> event(EventId event);

    // ------------------------------------------------------------------ verification

    /**
     * Marks the buyer as a verified fan of the event, with a link to the evidence. Verifying again (also after a
     * revocation) replaces the evidence and keeps the units already held or owned.
     *
     * @param event the event
     * @param buyer the buyer
     * @param evidence where the proof of verification lives (an http or https URL)
     * @return the buyer's verification at the event
     * @throws NotFoundException if the event does not exist
     */
    Outcome<Verification> verifyFan(EventId event, BuyerId buyer, URI evidence);

    /**
     * Revokes the buyer's verification at the event: new holds and resale purchases are refused from the moment it
     * commits (the revocation writes the same row a hold must write). Tickets already owned stay owned. Revoking a
     * revoked buyer is a no-op.
     *
     * @param event the event
     * @param buyer the buyer
     * @return {@link Rejection.NotVerified} if the buyer was never verified
     */
    Outcome<Verification> revokeFan(EventId event, BuyerId buyer);

    /**
     * The buyer's standing at the event, if they were ever verified.
     *
     * @param event the event
     * @param buyer the buyer
     * @return the verification, or empty if the buyer was never verified there
     */
    Optional<Verification> verification(EventId event, BuyerId buyer);

    // ------------------------------------------------------------------ primary sale

    /**
     * Holds units of a general-admission section or one named seat for a verified buyer, within the per-buyer cap,
     * until the hold is confirmed, released or expires.
     *
     * @param request what to do, validated when it was built
     * @return the hold, or {@link Rejection.SoldOut}, {@link Rejection.SeatTaken}, {@link Rejection.NotVerified},
     *         {@link Rejection.CapReached}
     * @throws NotFoundException if the event, section or seat does not exist
     */
    Outcome<Hold> hold(HoldRequest request);

    /**
     * Gives a held hold back: its units or seat return to sale and the buyer's allowance is credited.
     *
     * @param hold the hold's id
     * @return the released hold (also when it was released already, by this call or by {@link #releaseHolds}), or
     *         {@link Rejection.WrongState} if it was confirmed or expired
     */
    Outcome<Hold> release(HoldId hold);

    /**
     * Pays for a hold before it expires (by the store's clock): it becomes one ticket per unit, and the price moves
     * from the buyer's account to the event's in the ledger.
     *
     * @param hold the hold's id
     * @return the tickets, or {@link Rejection.HoldExpired} or {@link Rejection.WrongState}
     */
    Outcome<List<Ticket>> confirm(HoldId hold);

    /**
     * Refunds a valid ticket: its unit or seat returns to sale, the owner's allowance is credited and the face
     * value goes back to the owner in the ledger.
     *
     * @param ticket the ticket's id
     * @return the refunded ticket (also when it was refunded already, by this call or by {@link #refundAll}), or
     *         {@link Rejection.WrongState} if it is listed or in escrow
     */
    Outcome<Ticket> refund(TicketId ticket);

    /**
     * Returns the stock of every hold whose time to live has passed (by the store's clock) in small idempotent
     * batches. Runs in the background when {@link Builder#expirySweepInterval(Duration)} is set; call it directly
     * to sweep now.
     *
     * @return how many holds this call expired; a batch that committed but whose acknowledgement was lost (and that
     *         the client then retried, with {@link RetryPolicy#retryTransientFailures()}) is done but not counted
     */
    int expireHolds();

    /**
     * Releases every held hold of the event (for example when a sale closes early), in idempotent batches of at
     * most {@value io.dhamana.Limits#BULK_BATCH} holds per transaction, so no transaction modifies more than a few
     * hundred rows (Aurora DSQL allows 3,000). Stops after a batch it could not finish (the error says why);
     * calling again resumes.
     *
     * @param event the event
     * @return how many holds this call released
     * @throws NotFoundException if the event does not exist
     */
    int releaseHolds(EventId event);

    /**
     * Refunds every valid ticket of the event (for example when it is cancelled), in idempotent batches of at most
     * {@value io.dhamana.Limits#BULK_BATCH} tickets per transaction. Listed tickets and tickets in escrow are left
     * alone: withdraw, settle or cancel those sales first, then call again.
     *
     * @param event the event
     * @return how many tickets this call refunded
     * @throws NotFoundException if the event does not exist
     */
    int refundAll(EventId event);

    // ------------------------------------------------------------------ resale

    /**
     * Lists a valid ticket for resale. The store derives the cap from the ticket's face value and the event's resale
     * cap and refuses a higher ask at commit.
     *
     * @param request what to do, validated when it was built
     * @return the listing, or {@link Rejection.AskAboveCap}, {@link Rejection.NotOwner}, {@link Rejection.WrongState}
     */
    Outcome<Listing> listForResale(ListingRequest request);

    /**
     * Takes an active listing off sale; only its seller may.
     *
     * @param listing the listing's id
     * @param seller the listing's seller, who alone may withdraw it
     * @return the withdrawn listing, or {@link Rejection.NotOwner} or {@link Rejection.WrongState}
     */
    Outcome<Listing> withdrawListing(ListingId listing, BuyerId seller);

    /**
     * A verified buyer buys an active listing: the ask moves into escrow, the ticket to the buyer (with a new entry
     * code) and the listing to {@code SOLD}, in one transaction. Counts toward the buyer's cap at once; the ticket
     * also still counts toward its seller's cap until the sale settles, so that a cancelled sale can give it back
     * to the seller without taking them over the cap.
     *
     * @param listing the listing's id
     * @param buyer the buyer
     * @return the sold listing, or {@link Rejection.NotVerified}, {@link Rejection.CapReached},
     *         {@link Rejection.WrongState}
     */
    Outcome<Listing> buyListing(ListingId listing, BuyerId buyer);

    /**
     * Pays a sold listing's escrow out to the seller, and frees the unit the sale held in the seller's cap.
     *
     * @param listing the listing's id
     * @return the settled listing, or {@link Rejection.WrongState}
     */
    Outcome<Listing> settle(ListingId listing);

    /**
     * Cancels a sold listing: the escrow returns to the buyer and the ticket (with a new code) to the seller, whose
     * cap still counted it; the buyer's cap is credited.
     *
     * @param listing the listing's id
     * @return the refunded listing, or {@link Rejection.WrongState}
     */
    Outcome<Listing> cancelSale(ListingId listing);

    // ------------------------------------------------------------------ queries (read-only snapshots)

    /**
     * Units left in a section: the sum of its buckets (general admission) or its available seats, read in its own
     * read-only transaction.
     *
     * @param event the event
     * @param section the section
     * @return units or seats on sale now
     * @throws NotFoundException if the event or section does not exist
     */
    long unitsLeft(EventId event, SectionId section);

    /**
     * The seats of a reserved-seating section with their states, in declaration order.
     *
     * @param event the event
     * @param section the section
     * @return the seats and their states
     */
    List<Seat> seats(EventId event, SectionId section);

    /**
     * Who holds or owns a named seat, counted from committed rows: the buyer of every held hold on it and the owner
     * of every live ticket for it. One entry per claim, so a double-booked seat shows every claimant.
     *
     * @param event the event
     * @param section the section
     * @param seat the named seat
     * @return one buyer per claim; empty when the seat is free
     */
    List<BuyerId> holdersOf(EventId event, SectionId section, SeatId seat);

    /**
     * The hold, if it exists.
     *
     * @param hold the hold's id
     * @return the hold, or empty
     */
    Optional<Hold> findHold(HoldId hold);

    /**
     * The ticket, if it exists.
     *
     * @param ticket the ticket's id
     * @return the ticket, or empty
     */
    Optional<Ticket> findTicket(TicketId ticket);

    /**
     * The tickets the buyer owns at the event (any state, including refunded).
     *
     * @param event the event
     * @param buyer the buyer
     * @return the tickets, in no particular order
     */
    List<Ticket> ticketsOf(EventId event, BuyerId buyer);

    /**
     * The listing, if it exists.
     *
     * @param listing the listing's id
     * @return the listing, or empty
     */
    Optional<Listing> findListing(ListingId listing);

    /**
     * Recomputes every invariant over all events from committed rows, in one snapshot.
     *
     * @return the report
     */
    AuditReport audit();

    /**
     * Recomputes every invariant of one event from committed rows, in one snapshot.
     *
     * @param event the event
     * @return the report
     */
    AuditReport audit(EventId event);

    /** Stops the expiry sweeper and, if the client created its store, closes it. Idempotent. */
    @Override
    void close();

    /**
     * Collects a client's settings. Setters validate at once; {@link #build()} copies them into an immutable
     * {@link ClientConfig}. Not thread-safe.
     */
    final class Builder {
        private TicketStore store;
        private boolean ownsStore;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Duration defaultHoldTtl = Duration.ofMinutes(10);
        private BucketSelection bucketSelection = BucketSelection.LEAST_BUSY;
        private int admissionPerBucket = 1;
        private boolean combining = false;
        private int maxCombinedHolds = 64;
        private Duration expirySweepInterval = Duration.ofSeconds(5);
        private final List<OperationListener> listeners = new ArrayList<>();
        private Ticker ticker = Ticker.system();
        private Sleeper sleeper = Sleeper.system();
        private RandomGenerator random;
        private String name = "dhamana";

        private Builder() {}

        /**
         * The store to use; by default the client creates an in-process engine and closes it on close. A store
         * passed here is not closed by the client, so several clients can share it.
         *
         * @param store the store
         * @return this builder
         */
        public Builder store(TicketStore store) {
            this.store = Checks.notNull("store", store);
            this.ownsStore = false;
            return this;
        }

        /**
         * Like {@link #store(TicketStore)}, but the client closes the store when it is closed.
         *
         * @param store the store
         * @return this builder
         */
        public Builder ownedStore(TicketStore store) {
            this.store = Checks.notNull("store", store);
            this.ownsStore = true;
            return this;
        }

        /**
         * How conflicts are retried; default {@link RetryPolicy#defaults()}.
         *
         * @param policy the retry policy
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Checks.notNull("retryPolicy", policy);
            return this;
        }

        /**
         * How long holds last when a request names no time to live; default 10 minutes.
         *
         * @param ttl how long a hold lasts unless confirmed (1 s to 24 h)
         * @return this builder
         */
        public Builder defaultHoldTtl(Duration ttl) {
            this.defaultHoldTtl = Checks.duration("defaultHoldTtl", ttl, Limits.MIN_HOLD_TTL, Limits.MAX_HOLD_TTL);
            return this;
        }

        /**
         * How a general-admission hold picks its first bucket; default {@link BucketSelection#LEAST_BUSY}.
         *
         * @param selection the strategy
         * @return this builder
         */
        public Builder bucketSelection(BucketSelection selection) {
            this.bucketSelection = Checks.notNull("bucketSelection", selection);
            return this;
        }

        /**
         * The most general-admission holds this client runs at once on one stock bucket; further callers take
         * another bucket with room, or wait in the client when every bucket is full, instead of piling onto one
         * row (a lock convoy on PostgreSQL, a conflict storm under optimistic concurrency). Default 1: a second hold
         * on a row another transaction of ours is writing can only wait for it and then, under SERIALIZABLE or
         * snapshot isolation, lose.
         *
         * @param holds the number of holds
         * @return this builder
         */
        public Builder admissionPerBucket(int holds) {
            this.admissionPerBucket = Checks.range("admissionPerBucket", holds, 1, 1_024);
            return this;
        }

        /**
         * Serves concurrent general-admission holds that target the same bucket with one transaction (each caller
         * still gets its own outcome and key); default off. It pays where a transaction is a round trip to a
         * database; on a store whose {@link TicketStore#combiningPays()} is false (the in-process engine) holds
         * still run one transaction each.
         *
         * @param enabled true to combine
         * @return this builder
         */
        public Builder combining(boolean enabled) {
            this.combining = enabled;
            return this;
        }

        /**
         * The most holds one combined transaction serves; default 64, at most 500 (DSQL's row limit).
         *
         * @param holds the number of holds
         * @return this builder
         */
        public Builder maxCombinedHolds(int holds) {
            this.maxCombinedHolds = Checks.range("maxCombinedHolds", holds, 1, 500);
            return this;
        }

        /**
         * How often a daemon thread expires lapsed holds; default 5 seconds; {@link Duration#ZERO} disables it.
         *
         * @param interval the interval, zero to one day
         * @return this builder
         */
        public Builder expirySweepInterval(Duration interval) {
            this.expirySweepInterval = Checks.duration("expirySweepInterval", interval, Duration.ZERO,
                    Duration.ofDays(1));
            return this;
        }

        /**
         * Adds an observer of every call.
         *
         * @param listener the observer; called on the calling thread, so keep it cheap
         * @return this builder
         */
        public Builder listener(OperationListener listener) {
            listeners.add(Checks.notNull("listener", listener));
            return this;
        }

        /**
         * The clock for latency and retry deadlines; default {@link System#nanoTime()}.
         *
         * @param ticker the clock
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Checks.notNull("ticker", ticker);
            return this;
        }

        /**
         * How the client waits between retries; default parking the thread.
         *
         * @param sleeper the sleeper
         * @return this builder
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Checks.notNull("sleeper", sleeper);
            return this;
        }

        /**
         * A fixed source of jitter (used under a lock, for reproducible tests); by default each thread draws from
         * its own generator.
         *
         * @param random the generator; need not be thread-safe
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Checks.notNull("random", random);
            return this;
        }

        /**
         * The client's name in logs and thread names; default {@code dhamana}.
         *
         * @param name the name: 1 to 100 characters
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Checks.text("name", name, 100);
            return this;
        }

        /**
         * Builds the client.
         *
         * @return a running client; close it when done
         */
        public TicketingClient build() {
            TicketStore s = store;
            boolean owns = ownsStore;
            if (s == null) {
                s = EngineStore.create();
                owns = true;
            }
            ClientConfig config = new ClientConfig(s, owns, retryPolicy, defaultHoldTtl, bucketSelection,
                    admissionPerBucket, combining,
                    maxCombinedHolds, expirySweepInterval, listeners, ticker, sleeper, Optional.ofNullable(random),
                    name);
            return new DefaultTicketingClient(config);
        }
    }
}

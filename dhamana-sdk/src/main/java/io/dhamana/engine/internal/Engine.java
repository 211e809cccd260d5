package io.dhamana.engine.internal;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.ListingId;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SectionId;
import io.dhamana.TicketId;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.ListingRow;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.TxMode;

import java.time.Clock;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's state: one table per entity, the commit clock, and a few append-only indexes that are filled when
 * a commit installs its rows (so they only ever point at committed rows, which readers then check against their
 * snapshot).
 */
public final class Engine {
    record SectionKey(EventId event, SectionId section) {}

    record BucketKey(EventId event, SectionId section, int bucket) {}

    record SeatKey(EventId event, SectionId section, SeatId seat) {}

    record AllowanceKey(EventId event, BuyerId buyer) {}

    record MoneyKey(OperationKey operation, int leg) {}

    /**
     * Initial table sizes when no hint is given. Not larger: a scan walks every bin of a table, so a table sized
     * for millions of rows makes each scan of a small event (audits, the naive foil's count) slow.
     */
    private static final int BIG = 1 << 10;
    private static final int SMALL = 1 << 6;

    final Table<EventId, EventRow> events;
    final Table<SectionKey, SectionRow> sections;
    final Table<BucketKey, BucketRow> buckets;
    final Table<SeatKey, SeatRow> seats;
    final Table<AllowanceKey, AllowanceRow> allowances;
    final Table<HoldId, HoldRow> holds;
    final Table<TicketId, TicketRow> tickets;
    final Table<ListingId, ListingRow> listings;
    final Table<OperationKey, OperationRow> operations;
    final Table<MoneyKey, MoneyEntry> money;

    /** Seats of a section in the order they were inserted. */
    final ConcurrentHashMap<SectionKey, Queue<SeatId>> seatOrder = new ConcurrentHashMap<>();
    /**
     * Tickets each buyer has owned at each event, appended whenever a ticket is made or changes owner; readers keep
     * those whose row, in their snapshot, names that owner.
     */
    final ConcurrentHashMap<AllowanceKey, Queue<TicketId>> ticketsByOwner = new ConcurrentHashMap<>();

    void indexOwner(EventId event, BuyerId owner, TicketId ticket) {
        ticketsByOwner.computeIfAbsent(new AllowanceKey(event, owner), k -> new ConcurrentLinkedQueue<>()).add(ticket);
    }

    /** Tickets made from each hold. */
    final ConcurrentHashMap<HoldId, List<TicketId>> ticketsOfHold = new ConcurrentHashMap<>();
    /**
     * Holds by the second they expire in, striped so concurrent holds do not all append to one queue; entries are
     * dropped once their hold is no longer held.
     */
    final ConcurrentSkipListMap<Long, ExpiryStripes> expiries = new ConcurrentSkipListMap<>();

    /** The holds expiring in one second, over a few queues. */
    static final class ExpiryStripes {
        private static final int STRIPES = 16;
        @SuppressWarnings({"unchecked", "rawtypes"})
        final Queue<HoldId>[] queues = new Queue[STRIPES];
        /** Set by a sweep once it has taken these stripes out of the index; an add that sees it indexes again. */
        volatile boolean retired;

        ExpiryStripes() {
            for (int i = 0; i < STRIPES; i++) {
                queues[i] = new ConcurrentLinkedQueue<>();
            }
        }

        void add(HoldId id) {
            queues[(int) (Thread.currentThread().getId() & (STRIPES - 1))].add(id);
        }

        boolean isEmpty() {
            for (Queue<HoldId> q : queues) {
                if (!q.isEmpty()) {
                    return false;
                }
            }
            return true;
        }
    }

    final Snapshots snapshots = new Snapshots();
    final Clock clock;
    final LongAdder commits = new LongAdder();
    final LongAdder conflicts = new LongAdder();

    public Engine(Clock clock) {
        this(clock, 0);
    }

    /**
     * @param expectedHolds how many holds the store is expected to take; the tables that grow with every hold start
     *                      that big, so a large drop does not spend its time rehashing (0: start small)
     */
    public Engine(Clock clock, long expectedHolds) {
        this.clock = clock;
        int big = (int) Math.max(BIG, Math.min(1 << 28, expectedHolds));
        events = new Table<>("event", SMALL);
        sections = new Table<>("section", SMALL);
        buckets = new Table<>("stock_bucket", SMALL);
        seats = new Table<>("seat", SMALL);
        allowances = new Table<>("allowance", SMALL);
        holds = new Table<>("hold", big);
        tickets = new Table<>("ticket", BIG);
        listings = new Table<>("listing", SMALL);
        operations = new Table<>("operation_log", big); // one log row per hold
        money = new Table<>("money_entry", BIG);
    }

    /** Starts a transaction; the caller must {@link EngineTx#close()} it. */
    public EngineTx begin(TxMode mode) {
        return new EngineTx(this, mode);
    }

    void indexExpiry(HoldRow hold) {
        long second = hold.expiresAt().getEpochSecond();
        indexExpiry(second, hold.id());
    }

    private void indexExpiry(long second, HoldId id) {
        for (;;) {
            ExpiryStripes stripes = expiries.get(second);
            if (stripes == null) {
                stripes = expiries.computeIfAbsent(second, s -> new ExpiryStripes());
            }
            stripes.add(id);
            // A sweep that retired these stripes before the add cannot have seen it: index the hold again.
            if (!stripes.retired) {
                return;
            }
        }
    }

    /**
     * Takes a stale second's empty stripes out of the index. An add that got in after the emptiness check either
     * sees the retirement and indexes again, or was added before it and is moved here; a hold may then be indexed
     * twice, which the sweep's reader tolerates.
     */
    void retireExpiry(long second, ExpiryStripes stripes) {
        if (!stripes.isEmpty() || !expiries.remove(second, stripes)) {
            return;
        }
        stripes.retired = true;
        for (Queue<HoldId> queue : stripes.queues) {
            for (HoldId id; (id = queue.poll()) != null; ) {
                indexExpiry(second, id);
            }
        }
    }

    /** Transactions committed so far. */
    public long commits() {
        return commits.sum();
    }

    /** Transactions that lost a conflict so far. */
    public long conflicts() {
        return conflicts.sum();
    }

    /** Row keys ever written, over all tables (committed or not); a rough size for diagnostics. */
    public long rowCount() {
        return (long) events.size() + sections.size() + buckets.size() + seats.size() + allowances.size()
                + holds.size() + tickets.size() + listings.size() + operations.size() + money.size();
    }
}

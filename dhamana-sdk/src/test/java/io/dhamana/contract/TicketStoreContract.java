package io.dhamana.contract;

import io.dhamana.AuditReport;
import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.HoldStatus;
import io.dhamana.KeyReusedException;
import io.dhamana.Listing;
import io.dhamana.ListingRequest;
import io.dhamana.ListingState;
import io.dhamana.NotFoundException;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.OperationListener;
import io.dhamana.OperationStats;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.RetriesExhaustedException;
import io.dhamana.RetryPolicy;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.Verification;
import io.dhamana.VerificationStatus;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.StoreDump;
import io.dhamana.testkit.Together;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every store must do. A store's test class extends this and supplies the store; every test makes its own
 * event (unique id), so stores that keep state across tests (a PostgreSQL database) need no cleanup. Outcomes are
 * always checked against committed rows through the audit, not only against what the calls returned.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TicketStoreContract {

    protected static final SectionId FLOOR = SectionId.of("floor");
    protected static final SectionId BALCONY = SectionId.of("balcony");
    protected static final long FLOOR_PRICE = 15_000;
    protected static final long SEAT_PRICE = 25_000;

    protected TicketingClient client;
    protected EventId show;

    /** The store under test, the same one for every test of the class. */
    protected abstract TicketStore store();

    /**
     * Lets {@code duration} pass on the store's clock: a store with an injectable clock advances it; a real server
     * waits.
     */
    protected abstract void passStoreTime(Duration duration);

    /**
     * {@link #passStoreTime} for a store whose clock is a server's, which cannot be moved: waits for it. A sleep, as
     * a single {@code LockSupport.parkNanos} ends at once on a leftover unpark permit (a finished task's wake-up of
     * the thread that waited for it can leave one), and a sweep after a wait cut short finds no lapsed hold.
     */
    protected static void waitForServerClock(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the server's clock", e);
        }
    }

    /** A client on the store under test, without background sweeping (tests sweep explicitly). */
    protected TicketingClient newClient(String name) {
        return TicketingClient.builder().store(store()).expirySweepInterval(Duration.ZERO).name(name).build();
    }

    @BeforeEach
    void openClientAndEvent() {
        client = newClient("contract");
        show = EventId.of("ev-" + UUID.randomUUID().toString().substring(0, 13));
        client.createEvent(EventSpec.builder(show).name("Contract show").perBuyerCap(4).resaleCapPercent(110)
                .generalAdmission("floor", 40, 8, FLOOR_PRICE)
                .reservedSeating("balcony", SeatMap.grid(2, 5), SEAT_PRICE)
                .build());
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    protected BuyerId verified(String name) {
        BuyerId b = BuyerId.of(name);
        client.verifyFan(show, b, URI.create("https://id.example/" + name)).value();
        return b;
    }

    protected AuditReport cleanAudit() {
        AuditReport audit = client.audit(show);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        return audit;
    }

    // ------------------------------------------------------------------ events

    @Test
    void createEventIsIdempotentAndRefusesADifferentSpec() {
        var again = client.createEvent(EventSpec.builder(show).name("Contract show").perBuyerCap(4)
                .resaleCapPercent(110).generalAdmission("floor", 40, 8, FLOOR_PRICE)
                .reservedSeating("balcony", SeatMap.grid(2, 5), SEAT_PRICE).build());
        assertThat(again.sections()).hasSize(2);
        assertThatThrownBy(() -> client.createEvent(EventSpec.builder(show).generalAdmission("floor", 41, 8, 1)
                .build())).isInstanceOf(io.dhamana.InvalidRequestException.class)
                .hasMessageContaining("already exists");
        assertThat(client.unitsLeft(show, FLOOR)).isEqualTo(40);
        assertThat(client.unitsLeft(show, BALCONY)).isEqualTo(10);
        assertThat(client.seats(show, BALCONY)).hasSize(10).allMatch(s -> s.state() == SeatState.AVAILABLE);
        assertThat(client.seats(show, BALCONY).get(0).id()).isEqualTo(SeatId.of("A-1"));
        AuditReport audit = cleanAudit();
        assertThat(audit.capacity()).isEqualTo(50);
        assertThat(audit.remaining()).isEqualTo(50);
    }

    @Test
    void bucketsSplitTheCapacityAndSumToUnitsLeft() {
        EventId e = EventId.of(show.value() + "-b");
        SectionId ga = SectionId.of("ga");
        client.createEvent(EventSpec.builder(e).generalAdmission("ga", 1_000, 64, 100).build());

        List<io.dhamana.spi.BucketRow> rows = store().inTransaction(TxMode.READ_ONLY, tx -> {
            List<io.dhamana.spi.BucketRow> out = new ArrayList<>();
            tx.scan(io.dhamana.spi.Table.BUCKETS, Optional.of(e), out::add);
            return out;
        });
        List<Integer> indexes = new ArrayList<>();
        for (int b = 0; b < 64; b++) {
            indexes.add(b);
        }
        assertThat(rows).as("the event's bucket rows").hasSize(64).allMatch(r -> r.section().equals(ga));
        assertThat(rows).extracting(io.dhamana.spi.BucketRow::bucket).containsExactlyInAnyOrderElementsOf(indexes);
        assertThat(rows.stream().mapToInt(io.dhamana.spi.BucketRow::remaining).sum()).isEqualTo(1_000);
        // An even split: 1,000 over 64 is 15 or 16 a bucket, never a bucket short or stuffed.
        int fewest = rows.stream().mapToInt(io.dhamana.spi.BucketRow::remaining).min().orElseThrow();
        int most = rows.stream().mapToInt(io.dhamana.spi.BucketRow::remaining).max().orElseThrow();
        assertThat(List.of(fewest, most)).containsExactly(15, 16);
        assertThat(client.unitsLeft(e, ga)).isEqualTo(1_000);
    }

    // ------------------------------------------------------------------ general admission

    @Test
    void holdConfirmRefundRoundTripKeepsEveryLedgerBalanced() {
        BuyerId fan = verified("fan-1");
        Hold hold = client.hold(HoldRequest.units(show, FLOOR, fan, 3)).value();
        assertThat(hold.status()).isEqualTo(HoldStatus.HELD);
        assertThat(hold.units()).isEqualTo(3);
        assertThat(hold.expiresAt()).isAfter(hold.createdAt());
        assertThat(client.unitsLeft(show, FLOOR)).isEqualTo(37);

        List<Ticket> tickets = client.confirm(hold.id()).value();
        assertThat(tickets).hasSize(3).allMatch(t -> t.owner().equals(fan) && t.state() == TicketState.VALID);
        assertThat(tickets.stream().map(Ticket::code).distinct()).hasSize(3);
        assertThat(client.findHold(hold.id())).get().extracting(Hold::status).isEqualTo(HoldStatus.CONFIRMED);
        assertThat(client.ticketsOf(show, fan)).hasSize(3);
        AuditReport sold = cleanAudit();
        assertThat(sold.soldUnits()).isEqualTo(3);

        Ticket refunded = client.refund(tickets.get(0).id()).value();
        assertThat(refunded.state()).isEqualTo(TicketState.REFUNDED);
        assertThat(client.unitsLeft(show, FLOOR)).isEqualTo(38);
        AuditReport after = cleanAudit();
        assertThat(after.soldUnits()).isEqualTo(2);
        assertThat(after.unitsHeldEver()).isEqualTo(3);
        assertThat(after.unitsRefunded()).isEqualTo(1);
        assertThat(client.verification(show, fan)).get().extracting(v -> v.used()).isEqualTo(2);
    }

    @Test
    void releaseReturnsStockAndAllowance() {
        BuyerId fan = verified("fan-1");
        Hold hold = client.hold(HoldRequest.units(show, FLOOR, fan, 4)).value();
        assertThat(client.release(hold.id()).value().status()).isEqualTo(HoldStatus.RELEASED);
        assertThat(client.unitsLeft(show, FLOOR)).isEqualTo(40);
        assertThat(client.verification(show, fan)).get().extracting(v -> v.used()).isEqualTo(0);
        // Released is final: releasing again repeats the same call and finds it done.
        assertThat(client.release(hold.id()).isOk()).isTrue();
        assertThat(client.confirm(hold.id()).rejectionIfAny()).get().isInstanceOf(Rejection.WrongState.class);
        AuditReport audit = cleanAudit();
        assertThat(audit.unitsReleased()).isEqualTo(4);
    }

    @Test
    void soldOutIsDeclaredOnlyWhenEveryBucketIsEmpty() {
        // 40 units over 8 buckets = 5 each. Take 4 from each bucket, leaving 1 in each: 8 left in all.
        for (int i = 0; i < 8; i++) {
            BuyerId b = verified("fan-" + i);
            client.hold(HoldRequest.units(show, FLOOR, b, 4)).value();
        }
        assertThat(client.unitsLeft(show, FLOOR)).isEqualTo(8);
        // A hold of 3 fits in no single bucket but in the section: it must be served, not called sold out.
        BuyerId big = verified("big");
        assertThat(client.hold(HoldRequest.units(show, FLOOR, big, 3)).isOk()).isTrue();
        BuyerId next = verified("next");
        assertThat(client.hold(HoldRequest.units(show, FLOOR, next, 4)).isOk()).isTrue();
        BuyerId late = verified("late");
        Outcome<Hold> refused = client.hold(HoldRequest.units(show, FLOOR, late, 2));
        assertThat(refused.rejectionIfAny()).get().isEqualTo(new Rejection.SoldOut(show, FLOOR, 2, 1));
        assertThat(client.hold(HoldRequest.units(show, FLOOR, late, 1)).isOk()).isTrue();
        assertThat(client.hold(HoldRequest.units(show, FLOOR, verified("later"), 1)).rejectionIfAny()).get()
                .isEqualTo(new Rejection.SoldOut(show, FLOOR, 1, 0));
        AuditReport audit = cleanAudit();
        assertThat(audit.sections().stream().filter(s -> s.section().equals(FLOOR)).findFirst().orElseThrow()
                .remaining()).isZero();
    }

    @Test
    void unverifiedAndRevokedBuyersAreRefusedAndWriteNothing() {
        BuyerId stranger = BuyerId.of("stranger");
        List<String> before = StoreDump.of(store());
        assertThat(client.hold(HoldRequest.units(show, FLOOR, stranger, 1)).rejectionIfAny()).get()
                .isEqualTo(new Rejection.NotVerified(show, stranger));
        assertThat(client.hold(HoldRequest.seat(show, BALCONY, SeatId.of("A-1"), stranger)).rejectionIfAny())
                .get().isInstanceOf(Rejection.NotVerified.class);
        assertThat(StoreDump.of(store())).isEqualTo(before);

        BuyerId fan = verified("fan-1");
        assertThat(client.hold(HoldRequest.units(show, FLOOR, fan, 1)).isOk()).isTrue();
        assertThat(client.revokeFan(show, fan).value().status()).isEqualTo(VerificationStatus.REVOKED);
        assertThat(client.revokeFan(show, fan).value().status()).isEqualTo(VerificationStatus.REVOKED);
        assertThat(client.hold(HoldRequest.units(show, FLOOR, fan, 1)).rejectionIfAny()).get()
                .isInstanceOf(Rejection.NotVerified.class);
        assertThat(client.revokeFan(show, BuyerId.of("never")).rejectionIfAny()).get()
                .isInstanceOf(Rejection.NotVerified.class);
        // Verified again: the unit held before revocation still counts toward the cap.
        assertThat(client.verifyFan(show, fan, URI.create("https://id.example/again")).value().used()).isEqualTo(1);
        assertThat(client.hold(HoldRequest.units(show, FLOOR, fan, 3)).isOk()).isTrue();
        cleanAudit();
    }

    @Test
    void perBuyerCapCountsHeldAndConfirmedUnits() {
        BuyerId fan = verified("fan-1");
        Hold first = client.hold(HoldRequest.units(show, FLOOR, fan, 3)).value();
        client.confirm(first.id()).value();
        assertThat(client.hold(HoldRequest.units(show, FLOOR, fan, 2)).rejectionIfAny()).get()
                .isEqualTo(new Rejection.CapReached(show, fan, 4, 3, 2));
        assertThat(client.hold(HoldRequest.seat(show, BALCONY, SeatId.of("B-5"), fan)).isOk()).isTrue();
        assertThat(client.hold(HoldRequest.units(show, FLOOR, fan, 1)).rejectionIfAny()).get()
                .isInstanceOf(Rejection.CapReached.class);
        cleanAudit();
    }

    // ------------------------------------------------------------------ reserved seating

    @Test
    void aSeatHasOneHolderAndComesBackOnRelease() {
        BuyerId a = verified("a");
        BuyerId b = verified("b");
        SeatId seat = SeatId.of("A-3");
        Hold hold = client.hold(HoldRequest.seat(show, BALCONY, seat, a)).value();
        assertThat(hold.seat()).contains(seat);
        assertThat(client.hold(HoldRequest.seat(show, BALCONY, seat, b)).rejectionIfAny()).get()
                .isEqualTo(new Rejection.SeatTaken(show, BALCONY, seat));
        client.release(hold.id()).value();
        Hold second = client.hold(HoldRequest.seat(show, BALCONY, seat, b)).value();
        List<Ticket> tickets = client.confirm(second.id()).value();
        assertThat(tickets).singleElement().satisfies(t -> assertThat(t.seat()).contains(seat));
        assertThat(client.seats(show, BALCONY)).filteredOn(s -> s.id().equals(seat))
                .singleElement().extracting(s -> s.state()).isEqualTo(SeatState.SOLD);
        client.refund(tickets.get(0).id()).value();
        assertThat(client.seats(show, BALCONY)).filteredOn(s -> s.id().equals(seat))
                .singleElement().extracting(s -> s.state()).isEqualTo(SeatState.AVAILABLE);
        cleanAudit();
    }

    @Test
    void unknownIdsAreNotFoundAndChangeNothing() {
        BuyerId fan = verified("fan-1");
        List<String> before = StoreDump.of(store());
        assertThatThrownBy(() -> client.hold(HoldRequest.units(EventId.of("no-such-event"), FLOOR, fan, 1)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("event");
        assertThatThrownBy(() -> client.hold(HoldRequest.units(show, SectionId.of("nope"), fan, 1)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("section");
        assertThatThrownBy(() -> client.hold(HoldRequest.seat(show, BALCONY, SeatId.of("Z-99"), fan)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("seat");
        HoldId ghost = HoldId.of(UUID.randomUUID());
        assertThatThrownBy(() -> client.confirm(ghost)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.release(ghost)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.refund(TicketId.of(UUID.randomUUID()))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.buyListing(io.dhamana.ListingId.of(UUID.randomUUID()), fan))
                .isInstanceOf(NotFoundException.class);
        assertThat(StoreDump.of(store())).isEqualTo(before);
    }

    // ------------------------------------------------------------------ idempotency

    @Test
    void repeatingAHoldWithTheSameIdDoesTheWorkOnce() {
        BuyerId fan = verified("fan-1");
        HoldRequest request = HoldRequest.units(show, FLOOR, fan, 2).withHoldId(HoldId.of(UUID.randomUUID()));
        Hold first = client.hold(request).value();
        Hold again = client.hold(request).value();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(client.unitsLeft(show, FLOOR)).isEqualTo(38);
        List<Ticket> tickets = client.confirm(first.id()).value();
        assertThat(client.confirm(first.id()).value()).extracting(Ticket::id)
                .containsExactlyInAnyOrderElementsOf(tickets.stream().map(Ticket::id).toList());
        BuyerId other = verified("fan-2");
        assertThatThrownBy(() -> client.hold(HoldRequest.units(show, FLOOR, other, 2).withHoldId(first.id())))
                .isInstanceOf(KeyReusedException.class);
        AuditReport audit = cleanAudit();
        assertThat(audit.unitsHeldEver()).isEqualTo(2);
        assertThat(audit.soldUnits()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void anExpiredHoldCannotBeConfirmedAndTheSweeperReturnsItsStock() {
        BuyerId fan = verified("fan-1");
        Hold hold = client.hold(HoldRequest.units(show, FLOOR, fan, 2).withTtl(Duration.ofSeconds(1))).value();
        Hold seat = client.hold(HoldRequest.seat(show, BALCONY, SeatId.of("A-1"), fan)
                .withTtl(Duration.ofSeconds(1))).value();
        passStoreTime(Duration.ofMillis(1_500));
        // Refused by the store's clock before any sweep ran.
        assertThat(client.confirm(hold.id()).rejectionIfAny()).get().isInstanceOf(Rejection.HoldExpired.class);
        assertThat(client.unitsLeft(show, FLOOR)).isEqualTo(38);
        assertThat(client.expireHolds()).isGreaterThanOrEqualTo(2);
        assertThat(client.findHold(hold.id())).get().extracting(Hold::status).isEqualTo(HoldStatus.EXPIRED);
        assertThat(client.findHold(seat.id())).get().extracting(Hold::status).isEqualTo(HoldStatus.EXPIRED);
        assertThat(client.unitsLeft(show, FLOOR)).isEqualTo(40);
        assertThat(client.unitsLeft(show, BALCONY)).isEqualTo(10);
        assertThat(client.verification(show, fan)).get().extracting(v -> v.used()).isEqualTo(0);
        AuditReport audit = cleanAudit();
        assertThat(audit.unitsReleased()).isEqualTo(3);
    }

    /**
     * Confirms race expiry: holds whose times to live lapse one after another while confirms arrive in step with
     * the store's clock and two sweepers (on two clients) expire holds in a loop. A confirm judged before the hold
     * lapsed wins; one judged after is refused even if no sweeper has reached the hold yet; a confirm and a sweep
     * that overlap write the same hold row, so one of them loses and retries. Counted from committed rows, every
     * hold ends confirmed (with its tickets, its payment and no expiry) or expired (with its stock and allowance
     * back and no tickets), never both and never neither, and what each caller was told agrees with the rows.
     */
    @Test
    void confirmsRacingExpiryLeaveExactlyOneWinnerPerHold() throws Exception {
        EventId race = EventId.of(show.value() + "-race");
        SectionId ga = SectionId.of("ga");
        SectionId seats = SectionId.of("seats");
        int steps = 32;
        Duration step = Duration.ofMillis(100);
        client.createEvent(EventSpec.builder(race).perBuyerCap(2).generalAdmission("ga", 120, 8, 1_000)
                .reservedSeating("seats", SeatMap.grid(2, 6), 2_000).build());
        int n = 60;
        List<BuyerId> buyers = new ArrayList<>();
        List<HoldRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BuyerId b = BuyerId.of("racer-" + i);
            client.verifyFan(race, b, URI.create("https://id.example/racer/" + i)).value();
            buyers.add(b);
            // Lapses spread from 1.0 s to 2.9 s, so holds keep expiring while the confirms go on.
            Duration ttl = Duration.ofSeconds(1).plusMillis(100L * (i % 20));
            HoldRequest r = i < 12
                    ? HoldRequest.seat(race, seats, SeatId.of(SeatMap.rowName(i / 6) + "-" + (i % 6 + 1)), b)
                    : HoldRequest.units(race, ga, b, 1 + i % 2);
            requests.add(r.withTtl(ttl).withHoldId(HoldId.of(UUID.randomUUID())));
        }
        List<Callable<Void>> holdCalls = new ArrayList<>();
        for (HoldRequest r : requests) {
            holdCalls.add(() -> {
                client.hold(r).value();
                return null;
            });
        }
        Together.run(holdCalls, 8);
        List<HoldId> holds = requests.stream().map(r -> r.holdId().orElseThrow()).toList();
        List<HoldId> confirmOrder = new ArrayList<>(holds);
        Collections.shuffle(confirmOrder, new Random(7));

        // The store's clock moves one step after every two confirms have been decided, and the j-th confirm waits
        // for step j * steps / n: confirms and lapses interleave on every store, whatever its speed.
        AtomicInteger stepsTaken = new AtomicInteger();
        AtomicInteger decided = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sweptBySweepers = new AtomicInteger();
        Map<HoldId, String> told = new ConcurrentHashMap<>();
        Object progress = new Object();
        OperationStats stats = new OperationStats();
        try (TicketingClient east = patientClient("east", stats); TicketingClient west = patientClient("west", stats)) {
            List<Callable<Void>> calls = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                TicketingClient region = w % 2 == 0 ? east : west;
                calls.add(() -> {
                    for (int j = next.getAndIncrement(); j < n; j = next.getAndIncrement()) {
                        int due = j * steps / n;
                        synchronized (progress) {
                            while (stepsTaken.get() < due) {
                                progress.wait();
                            }
                        }
                        HoldId h = confirmOrder.get(j);
                        try {
                            Outcome<List<Ticket>> o = region.confirm(h);
                            told.put(h, o.isOk() ? "confirmed"
                                    : o.rejectionIfAny().orElseThrow() instanceof Rejection.HoldExpired
                                    ? "refused-lapsed" : "refused-" + o.rejectionIfAny().orElseThrow().code());
                        } catch (RetriesExhaustedException e) {
                            told.put(h, "gave-up"); // only conflicts were retried: nothing of it committed
                        }
                        synchronized (progress) {
                            decided.incrementAndGet();
                            progress.notifyAll();
                        }
                    }
                    return null;
                });
            }
            for (TicketingClient sweeper : List.of(east, west)) {
                calls.add(() -> {
                    while (!stop.get()) {
                        try {
                            sweptBySweepers.addAndGet(sweeper.expireHolds());
                        } catch (RetriesExhaustedException e) {
                            // a sweep that lost every attempt committed nothing; the next one takes over
                        }
                        Thread.yield();
                    }
                    return null;
                });
            }
            calls.add(() -> {
                try {
                    for (int s = 1; s <= steps; s++) {
                        int wanted = Math.min(n, (s - 1) * n / steps + 1);
                        synchronized (progress) {
                            while (decided.get() < wanted) {
                                progress.wait();
                            }
                        }
                        passStoreTime(step);
                        synchronized (progress) {
                            stepsTaken.incrementAndGet();
                            progress.notifyAll();
                        }
                    }
                    synchronized (progress) {
                        while (decided.get() < n) {
                            progress.wait();
                        }
                    }
                } finally {
                    stop.set(true);
                }
                return null;
            });
            Together.run(calls, calls.size());
        }
        // Every hold has lapsed by now (3.2 s passed, the longest lived 2.9 s): one last sweep takes what is left.
        while (client.expireHolds() > 0) {
            // keep sweeping until a pass finds nothing
        }

        record Verdict(HoldStatus status, int units, int tickets, long confirms, long expiries, long paidMinor) {}
        Map<HoldId, Verdict> rows = store().inTransaction(TxMode.READ_ONLY, tx -> {
            Map<String, long[]> ops = new HashMap<>(); // subject -> {confirms, expiries}
            tx.scan(io.dhamana.spi.Table.OPERATIONS, Optional.of(race), op -> {
                long[] c = ops.computeIfAbsent(op.subject(), k -> new long[2]);
                if (op.operation() == Operation.CONFIRM) {
                    c[0]++;
                } else if (op.operation() == Operation.EXPIRE_HOLDS) {
                    c[1]++;
                }
            });
            Map<String, Long> paid = new HashMap<>();
            Map<OperationKey, String> confirmSubjects = new HashMap<>();
            tx.scan(io.dhamana.spi.Table.OPERATIONS, Optional.of(race), op -> {
                if (op.operation() == Operation.CONFIRM) {
                    confirmSubjects.put(op.key(), op.subject());
                }
            });
            tx.scan(io.dhamana.spi.Table.MONEY, Optional.of(race), m -> {
                String subject = confirmSubjects.get(m.operation());
                if (subject != null && m.amountMinor() > 0) {
                    paid.merge(subject, m.amountMinor(), Long::sum);
                }
            });
            Map<HoldId, Verdict> out = new HashMap<>();
            for (HoldId h : holds) {
                var row = io.dhamana.testkit.Reading.read(tx, r -> r.hold(h)).orElseThrow();
                long[] c = ops.getOrDefault(h.toString(), new long[2]);
                out.put(h, new Verdict(row.status(), row.units(),
                        io.dhamana.testkit.Reading.read(tx, r -> r.ticketsOfHold(h)).size(), c[0], c[1],
                        paid.getOrDefault(h.toString(), 0L)));
            }
            return out;
        });
        long confirmed = 0;
        long expired = 0;
        long confirmedUnits = 0;
        long expiredUnits = 0;
        for (HoldRequest r : requests) {
            HoldId h = r.holdId().orElseThrow();
            Verdict v = rows.get(h);
            long price = r.seat().isPresent() ? 2_000 : 1_000;
            if (v.status() == HoldStatus.CONFIRMED) {
                confirmed++;
                confirmedUnits += v.units();
                assertThat(v).as("confirmed hold %s", h)
                        .isEqualTo(new Verdict(HoldStatus.CONFIRMED, v.units(), v.units(), 1, 0, price * v.units()));
                assertThat(told.get(h)).as("what the confirm of %s was told", h).isEqualTo("confirmed");
            } else {
                expired++;
                expiredUnits += v.units();
                assertThat(v).as("expired hold %s", h)
                        .isEqualTo(new Verdict(HoldStatus.EXPIRED, v.units(), 0, 0, 1, 0));
                assertThat(told.get(h)).as("what the confirm of %s was told", h)
                        .isIn("refused-lapsed", "refused-WRONG_STATE", "gave-up");
            }
        }
        System.out.printf("[expiry race] %s: %d holds, %d confirmed, %d expired (%d by the racing sweepers);"
                        + " confirms refused as lapsed before a sweep reached them %d, after %d; conflicts lost by"
                        + " confirms %d, by sweeps %d%n", store().description(), n, confirmed, expired,
                sweptBySweepers.get(), told.values().stream().filter("refused-lapsed"::equals).count(),
                told.values().stream().filter("refused-WRONG_STATE"::equals).count(),
                stats.snapshot(Operation.CONFIRM).conflicts(), stats.snapshot(Operation.EXPIRE_HOLDS).conflicts());
        assertThat(confirmed + expired).isEqualTo(n);
        assertThat(expired).as("holds confirmed after every lapse").isPositive();
        for (BuyerId b : buyers) {
            assertThat(client.verification(race, b).orElseThrow().used()).isLessThanOrEqualTo(2);
        }
        AuditReport audit = client.audit(race);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.heldUnits()).isZero();
        assertThat(audit.soldUnits()).isEqualTo(confirmedUnits);
        assertThat(audit.unitsReleased()).isEqualTo(expiredUnits);
        assertThat(audit.remaining()).isEqualTo(audit.capacity() - confirmedUnits);
    }

    /**
     * The sweeper returns lapsed holds in small batches (a hundred per transaction) and never twice: three sweepers on
     * two clients sweep 230 lapsed holds at once, the sum of what they report equals what the log shows, every hold
     * is expired exactly once, and its stock and allowance are back.
     */
    @Test
    void concurrentSweepersExpireEachLapsedHoldOnceInBatches() throws Exception {
        EventId lapse = EventId.of(show.value() + "-lapse");
        SectionId ga = SectionId.of("ga");
        int holds = 230;
        client.createEvent(EventSpec.builder(lapse).perBuyerCap(10).generalAdmission("ga", holds, 16, 100).build());
        List<Callable<Void>> calls = new ArrayList<>();
        for (int b = 0; b < holds / 10; b++) {
            BuyerId buyer = BuyerId.of("lapsing-" + b);
            client.verifyFan(lapse, buyer, URI.create("https://id.example/lapsing/" + b)).value();
            calls.add(() -> {
                for (int i = 0; i < 10; i++) {
                    client.hold(HoldRequest.units(lapse, ga, buyer, 1).withTtl(Duration.ofSeconds(1))).value();
                }
                return null;
            });
        }
        Together.run(calls, 8);
        assertThat(client.unitsLeft(lapse, ga)).isZero();
        passStoreTime(Duration.ofMillis(1_500));

        OperationStats stats = new OperationStats();
        AtomicInteger reported = new AtomicInteger();
        try (TicketingClient east = patientClient("east", stats); TicketingClient west = patientClient("west", stats)) {
            List<Callable<Void>> sweeps = new ArrayList<>();
            for (TicketingClient sweeper : List.of(east, west, east)) {
                sweeps.add(() -> {
                    for (int n = sweeper.expireHolds(); n > 0; n = sweeper.expireHolds()) {
                        reported.addAndGet(n);
                    }
                    return null;
                });
            }
            Together.run(sweeps, 3);
        }
        long expiries = store().inTransaction(TxMode.READ_ONLY, tx -> {
            long[] n = new long[1];
            tx.scan(io.dhamana.spi.Table.OPERATIONS, Optional.of(lapse), op -> n[0] += op.operation() == Operation.EXPIRE_HOLDS ? 1 : 0);
            return n[0];
        });
        long expired = store().inTransaction(TxMode.READ_ONLY, tx -> {
            long[] n = new long[1];
            tx.scan(io.dhamana.spi.Table.HOLDS, Optional.of(lapse), h -> n[0] += h.status() == HoldStatus.EXPIRED ? 1 : 0);
            return n[0];
        });
        assertThat(expired).isEqualTo(holds);
        assertThat(expiries).isEqualTo(holds);
        // Other tests' lapsed holds in the same store may be swept too, never fewer than these.
        assertThat(reported.get()).isGreaterThanOrEqualTo(holds);
        assertThat(stats.snapshot(Operation.EXPIRE_HOLDS).successes()).as("committed sweep batches")
                .isGreaterThanOrEqualTo((holds + 99) / 100);
        assertThat(client.unitsLeft(lapse, ga)).isEqualTo(holds);
        AuditReport audit = client.audit(lapse);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.unitsReleased()).isEqualTo(holds);
        assertThat(audit.heldUnits()).isZero();
    }

    /** A client that retries conflicts for as long as a busy store may need, without background sweeping. */
    protected TicketingClient patientClient(String name, OperationListener listener) {
        return TicketingClient.builder().store(store()).expirySweepInterval(Duration.ZERO).name(name).listener(listener)
                .retryPolicy(RetryPolicy.builder().maxAttempts(10_000)
                        .backoff(Duration.ofMillis(1), Duration.ofMillis(50)).deadline(Duration.ofMinutes(2)).build())
                .build();
    }

    // ------------------------------------------------------------------ bulk operations

    @Test
    void bulkReleaseAndRefundsTouchEveryHoldAndTicketOnceInBatches() {
        EventId big = EventId.of(show.value() + "-bulk");
        client.createEvent(EventSpec.builder(big).perBuyerCap(2).generalAdmission("ga", 400, 8, 1_000)
                .reservedSeating("seats", SeatMap.grid(1, 10), 2_000).build());
        SectionId ga = SectionId.of("ga");
        List<Hold> holds = new ArrayList<>();
        for (int i = 0; i < 260; i++) {
            BuyerId b = BuyerId.of("bulk-" + i);
            client.verifyFan(big, b, URI.create("https://id.example/bulk/" + i)).value();
            holds.add(i < 5
                    ? client.hold(HoldRequest.seat(big, SectionId.of("seats"), SeatId.of("A-" + (i + 1)), b)).value()
                    : client.hold(HoldRequest.units(big, ga, b, 1)).value());
        }
        List<Ticket> sold = new ArrayList<>();
        for (int i = 0; i < 140; i++) {
            sold.addAll(client.confirm(holds.get(i).id()).value());
        }
        // One ticket on resale is left alone by the bulk refund.
        Listing listed = client.listForResale(ListingRequest.of(sold.get(139).id(), sold.get(139).owner(), 500))
                .value();

        assertThat(client.releaseHolds(big)).isEqualTo(120);
        assertThat(client.releaseHolds(big)).isZero();
        assertThat(client.refundAll(big)).isEqualTo(139);
        assertThat(client.refundAll(big)).isZero();

        assertThat(client.unitsLeft(big, ga)).isEqualTo(400 - 1);
        assertThat(client.unitsLeft(big, SectionId.of("seats"))).isEqualTo(10);
        assertThat(client.findTicket(sold.get(0).id())).get().extracting(Ticket::state)
                .isEqualTo(TicketState.REFUNDED);
        assertThat(client.findTicket(listed.ticket())).get().extracting(Ticket::state)
                .isEqualTo(TicketState.LISTED);
        assertThat(client.findHold(holds.get(259).id())).get().extracting(Hold::status)
                .isEqualTo(HoldStatus.RELEASED);
        AuditReport audit = client.audit(big);
        assertThat(audit.isClean()).as(audit.summary()).isTrue();
        assertThat(audit.unitsReleased()).isEqualTo(120);
        assertThat(audit.unitsRefunded()).isEqualTo(139);
        assertThat(audit.soldUnits()).isEqualTo(1);
        assertThat(audit.heldUnits()).isZero();
    }

    // ------------------------------------------------------------------ resale

    @Test
    void resaleMovesMoneyIntoEscrowAndOwnershipInOneTransaction() {
        BuyerId seller = verified("seller");
        BuyerId buyer = verified("buyer");
        Ticket ticket = client.confirm(client.hold(HoldRequest.seat(show, BALCONY, SeatId.of("A-2"), seller))
                .value().id()).value().get(0);
        long cap = SEAT_PRICE * 110 / 100;

        Outcome<Listing> tooHigh = client.listForResale(ListingRequest.of(ticket.id(), seller, cap + 1));
        assertThat(tooHigh.rejectionIfAny()).get()
                .isEqualTo(new Rejection.AskAboveCap(ticket.id(), cap + 1, cap));
        assertThat(client.listForResale(ListingRequest.of(ticket.id(), buyer, cap)).rejectionIfAny()).get()
                .isEqualTo(new Rejection.NotOwner(ticket.id(), buyer));

        Listing listing = client.listForResale(ListingRequest.of(ticket.id(), seller, cap)).value();
        assertThat(listing.capMinor()).isEqualTo(cap);
        assertThat(client.findTicket(ticket.id())).get().extracting(Ticket::state).isEqualTo(TicketState.LISTED);
        assertThat(client.refund(ticket.id()).rejectionIfAny()).get().isInstanceOf(Rejection.WrongState.class);
        assertThat(client.buyListing(listing.id(), seller).rejectionIfAny()).get()
                .isInstanceOf(Rejection.WrongState.class);
        assertThat(client.buyListing(listing.id(), BuyerId.of("unverified")).rejectionIfAny()).get()
                .isInstanceOf(Rejection.NotVerified.class);

        Listing sold = client.buyListing(listing.id(), buyer).value();
        assertThat(sold.state()).isEqualTo(ListingState.SOLD);
        Ticket moved = client.findTicket(ticket.id()).orElseThrow();
        assertThat(moved.owner()).isEqualTo(buyer);
        assertThat(moved.state()).isEqualTo(TicketState.IN_ESCROW);
        assertThat(moved.code()).isNotEqualTo(ticket.code());
        cleanAudit();

        assertThat(client.settle(listing.id()).value().state()).isEqualTo(ListingState.SETTLED);
        assertThat(client.findTicket(ticket.id())).get().extracting(Ticket::state).isEqualTo(TicketState.VALID);
        assertThat(client.verification(show, seller)).get().extracting(v -> v.used()).isEqualTo(0);
        assertThat(client.verification(show, buyer)).get().extracting(v -> v.used()).isEqualTo(1);
        assertThat(client.settle(listing.id()).isOk()).isTrue(); // the same call again: already done
        cleanAudit();
    }

    @Test
    void aCancelledSaleReturnsTheMoneyAndTheTicket() {
        BuyerId seller = verified("seller");
        BuyerId buyer = verified("buyer");
        Ticket ticket = client.confirm(client.hold(HoldRequest.units(show, FLOOR, seller, 1)).value().id())
                .value().get(0);
        Listing listing = client.listForResale(ListingRequest.of(ticket.id(), seller, FLOOR_PRICE)).value();
        client.buyListing(listing.id(), buyer).value();
        assertThat(client.cancelSale(listing.id()).value().state()).isEqualTo(ListingState.REFUNDED);
        Ticket back = client.findTicket(ticket.id()).orElseThrow();
        assertThat(back.owner()).isEqualTo(seller);
        assertThat(back.state()).isEqualTo(TicketState.VALID);
        assertThat(client.verification(show, buyer)).get().extracting(v -> v.used()).isEqualTo(0);

        Listing again = client.listForResale(ListingRequest.of(ticket.id(), seller, FLOOR_PRICE - 1)).value();
        assertThat(client.withdrawListing(again.id(), buyer).rejectionIfAny()).get()
                .isInstanceOf(Rejection.NotOwner.class);
        assertThat(client.withdrawListing(again.id(), seller).value().state()).isEqualTo(ListingState.WITHDRAWN);
        assertThat(client.findTicket(ticket.id())).get().extracting(Ticket::state).isEqualTo(TicketState.VALID);
        cleanAudit();
    }

    /**
     * A ticket sold on resale counts against its seller's cap until the sale settles, and against its buyer's from
     * the purchase: a cancelled sale gives it back to a seller whose allowance still holds it.
     */
    @Test
    void aTicketInEscrowCountsForSellerAndBuyerUntilTheSaleSettles() {
        BuyerId seller = verified("seller");
        BuyerId buyer = verified("buyer");
        List<Ticket> tickets = client.confirm(client.hold(HoldRequest.units(show, FLOOR, seller, 4)).value().id())
                .value();
        Listing first = client.listForResale(ListingRequest.of(tickets.get(0).id(), seller, FLOOR_PRICE)).value();
        client.buyListing(first.id(), buyer).value();
        assertThat(client.verification(show, seller)).get().extracting(Verification::used).isEqualTo(4);
        assertThat(client.verification(show, buyer)).get().extracting(Verification::used).isEqualTo(1);
        assertThat(client.hold(HoldRequest.units(show, FLOOR, seller, 1)).rejectionIfAny()).get()
                .isEqualTo(new Rejection.CapReached(show, seller, 4, 4, 1));
        cleanAudit();

        client.cancelSale(first.id()).value();
        assertThat(client.findTicket(tickets.get(0).id())).get().extracting(Ticket::owner).isEqualTo(seller);
        assertThat(client.verification(show, seller)).get().extracting(Verification::used).isEqualTo(4);
        assertThat(client.verification(show, buyer)).get().extracting(Verification::used).isEqualTo(0);
        cleanAudit();

        Listing second = client.listForResale(ListingRequest.of(tickets.get(0).id(), seller, FLOOR_PRICE)).value();
        client.buyListing(second.id(), buyer).value();
        client.settle(second.id()).value();
        assertThat(client.verification(show, seller)).get().extracting(Verification::used).isEqualTo(3);
        assertThat(client.verification(show, buyer)).get().extracting(Verification::used).isEqualTo(1);
        assertThat(client.hold(HoldRequest.units(show, FLOOR, seller, 1)).isOk()).isTrue();
        cleanAudit();
    }

    // ------------------------------------------------------------------ scans

    @Test
    void scanEventsReadsEveryEventRowWithItsSettings() {
        EventId first = EventId.of(show.value() + "-scan-1");
        EventId second = EventId.of(show.value() + "-scan-2");
        client.createEvent(EventSpec.builder(first).name("Scan one").perBuyerCap(2).resaleCapPercent(100)
                .generalAdmission("ga", 10, 2, 1_000).build());
        client.createEvent(EventSpec.builder(second).name("Scan two").perBuyerCap(6).resaleCapBps(12_345)
                .generalAdmission("ga", 10, 2, 1_000).build());
        List<EventRow> rows = store().inTransaction(TxMode.READ_ONLY, tx -> {
            List<EventRow> out = new ArrayList<>();
            tx.scan(io.dhamana.spi.Table.EVENTS, java.util.Optional.empty(), r -> {
                if (r.id().value().startsWith(show.value() + "-scan-")) {
                    out.add(r);
                }
            });
            return out;
        });
        assertThat(rows).containsExactlyInAnyOrder(new EventRow(first, "Scan one", 2, 10_000),
                new EventRow(second, "Scan two", 6, 12_345));
        List<EventRow> all = store().inTransaction(TxMode.READ_ONLY, tx -> {
            List<EventRow> out = new ArrayList<>();
            tx.scan(io.dhamana.spi.Table.EVENTS, java.util.Optional.empty(), out::add);
            return out;
        });
        assertThat(all).contains(new EventRow(show, "Contract show", 4, 11_000))
                .doesNotHaveDuplicates();
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void aThousandBuyersOnFortyUnitsFromTwoClientsSellExactlyForty() throws Exception {
        int buyers = 1_000;
        List<BuyerId> fans = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            fans.add(verified("crowd-" + i));
        }
        AtomicInteger held = new AtomicInteger();
        try (TicketingClient east = newClient("east"); TicketingClient west = newClient("west")) {
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < buyers; i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId b = fans.get(i);
                calls.add(() -> {
                    Outcome<Hold> o = region.hold(HoldRequest.units(show, FLOOR, b, 1));
                    if (o.isOk()) {
                        held.incrementAndGet();
                    } else {
                        assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.SoldOut.class);
                    }
                    return null;
                });
            }
            Together.run(calls, 32);
        }
        assertThat(held.get()).isEqualTo(40);
        assertThat(client.unitsLeft(show, FLOOR)).isZero();
        AuditReport audit = cleanAudit();
        assertThat(audit.heldUnits()).isEqualTo(40);
        assertThat(audit.oversoldUnits()).isZero();
    }

    @Test
    void twoBuyersRacingForOneListingLeaveOneSale() throws Exception {
        BuyerId seller = verified("seller");
        Ticket ticket = client.confirm(client.hold(HoldRequest.units(show, FLOOR, seller, 1)).value().id())
                .value().get(0);
        Listing listing = client.listForResale(ListingRequest.of(ticket.id(), seller, FLOOR_PRICE)).value();
        List<BuyerId> buyers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            buyers.add(verified("resale-" + i));
        }
        AtomicInteger bought = new AtomicInteger();
        try (TicketingClient east = newClient("east"); TicketingClient west = newClient("west")) {
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < buyers.size(); i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId b = buyers.get(i);
                calls.add(() -> {
                    if (region.buyListing(listing.id(), b).isOk()) {
                        bought.incrementAndGet();
                    }
                    return null;
                });
            }
            Together.run(calls, 20);
        }
        assertThat(bought.get()).isEqualTo(1);
        AuditReport audit = cleanAudit();
        assertThat(audit.doubleSoldTickets()).isZero();
    }
}

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
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SeatMap;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.VerificationStatus;
import io.dhamana.spi.TicketStore;
import io.dhamana.testkit.StoreDump;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
        client.createEvent(EventSpec.builder(e).generalAdmission("ga", 1_000, 64, 100).build());
        assertThat(client.unitsLeft(e, SectionId.of("ga"))).isEqualTo(1_000);
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

    // ------------------------------------------------------------------ concurrency

    @Test
    void sixtyBuyersOnOneSeatFromTwoClientsLeaveExactlyOneOwner() throws Exception {
        SeatId seat = SeatId.of("B-2");
        List<BuyerId> buyers = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            buyers.add(verified("rush-" + i));
        }
        try (TicketingClient east = newClient("east"); TicketingClient west = newClient("west")) {
            Set<BuyerId> winners = ConcurrentHashMap.newKeySet();
            List<Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < buyers.size(); i++) {
                TicketingClient region = i % 2 == 0 ? east : west;
                BuyerId b = buyers.get(i);
                calls.add(() -> {
                    Outcome<Hold> o = region.hold(HoldRequest.seat(show, BALCONY, seat, b));
                    if (o.isOk()) {
                        region.confirm(o.value().id()).value();
                        winners.add(b);
                    } else {
                        assertThat(o.rejectionIfAny()).get().isInstanceOf(Rejection.SeatTaken.class);
                    }
                    return null;
                });
            }
            runTogether(calls, 60);
            assertThat(winners).hasSize(1);
        }
        AuditReport audit = cleanAudit();
        assertThat(audit.contestedSeats()).isEmpty();
        assertThat(audit.soldUnits()).isEqualTo(1);
    }

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
            runTogether(calls, 32);
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
            runTogether(calls, 20);
        }
        assertThat(bought.get()).isEqualTo(1);
        AuditReport audit = cleanAudit();
        assertThat(audit.doubleSoldTickets()).isZero();
    }

    /** Runs the calls on {@code threads} threads, released together, and rethrows the first failure. */
    protected static void runTogether(List<Callable<Void>> calls, int threads) throws Exception {
        io.dhamana.testkit.Together.run(calls, threads);
    }
}

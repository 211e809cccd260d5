package io.dhamana.reliability;

import io.dhamana.BuyerId;
import io.dhamana.Event;
import io.dhamana.EventId;
import io.dhamana.EventSpec;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.HoldStatus;
import io.dhamana.Limits;
import io.dhamana.Listing;
import io.dhamana.ListingId;
import io.dhamana.ListingRequest;
import io.dhamana.ListingState;
import io.dhamana.Operation;
import io.dhamana.OperationKey;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;
import io.dhamana.SectionKind;
import io.dhamana.Ticket;
import io.dhamana.TicketId;
import io.dhamana.TicketState;
import io.dhamana.TicketingClient;
import io.dhamana.VerificationStatus;
import io.dhamana.postgres.PostgresIsolation;
import io.dhamana.postgres.PostgresStore;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.BucketRow;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.Expiry;
import io.dhamana.spi.MoneyEntry;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.Reads;
import io.dhamana.spi.Table;
import io.dhamana.spi.Writes;
import io.dhamana.spi.OperationRow;
import io.dhamana.spi.SeatRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TicketRow;
import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;
import io.dhamana.testkit.PostgresServer;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import io.dhamana.jdbc.internal.OpeningDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Caller input never reaches SQL as text, and whatever text a caller may store comes back exactly as it went in.
 * <ul>
 *   <li><b>Every statement is fixed text.</b> A data source records every SQL string the PostgreSQL store hands to
 *       the driver (prepared statements, plain statements, the installer's DDL) while the whole lifecycle runs twice,
 *       through the client and through every method of the store contract, each time in another schema and with
 *       other caller values: distinctive ids, names, evidence URLs, prices, keys and free text. No recorded statement
 *       contains any caller value, and once the schema name is masked the two runs sent exactly the same set of
 *       statements: the text is a function of the validated schema identifier alone.
 *   <li><b>Hostile text round-trips.</b> Quotes, {@code '; DROP TABLE}, backslashes, dollar quotes, comment markers,
 *       placeholders, right-to-left and combining marks, emoji, and values at their maximum lengths go through every
 *       free-text and id field (event names, evidence URLs, ids; through the store contract also log subjects and
 *       actors, ledger accounts and entry codes) and read back unchanged from PostgreSQL, through a client whose
 *       caches are cold.
 * </ul>
 */
class PostgresInputSafetyTest {

    // ------------------------------------------------------------------ fixed statement text

    @Test
    void everyStatementIsFixedTextWithCallerValuesOnlyAsParameters() throws Exception {
        Run a = exercise("sql_text_a", "cnryaa", 9_131_313L, 7_313_131L);
        Run b = exercise("sql_text_b", "cnrybb", 9_242_424L, 7_424_242L);
        for (Run run : List.of(a, b)) {
            for (String sql : run.statements()) {
                for (String canary : run.canaries()) {
                    assertThat(sql).as("a statement of %s", run.schema()).doesNotContainIgnoringCase(canary);
                }
            }
            assertThat(run.spiMethodsCalled()).as("store contract methods exercised")
                    .containsAll(java.util.stream.Stream.of(StoreTransaction.class, Reads.class, Writes.class)
                            .flatMap(c -> Arrays.stream(c.getMethods())).filter(m -> !m.isDefault()
                                    && !java.lang.reflect.Modifier.isStatic(m.getModifiers()))
                            .map(Method::getName).toList());
        }
        Set<String> textA = masked(a);
        Set<String> textB = masked(b);
        System.out.printf("[sql] %d distinct statements in %s and %d in %s, the same once the schema is masked: %s%n",
                a.statements().size(), a.schema(), b.statements().size(), b.schema(), textA.equals(textB));
        assertThat(textA).isEqualTo(textB);
        assertThat(textA).allSatisfy(sql -> assertThat(sql).doesNotContain("sql_text"));
    }

    private record Run(String schema, Set<String> statements, List<String> canaries, Set<String> spiMethodsCalled) {}

    private static Set<String> masked(Run run) {
        return run.statements().stream().map(s -> s.replace(run.schema(), "{schema}"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The whole lifecycle on a fresh schema, with caller values made of {@code tag} and the given numbers. */
    private static Run exercise(String schema, String tag, long face, long ask) throws Exception {
        PostgresServer.freshSchema(schema);
        RecordingDataSource recording = new RecordingDataSource();
        List<String> canaries = new ArrayList<>(List.of(tag, Long.toString(face), Long.toString(ask)));
        Set<String> methods = ConcurrentHashMap.newKeySet();
        try (PostgresStore store = PostgresStore.builder().dataSource(recording).schema(schema).build();
             TicketingClient client = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                     .build()) {
            EventId show = EventId.of(tag + "-show");
            SectionId ga = SectionId.of(tag + "-ga");
            SectionId rs = SectionId.of(tag + "-rs");
            List<SeatId> seats = List.of(SeatId.of(tag + "-s1"), SeatId.of(tag + "-s2"));
            client.createEvent(EventSpec.builder(show).name(tag + " o'neil\"; DROP TABLE event; --")
                    .perBuyerCap(4).resaleCapPercent(110)
                    .generalAdmission(ga.value(), 40, 4, face).reservedSeating(rs.value(), seats, face).build());
            BuyerId seller = BuyerId.of(tag + "-seller");
            BuyerId buyer = BuyerId.of(tag + "-buyer");
            for (BuyerId b : List.of(seller, buyer)) {
                client.verifyFan(show, b, URI.create("https://id.example/" + tag + "/" + b.value() + "?q=';--"))
                        .value();
            }
            HoldId heldId = HoldId.of(UUID.randomUUID());
            canaries.add(heldId.toString());
            Duration ttl = Duration.ofSeconds(433);
            canaries.add(Long.toString(ttl.toNanos() / 1_000));
            Hold held = client.hold(HoldRequest.units(show, ga, seller, 2).withHoldId(heldId).withTtl(ttl)).value();
            List<Ticket> tickets = client.confirm(held.id()).value();
            Hold seatHold = client.hold(HoldRequest.seat(show, rs, seats.get(0), buyer)).value();
            canaries.add(seatHold.id().toString());
            client.release(seatHold.id()).value();
            ListingId listingId = ListingId.of(UUID.randomUUID());
            canaries.add(listingId.toString());
            Listing listing = client.listForResale(ListingRequest.of(tickets.get(0).id(), seller, ask)
                    .withListingId(listingId)).value();
            client.buyListing(listing.id(), buyer).value();
            client.settle(listing.id()).value();
            Listing second = client.listForResale(ListingRequest.of(tickets.get(1).id(), seller, ask)).value();
            client.withdrawListing(second.id(), seller).value();
            Listing third = client.listForResale(ListingRequest.of(tickets.get(1).id(), seller, ask)).value();
            client.buyListing(third.id(), buyer).value();
            client.cancelSale(third.id()).value();
            client.refund(tickets.get(1).id()).value();
            client.hold(HoldRequest.seat(show, rs, seats.get(1), buyer)).value();
            client.expireHolds();
            client.releaseHolds(show);
            client.refundAll(show);
            client.revokeFan(show, buyer).value();
            client.unitsLeft(show, ga);
            client.unitsLeft(show, rs);
            client.seats(show, rs);
            client.holdersOf(show, rs, seats.get(0));
            client.findHold(held.id());
            client.findTicket(tickets.get(0).id());
            client.ticketsOf(show, seller);
            client.findListing(listing.id());
            client.verification(show, seller);
            client.audit();
            client.audit(show);

            // Every method of the store contract, with free text where the contract takes free text.
            every(store, tag, face, methods, canaries);
        }
        return new Run(schema, recording.statements(), canaries, methods);
    }

    /**
     * Calls every method of the store contract ({@link StoreTransaction}, {@link Reads}, {@link Writes}) at least
     * once, recording which, in transactions that commit so that every write is really sent; each guarded write is
     * named only where its guard holds, as the recipes do.
     */
    private static void every(TicketStore store, String tag, long face, Set<String> methods, List<String> canaries) {
        EventId e = EventId.of(tag + "-spi");
        SectionId ga = SectionId.of(tag + "-g");
        SectionId rs = SectionId.of(tag + "-r");
        SeatId seat = SeatId.of(tag + "-seat");
        BuyerId fan = BuyerId.of(tag + "-fan");
        BuyerId other = BuyerId.of(tag + "-other");
        HoldId hold = HoldId.of(UUID.randomUUID());
        HoldId seatHold = HoldId.of(UUID.randomUUID());
        HoldId lapsed = HoldId.of(UUID.randomUUID());
        TicketId ticket = TicketId.of(UUID.randomUUID());
        ListingId listing = ListingId.of(UUID.randomUUID());
        OperationKey key = OperationKey.of(UUID.randomUUID());
        OperationKey batchedA = OperationKey.of(UUID.randomUUID());
        OperationKey batchedB = OperationKey.of(UUID.randomUUID());
        canaries.addAll(List.of(hold.toString(), seatHold.toString(), lapsed.toString(), ticket.toString(),
                listing.toString(), key.toString(), batchedA.toString(), batchedB.toString()));
        store.inTransaction(TxMode.READ_WRITE, real -> {
            StoreTransaction tx = recording(real, methods);
            Writes w = tx.writes();
            w.insertEvent(new EventRow(e, tag + " spi '\\", 4, 11_000));
            w.insertSection(new SectionRow(e, ga, SectionKind.GENERAL_ADMISSION, 10, 2, face, 0));
            w.insertSection(new SectionRow(e, rs, SectionKind.RESERVED_SEATING, 1, 1, face, 1));
            w.insertBuckets(List.of(new BucketRow(e, ga, 0, 5), new BucketRow(e, ga, 1, 5)));
            w.insertSeats(List.of(new SeatRow(e, rs, seat, SeatState.AVAILABLE, Optional.empty())));
            w.verify(e, fan, "https://id.example/" + tag + "/'; DROP TABLE allowance; --", 4);
            w.verify(e, other, "https://id.example/" + tag + "/other", 4);
            w.insertOperation(new OperationRow(key, Operation.REFUND, e, tag + "-subject'", tag + "-actor\\", 1,
                    face));
            w.insertMoney(List.of(new MoneyEntry(key, 0, "buyer:" + tag + "'", -face),
                    new MoneyEntry(key, 1, "event:" + tag + "\\", face)));
            return null;
        });
        store.inTransaction(TxMode.READ_WRITE, real -> {
            StoreTransaction tx = recording(real, methods);
            Reads r = tx.reads();
            r.event(e);
            r.sections(e);
            r.buckets(e, ga);
            r.bucket(e, ga, 0);
            r.bucketsIfShort(e, ga, 0, 9);
            r.seat(e, rs, seat);
            r.seats(e, rs);
            r.allowance(e, fan);
            r.allowances(e, List.of(fan, other));
            r.hold(hold);
            r.ticket(ticket);
            r.ticketsOfHold(hold);
            r.ticketsOfOwner(e, fan);
            r.listing(listing);
            r.ticketOfListing(listing);
            r.operation(key);
            r.expiredHolds(10);
            r.heldHolds(e, 10);
            r.validTickets(e, 10);
            r.activeUnits(e, ga);
            r.seatClaims(e, rs, seat);
            r.fetch();
            Instant now = tx.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Writes w = tx.writes();
            w.chargeAllowance(e, fan, 3);
            w.creditAllowance(e, fan, 1);
            // Consecutive inserts of one kind: the gathered, multi-row forms a combined hold uses.
            w.insertOperation(new OperationRow(batchedA, Operation.HOLD, e, tag + "-batched'", tag + "-actor2\\", 1,
                    0));
            w.insertOperation(new OperationRow(batchedB, Operation.HOLD, e, tag + "-batched2'", tag + "-actor3", 1,
                    0));
            w.insertHold(new HoldRow(hold, e, ga, Optional.empty(), fan, 1, 0, HoldStatus.HELD, now,
                    now.plus(Duration.ofMinutes(7)), face));
            w.insertHold(new HoldRow(seatHold, e, rs, Optional.of(seat), fan, 1, -1, HoldStatus.HELD, now,
                    now.plus(Duration.ofMinutes(7)), face));
            w.insertHold(new HoldRow(lapsed, e, ga, Optional.empty(), other, 1, 1, HoldStatus.HELD,
                    now.minus(Duration.ofMinutes(9)), now.minus(Duration.ofMinutes(2)), face));
            w.takeUnits(e, ga, 0, 1);
            w.returnUnits(e, ga, 1, 1);
            w.claimSeat(e, rs, seat, seatHold);
            w.moveSeat(e, rs, seat, seatHold, SeatState.HELD, SeatState.SOLD);
            w.moveHold(lapsed, HoldStatus.HELD, HoldStatus.EXPIRED, Expiry.EXPIRED);
            w.moveHold(seatHold, HoldStatus.HELD, HoldStatus.RELEASED, Expiry.ANY);
            w.moveHold(hold, HoldStatus.HELD, HoldStatus.CONFIRMED, Expiry.UNEXPIRED);
            w.insertTickets(List.of(new TicketRow(ticket, hold, e, ga, Optional.empty(), 0, fan, TicketState.VALID,
                    tag + "-code'--", face)));
            return null;
        });
        store.inTransaction(TxMode.READ_WRITE, real -> {
            StoreTransaction tx = recording(real, methods);
            Writes w = tx.writes();
            w.moveTicket(ticket, fan, TicketState.VALID, TicketState.LISTED, fan, Optional.of(tag + "-code2\\"));
            w.insertListing(listing, ticket, fan, face);
            w.moveListing(listing, ListingState.ACTIVE, ListingState.WITHDRAWN, Optional.of(fan));
            w.revoke(e, fan);
            return null;
        });
        store.inTransaction(TxMode.READ_ONLY, real -> {
            StoreTransaction tx = recording(real, methods);
            tx.markRollbackOnly();
            for (Optional<EventId> scope : List.of(Optional.<EventId>empty(), Optional.of(e))) {
                for (Table<?> table : Table.ALL) {
                    tx.scan(table, scope, row -> { });
                }
            }
            return null;
        });
    }

    /** The transaction, and the reads and writes it hands out, with every method call's name recorded. */
    private static StoreTransaction recording(StoreTransaction real, Set<String> methods) {
        return (StoreTransaction) Proxy.newProxyInstance(StoreTransaction.class.getClassLoader(),
                new Class<?>[] {StoreTransaction.class}, (proxy, method, args) -> {
                    methods.add(method.getName());
                    Object result = RecordingDataSource.invoke(real, method, args);
                    if (method.getReturnType() == Reads.class) {
                        return recordingAs(Reads.class, (Reads) result, methods);
                    }
                    if (method.getReturnType() == Writes.class) {
                        return recordingAs(Writes.class, (Writes) result, methods);
                    }
                    return result;
                });
    }

    private static <T> T recordingAs(Class<T> type, T real, Set<String> methods) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    methods.add(method.getName());
                    return RecordingDataSource.invoke(real, method, args);
                }));
    }

    /** A data source on the test server that records the text of every statement its connections are given. */
    private static final class RecordingDataSource extends OpeningDataSource {
        private final PGSimpleDataSource delegate = new PGSimpleDataSource();
        private final Set<String> statements = ConcurrentHashMap.newKeySet();

        RecordingDataSource() {
            PostgresServer.Endpoint e = PostgresServer.endpoint();
            delegate.setURL(e.jdbcUrl());
            delegate.setUser(e.user());
            delegate.setPassword(e.password());
        }

        Set<String> statements() {
            return new TreeSet<>(statements);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection real = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        String name = method.getName();
                        if ((name.equals("prepareStatement") || name.equals("prepareCall") || name.equals("nativeSQL"))
                                && args != null && args[0] instanceof String sql) {
                            statements.add(sql);
                        }
                        Object result = invoke(real, method, args);
                        if (result instanceof Statement st && !(result instanceof PreparedStatement)) {
                            return recordingStatement(st);
                        }
                        return result;
                    });
        }

        private Statement recordingStatement(Statement real) {
            return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(),
                    new Class<?>[] {Statement.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("execute") || method.getName().equals("addBatch")) {
                            if (args != null && args.length > 0 && args[0] instanceof String sql) {
                                statements.add(sql);
                            }
                        }
                        return invoke(real, method, args);
                    });
        }

        private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException ex) {
                throw ex.getCause();
            }
        }
    }

    // ------------------------------------------------------------------ hostile text round trips

    /** Text that breaks naive quoting, escaping, encodings or lengths. */
    static final List<String> HOSTILE = List.of(
            "Robert'); DROP TABLE event; --",
            "''; DELETE FROM hold WHERE ''=''",
            "back\\slash \\' \\\\ end\\",
            "\"double\" and 'single' and `back`",
            "$$ dollar $$ $tag$ quoted $tag$",
            "? $1 :name %s %% _ % LIKE",
            "/* comment */ -- line comment",
            "E'\\x41' U&'\\0041'",
            "Zoë Ñoño façade naïve",
            "🎟️ ticket 🎫 and 👩‍👩‍👧‍👦 family",
            "日本語のイベント 한국어 中文",
            "עברית and العربية mixed ltr",
            "e\u0301 combining and \u200d zero-width joiner and \u00a0 no-break space",
            "\ufeff byte order mark and \ufffd replacement",
            "\u2028 line separator \u2029 paragraph separator");

    @Test
    void hostileTextComesBackFromPostgresqlExactlyAsItWentIn() {
        String schema = "hostile_text";
        PostgresServer.freshSchema(schema);
        String tag = UUID.randomUUID().toString().substring(0, 6);
        List<String> names = new ArrayList<>(HOSTILE);
        names.add("n".repeat(Limits.MAX_NAME_LENGTH)); // the longest name
        names.add("🎟".repeat(Limits.MAX_NAME_LENGTH / 2)); // as long, in surrogate pairs
        names.add("'".repeat(Limits.MAX_NAME_LENGTH)); // as long, all quotes
        String longestId = "A.b_c:d@e+f-" + "9".repeat(Limits.MAX_ID_LENGTH - 12);
        List<URI> evidence = List.of(
                URI.create("https://id.example/o'brien?q=';DROP%20TABLE%20allowance;--&x=%5C%27"),
                URI.create("https://id.example/zoë/🎟/日本?a=(1)&b=*!$,~"),
                URI.create("http://id.example:8443/" + "p".repeat(Limits.MAX_URL_LENGTH - 28)));
        try (PostgresStore store = PostgresServer.store(schema, PostgresIsolation.SERIALIZABLE).maxPoolSize(2).build();
             TicketingClient writer = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                     .build()) {
            List<EventId> events = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                EventId id = EventId.of("hostile-" + tag + "-" + i);
                events.add(id);
                writer.createEvent(EventSpec.builder(id).name(names.get(i)).generalAdmission("ga", 10, 1, 100).build());
            }
            EventId longest = EventId.of(longestId);
            SectionId longSection = SectionId.of(longestId);
            SeatId longSeat = SeatId.of(longestId);
            BuyerId longBuyer = BuyerId.of(longestId);
            writer.createEvent(EventSpec.builder(longest).name(longestId)
                    .reservedSeating(longSection.value(), List.of(longSeat), 100).build());
            for (int i = 0; i < evidence.size(); i++) {
                writer.verifyFan(events.get(i), longBuyer, evidence.get(i)).value();
            }
            writer.verifyFan(longest, longBuyer, evidence.get(0)).value();
            Hold hold = writer.hold(HoldRequest.seat(longest, longSection, longSeat, longBuyer)).value();
            Ticket ticket = writer.confirm(hold.id()).value().get(0);

            // Read back through a client whose catalog is cold, so every value comes from the server.
            try (TicketingClient reader = TicketingClient.builder().store(store).expirySweepInterval(Duration.ZERO)
                    .build()) {
                for (int i = 0; i < names.size(); i++) {
                    assertThat(reader.event(events.get(i))).get().extracting(Event::name).as("name %d", i)
                            .isEqualTo(names.get(i));
                }
                for (int i = 0; i < evidence.size(); i++) {
                    assertThat(reader.verification(events.get(i), longBuyer).orElseThrow().evidence())
                            .as("evidence %d", i).isEqualTo(evidence.get(i));
                }
                Event e = reader.event(longest).orElseThrow();
                assertThat(e.id()).isEqualTo(longest);
                assertThat(e.sections().get(0).id()).isEqualTo(longSection);
                assertThat(reader.seats(longest, longSection)).singleElement()
                        .satisfies(s -> assertThat(s.id()).isEqualTo(longSeat));
                assertThat(reader.holdersOf(longest, longSection, longSeat)).containsExactly(longBuyer);
                assertThat(reader.ticketsOf(longest, longBuyer)).singleElement()
                        .satisfies(t -> assertThat(t.id()).isEqualTo(ticket.id()));
                assertThat(reader.verification(longest, longBuyer).orElseThrow().status())
                        .isEqualTo(VerificationStatus.VERIFIED);
                assertThat(reader.audit(longest).isClean()).isTrue();
            }

            // Through the store contract, the free text a store is given besides names and evidence.
            EventId spi = events.get(0);
            List<OperationKey> keys = new ArrayList<>();
            store.inTransaction(TxMode.READ_WRITE, tx -> {
                for (String text : HOSTILE) {
                    OperationKey key = OperationKey.of(UUID.randomUUID());
                    keys.add(key);
                    tx.writes().insertOperation(new OperationRow(key, Operation.CREATE_EVENT, spi, text, text, 0, 0));
                    tx.writes().insertMoney(List.of(new MoneyEntry(key, 0, text, 1),
                            new MoneyEntry(key, 1, text + "'", -1)));
                }
                tx.writes().verify(spi, BuyerId.of("spi-fan"), HOSTILE.get(0) + HOSTILE.get(2), 4);
                return null;
            });
            store.inTransaction(TxMode.READ_ONLY, tx -> {
                for (int i = 0; i < HOSTILE.size(); i++) {
                    OperationKey key = keys.get(i);
                    OperationRow row = io.dhamana.testkit.Reading.read(tx, r -> r.operation(key)).orElseThrow();
                    assertThat(row.subject()).isEqualTo(HOSTILE.get(i));
                    assertThat(row.actor()).isEqualTo(HOSTILE.get(i));
                }
                List<MoneyEntry> legs = new ArrayList<>();
                tx.scan(io.dhamana.spi.Table.MONEY, Optional.of(spi), legs::add);
                for (int i = 0; i < HOSTILE.size(); i++) {
                    String text = HOSTILE.get(i);
                    OperationKey key = keys.get(i);
                    assertThat(legs).filteredOn(m -> m.operation().equals(key)).extracting(MoneyEntry::account)
                            .containsExactlyInAnyOrder(text, text + "'");
                }
                AllowanceRow a = io.dhamana.testkit.Reading.read(tx, r -> r.allowance(spi, BuyerId.of("spi-fan")))
                        .orElseThrow();
                assertThat(a.evidence()).isEqualTo(HOSTILE.get(0) + HOSTILE.get(2));
                return null;
            });
        }
    }
}

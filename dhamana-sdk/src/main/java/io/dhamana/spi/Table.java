package io.dhamana.spi;

import java.util.List;

/**
 * A table the audit scans, with the type of its rows: {@code tx.scan(Table.HOLDS, event, sink)}.
 *
 * @param <R> the row type
 */
public final class Table<R> {
    /** Events. */
    public static final Table<EventRow> EVENTS = new Table<>("event", EventRow.class);
    /** Sections of events. */
    public static final Table<SectionRow> SECTIONS = new Table<>("section", SectionRow.class);
    /** Stock buckets of general-admission sections. */
    public static final Table<BucketRow> BUCKETS = new Table<>("stock_bucket", BucketRow.class);
    /** Named seats of reserved-seating sections. */
    public static final Table<SeatRow> SEATS = new Table<>("seat", SeatRow.class);
    /** Buyers' verifications and what they have used of their cap. */
    public static final Table<AllowanceRow> ALLOWANCES = new Table<>("allowance", AllowanceRow.class);
    /** Holds, in every status. */
    public static final Table<HoldRow> HOLDS = new Table<>("hold", HoldRow.class);
    /** Tickets, in every state. */
    public static final Table<TicketRow> TICKETS = new Table<>("ticket", TicketRow.class);
    /** Resale listings. */
    public static final Table<ListingRow> LISTINGS = new Table<>("listing", ListingRow.class);
    /** The operation log. */
    public static final Table<OperationRow> OPERATIONS = new Table<>("operation_log", OperationRow.class);
    /** Money legs; scanned for an event, the legs of that event's operations. */
    public static final Table<MoneyEntry> MONEY = new Table<>("money_entry", MoneyEntry.class);

    /** Every table, in the order the audit reads them. */
    public static final List<Table<?>> ALL = List.of(EVENTS, SECTIONS, BUCKETS, SEATS, ALLOWANCES, HOLDS, TICKETS,
            LISTINGS, OPERATIONS, MONEY);

    private final String name;
    private final Class<R> rowType;

    private Table(String name, Class<R> rowType) {
        this.name = name;
        this.rowType = rowType;
    }

    /**
     * The table's name in SQL.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The class of its rows.
     *
     * @return the row class
     */
    public Class<R> rowType() {
        return rowType;
    }

    @Override
    public String toString() {
        return name;
    }
}

package io.dhamana.testkit;

import io.dhamana.spi.TicketStore;
import io.dhamana.spi.TxMode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Every committed row of a store, as sorted text, read in one snapshot. Two dumps that are equal mean nothing
 * changed in between: the proof that a rejected call wrote nothing.
 */
public final class StoreDump {
    private StoreDump() {}

    public static List<String> of(TicketStore store) {
        return store.inTransaction(TxMode.READ_ONLY, tx -> {
            List<String> rows = new ArrayList<>();
            tx.scan(io.dhamana.spi.Table.EVENTS, java.util.Optional.empty(), r -> rows.add(r.toString()));
            tx.scan(io.dhamana.spi.Table.SECTIONS, Optional.empty(), r -> rows.add(r.toString()));
            tx.scan(io.dhamana.spi.Table.BUCKETS, Optional.empty(), r -> rows.add(r.toString()));
            tx.scan(io.dhamana.spi.Table.SEATS, Optional.empty(), r -> rows.add(r.toString()));
            tx.scan(io.dhamana.spi.Table.ALLOWANCES, Optional.empty(), r -> rows.add(r.toString()));
            tx.scan(io.dhamana.spi.Table.HOLDS, Optional.empty(), r -> rows.add(r.toString()));
            tx.scan(io.dhamana.spi.Table.TICKETS, Optional.empty(), r -> rows.add(r + " code=" + r.code()));
            tx.scan(io.dhamana.spi.Table.LISTINGS, Optional.empty(), r -> rows.add(r.toString()));
            tx.scan(io.dhamana.spi.Table.OPERATIONS, Optional.empty(), r -> rows.add(r.toString()));
            tx.scan(io.dhamana.spi.Table.MONEY, Optional.empty(), r -> rows.add(r.toString()));
            Collections.sort(rows);
            return rows;
        });
    }
}

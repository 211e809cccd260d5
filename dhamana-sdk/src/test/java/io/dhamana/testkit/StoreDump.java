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
            tx.scanEvents(r -> rows.add(r.toString()));
            tx.scanSections(Optional.empty(), r -> rows.add(r.toString()));
            tx.scanBuckets(Optional.empty(), r -> rows.add(r.toString()));
            tx.scanSeats(Optional.empty(), r -> rows.add(r.toString()));
            tx.scanAllowances(Optional.empty(), r -> rows.add(r.toString()));
            tx.scanHolds(Optional.empty(), r -> rows.add(r.toString()));
            tx.scanTickets(Optional.empty(), r -> rows.add(r + " code=" + r.code()));
            tx.scanListings(Optional.empty(), r -> rows.add(r.toString()));
            tx.scanOperations(Optional.empty(), r -> rows.add(r.toString()));
            tx.scanMoney(Optional.empty(), r -> rows.add(r.toString()));
            Collections.sort(rows);
            return rows;
        });
    }
}

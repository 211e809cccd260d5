package io.dhamana.spi;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.SeatId;
import io.dhamana.SectionId;
import io.dhamana.TicketId;
import io.dhamana.TicketState;

import java.util.Optional;

/**
 * A row of {@code ticket}. The guard row of "no double sale": every change of owner or state is
 * {@code WHERE owner = :expected AND state = :expected}.
 *
 * @param bucket the bucket its unit returns to on refund (-1 for a seat)
 */
public record TicketRow(TicketId id, HoldId hold, EventId event, SectionId section, Optional<SeatId> seat, int bucket,
                        BuyerId owner, TicketState state, String code, long faceValueMinor) {

    /** Hides the entry code. */
    @Override
    public String toString() {
        return "TicketRow[id=" + id + ", hold=" + hold + ", event=" + event + ", section=" + section + ", seat=" + seat
                + ", owner=" + owner + ", state=" + state + "]";
    }
}

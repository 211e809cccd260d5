package io.dhamana.spi;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.HoldStatus;
import io.dhamana.SeatId;
import io.dhamana.SectionId;

import java.time.Instant;
import java.util.Optional;

/**
 * A row of {@code hold}.
 *
 * @param bucket the bucket its units return to (-1 for a seat)
 */
public record HoldRow(HoldId id, EventId event, SectionId section, Optional<SeatId> seat, BuyerId buyer, int units,
                      int bucket, HoldStatus status, Instant createdAt, Instant expiresAt, long unitPriceMinor) {

    /**
     * The same row in another status.
     *
     * @param newStatus the status
     * @return the row with that status
     */
    public HoldRow withStatus(HoldStatus newStatus) {
        return new HoldRow(id, event, section, seat, buyer, units, bucket, newStatus, createdAt, expiresAt,
                unitPriceMinor);
    }
}

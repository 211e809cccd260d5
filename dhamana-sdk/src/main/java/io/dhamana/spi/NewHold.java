package io.dhamana.spi;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.SeatId;
import io.dhamana.SectionId;

import java.time.Duration;
import java.util.Optional;

/**
 * A hold to insert. The store stamps {@code created_at} and {@code expires_at = created_at + ttl} with its own clock.
 *
 * @param bucket the bucket its units return to on release (-1 for a seat)
 */
public record NewHold(HoldId id, EventId event, SectionId section, Optional<SeatId> seat, BuyerId buyer, int units,
                      int bucket, Duration ttl, long unitPriceMinor) {}

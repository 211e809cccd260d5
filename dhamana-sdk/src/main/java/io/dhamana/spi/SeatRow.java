package io.dhamana.spi;

import io.dhamana.EventId;
import io.dhamana.HoldId;
import io.dhamana.SeatId;
import io.dhamana.SeatState;
import io.dhamana.SectionId;

import java.util.Optional;

/**
 * A row of {@code seat}. The guard row of "one seat, one holder": a hold moves it from {@code AVAILABLE} with
 * {@code WHERE state = 'AVAILABLE'}.
 *
 * @param holder the hold that holds or bought the seat; empty when available
 */
public record SeatRow(EventId event, SectionId section, SeatId seat, SeatState state, Optional<HoldId> holder) {}

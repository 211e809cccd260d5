package io.dhamana.spi;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.VerificationStatus;

/**
 * A row of {@code allowance}: one buyer's standing at one event. The guard row of "verified buyers only" and of
 * the per-buyer cap: a hold does {@code used = used + k WHERE status = 'VERIFIED' AND used + k <= cap}, and a
 * revocation writes the same row, so the two cannot both commit on a stale view.
 */
public record AllowanceRow(EventId event, BuyerId buyer, VerificationStatus status, String evidence, int used,
                           int cap) {}

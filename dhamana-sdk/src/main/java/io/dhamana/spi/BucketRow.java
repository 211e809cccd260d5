package io.dhamana.spi;

import io.dhamana.EventId;
import io.dhamana.SectionId;

/**
 * A row of {@code stock_bucket}: one shard of a general-admission section's stock. The guard row of "no oversell":
 * every hold decrements one with {@code WHERE remaining >= k}.
 */
public record BucketRow(EventId event, SectionId section, int bucket, int remaining) {}

package io.dhamana.spi;

import io.dhamana.EventId;

/** A row of {@code event}. Written once by event creation; read through the client's catalog cache. */
public record EventRow(EventId id, String name, int perBuyerCap, int resaleCapBps) {}

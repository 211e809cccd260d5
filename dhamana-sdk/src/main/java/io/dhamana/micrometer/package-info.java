/**
 * Micrometer metrics for a {@link io.dhamana.TicketingClient}: {@link io.dhamana.micrometer.DhamanaMetrics} is an
 * {@link io.dhamana.OperationListener} that records every call in a {@code MeterRegistry}. Needs
 * {@code io.micrometer:micrometer-core}, an optional dependency of the SDK, only when used.
 */
package io.dhamana.micrometer;

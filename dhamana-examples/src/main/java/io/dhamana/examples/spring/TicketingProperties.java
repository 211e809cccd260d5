package io.dhamana.examples.spring;

import io.dhamana.BucketSelection;
import io.dhamana.SchemaMode;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;

/**
 * The {@code dhamana.*} settings of {@code application.yml}, bound once at start-up. Every value has a default, so an
 * empty file runs the service on the in-process engine.
 *
 * @param name               the client's name (a tag on every metric)
 * @param store              where state lives
 * @param defaultHoldTtl     a hold's time to live when the request names none
 * @param admissionPerBucket holds in flight at once per stock bucket
 * @param bucketSelection    how a hold picks its first bucket
 * @param combining          one transaction for concurrent holds on a bucket (PostgreSQL, DSQL)
 * @param postgres           the connection, when {@code store} is {@code postgresql}
 * @param events             events to create at start-up (idempotent: an existing event is left as it is)
 */
@ConfigurationProperties("dhamana")
public record TicketingProperties(
        @DefaultValue("dhamana") String name,
        @DefaultValue("engine") Store store,
        @DefaultValue("10m") Duration defaultHoldTtl,
        @DefaultValue("1") int admissionPerBucket,
        @DefaultValue("least-busy") BucketSelection bucketSelection,
        @DefaultValue("false") boolean combining,
        @DefaultValue Postgres postgres,
        @DefaultValue List<EventDefinition> events) {

    /** Which store the client runs on. */
    public enum Store {
        /** The in-process engine: no server, state lost at exit. */
        ENGINE,
        /** PostgreSQL, through the pool the SDK builds. */
        POSTGRESQL
    }

    /**
     * The PostgreSQL connection.
     *
     * @param jdbcUrl     {@code jdbc:postgresql://host:5432/database}
     * @param user        the role
     * @param password    its password
     * @param schema      the schema holding the tables
     * @param schemaMode  create, only validate (for a schema your migration tool owns), or leave it alone
     * @param maxPoolSize connections in the pool
     */
    public record Postgres(String jdbcUrl, String user, String password, @DefaultValue("dhamana") String schema,
                           @DefaultValue("create") SchemaMode schemaMode, @DefaultValue("16") int maxPoolSize) {}

    /**
     * An event with one general-admission section.
     *
     * @param id             the event's id
     * @param section        the section's id
     * @param capacity       units on sale
     * @param buckets        stock buckets the units are split over
     * @param faceValueMinor price per unit, in minor units
     * @param perBuyerCap    units one buyer may hold or own
     */
    public record EventDefinition(String id, @DefaultValue("floor") String section, int capacity,
                                  @DefaultValue("16") int buckets, long faceValueMinor,
                                  @DefaultValue("4") int perBuyerCap) {}
}

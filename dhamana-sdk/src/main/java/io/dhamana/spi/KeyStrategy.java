package io.dhamana.spi;

/** The kind of UUID a store prefers for client-generated keys. */
public enum KeyStrategy {
    /**
     * Time-ordered UUIDv7: consecutive inserts land on neighbouring index pages (good for PostgreSQL's B-trees).
     */
    TIME_ORDERED,
    /**
     * Random UUIDv4: spreads inserts over the key space, as AWS advises for write-heavy tables on Aurora DSQL
     * (a monotonic key makes one hot partition).
     */
    RANDOM
}

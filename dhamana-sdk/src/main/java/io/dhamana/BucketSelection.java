package io.dhamana;

/** How a general-admission hold picks the stock bucket it tries first. */
public enum BucketSelection {
    /**
     * The least busy bucket from this client's point of view, starting from a rotating position: concurrent holds
     * from one client land on different buckets, and a crowded bucket is skipped. The default.
     */
    LEAST_BUSY,
    /** The next bucket in turn for the section, per client. */
    ROUND_ROBIN,
    /** A bucket fixed by the buyer's id, so one buyer's holds share a bucket. */
    BUYER_AFFINITY,
    /** A uniformly random bucket (how most sharded counters pick; collides more). */
    RANDOM
}

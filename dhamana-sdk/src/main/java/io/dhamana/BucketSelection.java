package io.dhamana;

/** How a general-admission hold picks the stock bucket it tries first. */
public enum BucketSelection {
    /**
     * The least busy bucket from this client's point of view, starting from the calling thread's own bucket: each
     * thread keeps to one bucket while it is idle (its row stays in that core's cache), concurrent holds from one
     * client land on different buckets, and a crowded bucket, or one this client last saw empty, is skipped. The
     * default.
     */
    LEAST_BUSY,
    /** The next bucket in turn for the section, per client. */
    ROUND_ROBIN,
    /** A bucket fixed by the buyer's id, so one buyer's holds share a bucket. */
    BUYER_AFFINITY,
    /** A uniformly random bucket (how most sharded counters pick; collides more). */
    RANDOM
}

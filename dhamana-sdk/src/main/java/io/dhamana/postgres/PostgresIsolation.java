package io.dhamana.postgres;

/**
 * The isolation level a {@link PostgresStore} runs its writing transactions at. Every invariant is guarded by a
 * write to a row that rivals also write, so {@link #SERIALIZABLE} and {@link #REPEATABLE_READ} are both safe;
 * {@link #READ_COMMITTED} is only for demonstrations and baselines.
 */
public enum PostgresIsolation {
    /**
     * The default. Write-write conflicts, and read-write dependencies that could make a history non-serializable,
     * abort one transaction with SQLSTATE 40001; the client retries it.
     */
    SERIALIZABLE("SERIALIZABLE"),
    /**
     * Snapshot isolation, the same model as Aurora DSQL: a write to a row that another transaction changed since
     * this one's snapshot fails with SQLSTATE 40001. Write skew is possible, which the recipes never rely on.
     */
    REPEATABLE_READ("REPEATABLE READ"),
    /**
     * For demonstrations and baselines only. Each statement sees a new snapshot and a conditional update waits for
     * the row and re-checks its condition, so the guarded writes still hold; but the naive count-then-insert
     * pattern oversells here, and nothing is ever reported as a conflict. Read-only transactions (the audit)
     * still run at {@code REPEATABLE READ} so that they read one snapshot.
     */
    READ_COMMITTED("READ COMMITTED");

    private final String sql;

    PostgresIsolation(String sql) {
        this.sql = sql;
    }

    /** The level as SQL spells it, for example {@code REPEATABLE READ}. */
    String sql() {
        return sql;
    }
}

/**
 * The store contract: a narrow set of guarded writes and snapshot reads that the SDK's transaction recipes are
 * written against, once, for every store.
 *
 * <p>Each method of {@link io.dhamana.spi.StoreTransaction} is one statement in SQL and one step in the in-process
 * engine. A <em>guarded write</em> changes a row only if a predicate holds on that row (for example
 * {@code remaining >= k}) and reports whether it did. Because the guard is a write, two transactions that compete
 * for the same stock, seat, allowance, ticket or listing both write the same row, and snapshot isolation (Aurora
 * DSQL, PostgreSQL REPEATABLE READ, the engine) lets only one of them commit. Reads are snapshot reads; the recipes
 * never rely on a read to protect an invariant.
 *
 * <p>A store classifies its failures: a serialization conflict is a {@link io.dhamana.ConflictException}, a lost
 * connection a transient {@link io.dhamana.StoreException}, a violated last-line constraint a
 * {@link io.dhamana.spi.ConstraintViolationException}. The client alone decides what to retry.
 */
package io.dhamana.spi;

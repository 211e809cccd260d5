/**
 * The store contract: snapshot reads and guarded writes that the SDK's transaction recipes are written against,
 * once, for every store.
 *
 * <p>A transaction is rounds of {@link io.dhamana.spi.Reads} (each round one round trip on a JDBC store), then
 * {@link io.dhamana.spi.Writes} that the store sends together with the commit: two round trips for a call, refused or
 * not. A <em>guarded write</em> changes a row only if a predicate holds on that row (for example
 * {@code remaining >= k}); the recipe checks that predicate in its snapshot before naming the write, and a guard that
 * no longer holds when the write is applied fails the transaction as a conflict. Because the guard is a write, two
 * transactions that compete for the same stock, seat, allowance, ticket or listing both write the same row, and
 * snapshot isolation (Aurora DSQL, PostgreSQL REPEATABLE READ, the engine) lets only one of them commit. Reads never
 * protect an invariant.
 *
 * <p>A store classifies its failures: a serialization conflict is a {@link io.dhamana.ConflictException}, a lost
 * connection a transient {@link io.dhamana.StoreException}, a violated last-line constraint a
 * {@link io.dhamana.spi.ConstraintViolationException}. The client alone decides what to retry.
 */
package io.dhamana.spi;

/**
 * The PostgreSQL store: the SDK's recipes on a PostgreSQL database through JDBC (pgjdbc, and HikariCP when the SDK
 * builds the pool), at {@code SERIALIZABLE} by default. Start at {@link io.dhamana.postgres.PostgresStore#builder()}.
 */
package io.dhamana.postgres;

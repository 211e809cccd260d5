-- One general-admission hold of one unit, as raw SQL: the statements the SDK's PostgreSQL store issues for
-- client.hold(...), in the recipe's order (Recipes.hold): append to the operation log, insert the hold, charge the
-- buyer's allowance (guard: verified and under the cap), take one unit from a stock bucket (guard: no oversell),
-- commit. Run with -M prepared (the JDBC driver prepares too) and the isolation set by PGOPTIONS, against the
-- store's own tables, which PgbenchBaseline has the store install in schema dhamana_pgbench.
--
-- ALIGNED WITH THE POSTGRESQL STORE (io.dhamana.jdbc.internal.Sql: insertOperation, insertHold, chargeAllowance,
-- takeUnits; keys as PostgresStore.keyStrategy() chooses them); re-check when those statements change. Differences
-- that remain, and why:
--   * the key is made here by the server (pgbench cannot make one); the store makes it in the JVM. Like the store,
--     a random UUID (v4) at SERIALIZABLE and a time-ordered one (v7) at the weaker levels (-D time_ordered=1);
--   * pgbench sends BEGIN as its own round trip; pgjdbc sends it with the first statement;
--   * the op key is read back from the first INSERT (RETURNING ... \gset) to reuse it as the hold id, where the
--     store already has it;
--   * a hold that finds its bucket empty is not moved to another bucket here (stock never runs out in a run).
--
-- Variables (-D): buckets = stock rows, pool = buyers per client, time_ordered = 1 for UUIDv7 keys. A client keeps to bucket client_id % buckets, as
-- the SDK's least-busy selection spreads concurrent callers over distinct buckets; --max-tries retries a
-- serialization failure with the same variables (same bucket, same buyer), immediately.
\set bucket :client_id % :buckets
\set buyer random(0, :pool - 1)
BEGIN;
\if :time_ordered
INSERT INTO dhamana_pgbench.operation_log (op_key, operation, event_id, subject, actor, units, amount_minor, logged_at)
SELECT k, 'HOLD', 'pgbench', k::text, 't' || :client_id::text || '-b' || :buyer::text, 1, 0, now()
FROM (SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
        FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid AS k) AS key
ON CONFLICT (op_key) DO NOTHING
RETURNING op_key AS hold_id \gset
\else
INSERT INTO dhamana_pgbench.operation_log (op_key, operation, event_id, subject, actor, units, amount_minor, logged_at)
SELECT k, 'HOLD', 'pgbench', k::text, 't' || :client_id::text || '-b' || :buyer::text, 1, 0, now()
FROM (SELECT gen_random_uuid() AS k) AS key
ON CONFLICT (op_key) DO NOTHING
RETURNING op_key AS hold_id \gset
\endif
INSERT INTO dhamana_pgbench.hold (id, event_id, section_id, seat_id, buyer_id, units, bucket, status, created_at,
                                  expires_at, unit_price_minor)
VALUES (:hold_id, 'pgbench', 'floor', NULL, 't' || :client_id::text || '-b' || :buyer::text, 1, :bucket, 'HELD',
        now(), now() + 600000000 * INTERVAL '1 microsecond', 5000)
ON CONFLICT (id) DO NOTHING RETURNING created_at, expires_at;
UPDATE dhamana_pgbench.allowance SET used = used + 1
WHERE event_id = 'pgbench' AND buyer_id = 't' || :client_id::text || '-b' || :buyer::text
  AND status = 'VERIFIED' AND used + 1 <= cap;
UPDATE dhamana_pgbench.stock_bucket SET remaining = remaining - 1
WHERE event_id = 'pgbench' AND section_id = 'floor' AND bucket = :bucket AND remaining >= 1;
END;

-- Tables a general-admission hold writes, for the pgbench baseline (PgbenchBaseline runs this before every point,
-- in schema dhamana_pgbench so it never touches the SDK's own schema).
--
-- ALIGNED WITH THE POSTGRESQL STORE as its branch had it before it reached main (io.dhamana.jdbc.internal.SchemaDdl,
-- schema version 1): same columns, types, fill factors, CHECK constraints and indexes on these four tables, so pgbench
-- maintains exactly the rows and index entries a hold maintains. Re-check against SchemaDdl whenever it changes.
-- Statements are separated by a line holding only ";;".
DROP SCHEMA IF EXISTS dhamana_pgbench CASCADE
;;
CREATE SCHEMA dhamana_pgbench
;;
-- Guard row of "no oversell": every rival for this stock writes the same row. Half-empty pages keep updates HOT.
CREATE TABLE dhamana_pgbench.stock_bucket (
    event_id text NOT NULL,
    section_id text NOT NULL,
    bucket integer NOT NULL,
    remaining integer NOT NULL,
    PRIMARY KEY (event_id, section_id, bucket),
    CONSTRAINT stock_bucket_remaining_not_negative CHECK (remaining >= 0)
) WITH (fillfactor = 50)
;;
-- Guard row of "verified buyers only" and "per-buyer cap": revocation writes the same row.
CREATE TABLE dhamana_pgbench.allowance (
    event_id text NOT NULL,
    buyer_id text NOT NULL,
    status text NOT NULL,
    evidence text NOT NULL,
    used integer NOT NULL,
    cap integer NOT NULL,
    PRIMARY KEY (event_id, buyer_id),
    CONSTRAINT allowance_status_valid CHECK (status IN ('VERIFIED', 'REVOKED')),
    CONSTRAINT allowance_used_within_cap CHECK (used >= 0 AND used <= cap)
) WITH (fillfactor = 80)
;;
CREATE TABLE dhamana_pgbench.hold (
    id uuid PRIMARY KEY,
    event_id text NOT NULL,
    section_id text NOT NULL,
    seat_id text,
    buyer_id text NOT NULL,
    units integer NOT NULL,
    bucket integer NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    unit_price_minor bigint NOT NULL,
    CONSTRAINT hold_units_positive CHECK (units > 0),
    CONSTRAINT hold_status_valid CHECK (status IN ('HELD', 'CONFIRMED', 'RELEASED', 'EXPIRED'))
)
;;
CREATE INDEX hold_expiry_idx ON dhamana_pgbench.hold (expires_at) WHERE status = 'HELD'
;;
CREATE INDEX hold_section_idx ON dhamana_pgbench.hold (event_id, section_id, seat_id)
;;
CREATE TABLE dhamana_pgbench.operation_log (
    op_key uuid PRIMARY KEY,
    operation text NOT NULL,
    event_id text NOT NULL,
    subject text NOT NULL,
    actor text NOT NULL,
    units integer NOT NULL,
    amount_minor bigint NOT NULL,
    logged_at timestamptz NOT NULL
)
;;
CREATE INDEX operation_log_event_idx ON dhamana_pgbench.operation_log (event_id)

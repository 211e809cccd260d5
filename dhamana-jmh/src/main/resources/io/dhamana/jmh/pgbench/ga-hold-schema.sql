-- Tables a general-admission hold writes, for the pgbench baseline (PgbenchBaseline runs this before every point).
--
-- ALIGN WITH THE POSTGRESQL STORE: this is our reading of design.md §3 (guard rows, constraints) written before
-- io.dhamana.postgres.PostgresStore existed. When the store lands, copy its table names, column names and types,
-- keys, CHECK constraints and indexes on these four tables, so pgbench maintains exactly the same rows and indexes
-- per hold as the SDK does. Statements are separated by a line holding only ";;" (no SQL parser needed).
DROP SCHEMA IF EXISTS dhamana_pgbench CASCADE
;;
CREATE SCHEMA dhamana_pgbench
;;
-- Guard row of "no oversell": every rival for this stock writes the same row.
CREATE TABLE dhamana_pgbench.stock_bucket (
    event_id   text NOT NULL,
    section_id text NOT NULL,
    bucket     int  NOT NULL,
    remaining  int  NOT NULL CHECK (remaining >= 0),
    PRIMARY KEY (event_id, section_id, bucket)
) WITH (fillfactor = 50)
;;
-- Guard row of "verified buyers only" and "per-buyer cap": revocation writes the same row.
CREATE TABLE dhamana_pgbench.allowance (
    event_id   text NOT NULL,
    buyer_id   text NOT NULL,
    status     text NOT NULL,
    used       int  NOT NULL,
    cap        int  NOT NULL,
    evidence   text NOT NULL,
    PRIMARY KEY (event_id, buyer_id),
    CHECK (used >= 0 AND used <= cap)
) WITH (fillfactor = 70)
;;
CREATE TABLE dhamana_pgbench.hold (
    id               uuid PRIMARY KEY,
    event_id         text NOT NULL,
    section_id       text NOT NULL,
    seat_id          text,
    buyer_id         text NOT NULL,
    units            int  NOT NULL CHECK (units > 0),
    bucket           int  NOT NULL,
    status           text NOT NULL,
    unit_price_minor bigint NOT NULL,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL
)
;;
-- One seat, one holder (last line of defence); GA holds have no seat and skip it.
CREATE UNIQUE INDEX hold_one_per_seat ON dhamana_pgbench.hold (event_id, section_id, seat_id)
    WHERE status = 'HELD' AND seat_id IS NOT NULL
;;
-- The expiry sweep's scan.
CREATE INDEX hold_expiry ON dhamana_pgbench.hold (expires_at) WHERE status = 'HELD'
;;
CREATE TABLE dhamana_pgbench.operation_log (
    op_key       uuid PRIMARY KEY,
    operation    text   NOT NULL,
    event_id     text   NOT NULL,
    subject      text   NOT NULL,
    actor        text   NOT NULL,
    units        int    NOT NULL,
    amount_minor bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
)
;;
CREATE INDEX operation_log_event ON dhamana_pgbench.operation_log (event_id)

-- Dhamana schema version 1 for Aurora DSQL, schema dhamana.
-- The statements DsqlStore runs with SchemaMode.CREATE, one per transaction. Each CREATE INDEX ASYNC
-- returns a job id: wait for it with CALL sys.wait_for_job('<id>') before going on.
-- Then build the store with SchemaMode.VALIDATE. Printed by DsqlStore.schemaSql("dhamana").

CREATE SCHEMA IF NOT EXISTS dhamana;

CREATE TABLE IF NOT EXISTS dhamana.schema_version (
  version integer PRIMARY KEY,
  installed_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS dhamana.event (
  id text PRIMARY KEY,
  name text NOT NULL,
  per_buyer_cap integer NOT NULL,
  resale_cap_bps integer NOT NULL,
  CONSTRAINT event_caps_valid CHECK (per_buyer_cap > 0 AND resale_cap_bps >= 0)
);

CREATE TABLE IF NOT EXISTS dhamana.section (
  event_id text NOT NULL,
  section_id text NOT NULL,
  kind text NOT NULL,
  capacity integer NOT NULL,
  buckets integer NOT NULL,
  face_value_minor bigint NOT NULL,
  ordinal integer NOT NULL,
  PRIMARY KEY (event_id, section_id),
  CONSTRAINT section_kind_valid CHECK (kind IN ('GENERAL_ADMISSION', 'RESERVED_SEATING'))
);

CREATE TABLE IF NOT EXISTS dhamana.stock_bucket (
  event_id text NOT NULL,
  section_id text NOT NULL,
  bucket integer NOT NULL,
  remaining integer NOT NULL,
  PRIMARY KEY (event_id, section_id, bucket),
  CONSTRAINT stock_bucket_remaining_not_negative CHECK (remaining >= 0)
);

CREATE TABLE IF NOT EXISTS dhamana.seat (
  event_id text NOT NULL,
  section_id text NOT NULL,
  seat_id text NOT NULL,
  ordinal integer NOT NULL,
  state text NOT NULL,
  holder uuid,
  PRIMARY KEY (event_id, section_id, seat_id),
  CONSTRAINT seat_state_valid CHECK (state IN ('AVAILABLE', 'HELD', 'SOLD')),
  CONSTRAINT seat_holder_matches_state CHECK ((state = 'AVAILABLE') = (holder IS NULL))
);

CREATE TABLE IF NOT EXISTS dhamana.allowance (
  event_id text NOT NULL,
  buyer_id text NOT NULL,
  status text NOT NULL,
  evidence text NOT NULL,
  used integer NOT NULL,
  cap integer NOT NULL,
  PRIMARY KEY (event_id, buyer_id),
  CONSTRAINT allowance_status_valid CHECK (status IN ('VERIFIED', 'REVOKED')),
  CONSTRAINT allowance_used_within_cap CHECK (used >= 0 AND used <= cap)
);

CREATE TABLE IF NOT EXISTS dhamana.hold (
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
);

CREATE TABLE IF NOT EXISTS dhamana.ticket (
  id uuid PRIMARY KEY,
  hold_id uuid NOT NULL,
  event_id text NOT NULL,
  section_id text NOT NULL,
  seat_id text,
  bucket integer NOT NULL,
  owner_id text NOT NULL,
  state text NOT NULL,
  code text NOT NULL,
  face_value_minor bigint NOT NULL,
  CONSTRAINT ticket_state_valid CHECK (state IN ('VALID', 'LISTED', 'IN_ESCROW', 'REFUNDED'))
);

CREATE TABLE IF NOT EXISTS dhamana.listing (
  id uuid PRIMARY KEY,
  ticket_id uuid NOT NULL,
  event_id text NOT NULL,
  seller_id text NOT NULL,
  ask_minor bigint NOT NULL,
  cap_minor bigint NOT NULL,
  state text NOT NULL,
  buyer_id text,
  CONSTRAINT listing_ask_not_negative CHECK (ask_minor >= 0),
  CONSTRAINT listing_ask_within_cap CHECK (ask_minor <= cap_minor),
  CONSTRAINT listing_state_valid
      CHECK (state IN ('ACTIVE', 'SOLD', 'SETTLED', 'REFUNDED', 'WITHDRAWN'))
);

CREATE TABLE IF NOT EXISTS dhamana.operation_log (
  op_key uuid PRIMARY KEY,
  operation text NOT NULL,
  event_id text NOT NULL,
  subject text NOT NULL,
  actor text NOT NULL,
  units integer NOT NULL,
  amount_minor bigint NOT NULL,
  logged_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS dhamana.money_entry (
  op_key uuid NOT NULL,
  leg integer NOT NULL,
  account text NOT NULL,
  amount_minor bigint NOT NULL,
  PRIMARY KEY (op_key, leg)
);

CREATE INDEX ASYNC IF NOT EXISTS seat_order_idx ON dhamana.seat (event_id, section_id, ordinal);

CREATE INDEX ASYNC IF NOT EXISTS hold_expiry_idx ON dhamana.hold (expires_at) WHERE status = 'HELD';

CREATE INDEX ASYNC IF NOT EXISTS hold_section_idx ON dhamana.hold (event_id, section_id, seat_id);

CREATE INDEX ASYNC IF NOT EXISTS ticket_hold_idx ON dhamana.ticket (hold_id);

CREATE INDEX ASYNC IF NOT EXISTS ticket_owner_idx ON dhamana.ticket (event_id, owner_id);

CREATE INDEX ASYNC IF NOT EXISTS ticket_section_idx ON dhamana.ticket (event_id, section_id, seat_id);

CREATE UNIQUE INDEX ASYNC IF NOT EXISTS ticket_one_live_per_seat ON dhamana.ticket (event_id, section_id, seat_id) WHERE state <> 'REFUNDED' AND seat_id IS NOT NULL;

CREATE UNIQUE INDEX ASYNC IF NOT EXISTS listing_one_active_per_ticket ON dhamana.listing (ticket_id) WHERE state = 'ACTIVE';

CREATE INDEX ASYNC IF NOT EXISTS listing_event_idx ON dhamana.listing (event_id);

CREATE INDEX ASYNC IF NOT EXISTS operation_log_event_idx ON dhamana.operation_log (event_id);

INSERT INTO dhamana.schema_version (version, installed_at) VALUES (1, now()) ON CONFLICT (version) DO NOTHING;

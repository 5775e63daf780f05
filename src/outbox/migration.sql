-- Weft's transactional outbox: an application inserts a row here in the same
-- transaction as its domain change, and `weft outbox relay` turns each
-- committed row into one Weft run (workflow id = dedupe_key).
--
-- Idempotent: applying it again changes nothing. Names are unqualified, so the
-- objects land in the first schema of search_path. Apply it in one
-- transaction: `weft outbox migrate [--schema S]`, migrateOutbox(pool), or
--   psql "$DATABASE_URL" --single-transaction -f src/outbox/migration.sql

CREATE TABLE IF NOT EXISTS weft_outbox (
  id              bigserial PRIMARY KEY,
  -- The run's workflow id: one key can only ever produce one run.
  dedupe_key      text NOT NULL UNIQUE,
  -- A DAG name the relay resolves (by default, from the DAGs folder).
  dag             text NOT NULL,
  input           jsonb,
  -- 1 (highest) to 5; NULL is Temporal's default (3).
  priority        integer CHECK (priority BETWEEN 1 AND 5),
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- Set by the relay in the transaction that settled the row's last attempt.
  claimed_at      timestamptz,
  claimed_by      text,
  published_at    timestamptz,
  -- Temporal run id of the execution the row started (or found already started).
  run_id          text,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  -- After a failed attempt, the row is not claimed again before this time.
  next_attempt_at timestamptz,
  -- Set after too many failed attempts: the claim query skips the row until it is requeued.
  parked_at       timestamptz
);

-- The claim query and the status counts read only unpublished rows.
CREATE INDEX IF NOT EXISTS weft_outbox_unpublished_idx ON weft_outbox (id) WHERE published_at IS NULL;

-- Wakes listening relays when rows commit (NOTIFY is delivered at commit, and
-- never for a transaction that rolls back). The payload is the table's schema,
-- so relays of other schemas in the same database can ignore it.
CREATE OR REPLACE FUNCTION weft_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('weft_outbox', TG_TABLE_SCHEMA);
  RETURN NULL;
END
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'weft_outbox_notify' AND tgrelid = 'weft_outbox'::regclass) THEN
    CREATE TRIGGER weft_outbox_notify AFTER INSERT ON weft_outbox FOR EACH STATEMENT EXECUTE FUNCTION weft_outbox_notify();
  END IF;
END
$$;

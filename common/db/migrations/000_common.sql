-- Tables every service schema has. Applied before the service's own migrations.

-- request_id idempotency: the key is written in the same transaction as the write it guards.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  request_id   text PRIMARY KEY,
  method       text NOT NULL,
  request_hash text NOT NULL,
  response     bytea,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at);

-- API keys of system clients. The secret itself is never stored: only its SHA-256 (the
-- secret is 256 random bits, so the digest cannot be reversed by guessing) and its first
-- characters, which identify a key in listings and logs.

CREATE TABLE api_keys (
  id              bigserial PRIMARY KEY,
  display_name    text NOT NULL CHECK (display_name <> ''),
  key_prefix      text NOT NULL,
  secret_sha256   text NOT NULL UNIQUE CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
  roles           text[] NOT NULL CHECK (cardinality(roles) > 0),
  scope_units     text[] NOT NULL DEFAULT '{}',
  expires_at      timestamptz NOT NULL,
  rate_limit_rps  double precision NOT NULL DEFAULT 0 CHECK (rate_limit_rps >= 0),
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  revoked_by      text,
  last_used_at    timestamptz,
  CHECK (expires_at > created_at),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

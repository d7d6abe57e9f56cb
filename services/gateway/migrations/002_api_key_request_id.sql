-- A create carrying a request_id makes one key, whoever retries: the id belongs to the first
-- caller, and a retry is told which key it already made (its secret is never shown again).
ALTER TABLE api_keys ADD COLUMN request_id text;
CREATE UNIQUE INDEX api_keys_request_id ON api_keys (request_id) WHERE request_id IS NOT NULL;

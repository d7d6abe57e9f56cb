-- A request_id belongs to the caller that used it first: another caller reusing it is
-- refused instead of receiving the stored response (rows from before this column: NULL, any).
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS subject text;

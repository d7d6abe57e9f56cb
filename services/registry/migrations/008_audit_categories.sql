-- The audit says which categories of personal data a read disclosed (identity, ethnicity,
-- health, income, evidence: services/registry/policy/personal_data.json), comma-separated.
-- The column joins the hashed text at its end; concat_ws skips a NULL, so the rows written
-- before it (NULL) keep the hashes they were chained with.
ALTER TABLE pii_audit ADD COLUMN categories text;

CREATE FUNCTION pii_audit_chain_text(prev text, seq bigint, at timestamptz, actor text, method text,
                                     request_id text, ids uuid[], purpose text, categories text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws('|', prev, seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   actor, method, request_id, ids::text, purpose, categories)
$$;

CREATE OR REPLACE FUNCTION pii_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lnob.registry.pii_audit_chain'));
  SELECT chain_seq, row_hash INTO last FROM pii_audit WHERE chain_seq IS NOT NULL
   ORDER BY chain_seq DESC LIMIT 1;
  NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
  NEW.prev_hash := coalesce(last.row_hash, '');
  NEW.row_hash := encode(sha256(convert_to(pii_audit_chain_text(NEW.prev_hash, NEW.chain_seq, NEW.at, NEW.actor,
                                                                NEW.method, NEW.request_id, NEW.household_ids,
                                                                NEW.purpose, NEW.categories), 'UTF8')), 'hex');
  RETURN NEW;
END $$;

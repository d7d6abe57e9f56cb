-- The personal-data audit is tamper-evident and says why: every row keeps the purpose its
-- caller stated (x-lnob-purpose; required of the roles in roles.json "purpose_roles") and carries
-- the SHA-256 of its content and of the previous row's hash, in chain order (chain_seq, assigned under one lock so the chain
-- never forks). `lnobctl audit verify` recomputes the chain outside the database and names the
-- first row that was altered, removed or inserted out of order; recording the head it prints
-- (chain_seq:hash) elsewhere lets a later verify prove that nothing before it was rewritten.
ALTER TABLE pii_audit ADD COLUMN purpose text NOT NULL DEFAULT '';
ALTER TABLE pii_audit ADD COLUMN chain_seq bigint;
ALTER TABLE pii_audit ADD COLUMN prev_hash text;
ALTER TABLE pii_audit ADD COLUMN row_hash text;

-- What is hashed, as text:
-- prev_hash|chain_seq|at (UTC, microseconds)|actor|method|request_id|household_ids|purpose.
CREATE FUNCTION pii_audit_chain_text(prev text, seq bigint, at timestamptz, actor text, method text,
                                     request_id text, ids uuid[], purpose text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws('|', prev, seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   actor, method, request_id, ids::text, purpose)
$$;

CREATE FUNCTION pii_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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
                                                                NEW.purpose), 'UTF8')), 'hex');
  RETURN NEW;
END $$;

-- Rows written before the chain existed join it in id order (the append-only trigger is
-- bypassed for this one backfill).
DO $$
DECLARE
  r record;
  prev text := '';
  seq bigint := 0;
BEGIN
  ALTER TABLE pii_audit DISABLE TRIGGER pii_audit_no_change;
  FOR r IN SELECT id, at, actor, method, request_id, household_ids, purpose FROM pii_audit ORDER BY id LOOP
    seq := seq + 1;
    UPDATE pii_audit SET chain_seq = seq, prev_hash = prev,
      row_hash = encode(sha256(convert_to(pii_audit_chain_text(prev, seq, r.at, r.actor, r.method, r.request_id,
                                                                r.household_ids, r.purpose), 'UTF8')), 'hex')
     WHERE id = r.id RETURNING row_hash INTO prev;
  END LOOP;
  ALTER TABLE pii_audit ENABLE TRIGGER pii_audit_no_change;
END $$;

ALTER TABLE pii_audit ALTER COLUMN chain_seq SET NOT NULL;
ALTER TABLE pii_audit ALTER COLUMN prev_hash SET NOT NULL;
ALTER TABLE pii_audit ALTER COLUMN row_hash SET NOT NULL;
CREATE UNIQUE INDEX pii_audit_chain_seq ON pii_audit (chain_seq);
CREATE TRIGGER pii_audit_chain BEFORE INSERT ON pii_audit FOR EACH ROW EXECUTE FUNCTION pii_audit_chain();

-- Why personal data was read: the purpose a caller states (x-lnob-purpose; required of the
-- roles in roles.json "purpose_roles") is kept with the audit row and is part of what its hash
-- covers. The chain is recomputed once with the purpose in the hashed text ('' for older rows).
ALTER TABLE pii_audit ADD COLUMN purpose text NOT NULL DEFAULT '';

DROP TRIGGER pii_audit_chain ON pii_audit;
DROP FUNCTION pii_audit_chain();
DROP FUNCTION pii_audit_chain_text(text, bigint, timestamptz, text, text, text, uuid[]);

-- What is hashed: prev_hash|chain_seq|at (UTC, microseconds)|actor|method|request_id|household_ids|purpose.
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
  SELECT chain_seq, row_hash INTO last FROM pii_audit ORDER BY chain_seq DESC LIMIT 1;
  NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
  NEW.prev_hash := coalesce(last.row_hash, '');
  NEW.row_hash := encode(sha256(convert_to(pii_audit_chain_text(NEW.prev_hash, NEW.chain_seq, NEW.at, NEW.actor,
                                                                NEW.method, NEW.request_id, NEW.household_ids,
                                                                NEW.purpose), 'UTF8')), 'hex');
  RETURN NEW;
END $$;

DO $$
DECLARE
  r record;
  prev text := '';
BEGIN
  ALTER TABLE pii_audit DISABLE TRIGGER pii_audit_no_change;
  FOR r IN SELECT id, chain_seq, at, actor, method, request_id, household_ids, purpose FROM pii_audit
            ORDER BY chain_seq LOOP
    UPDATE pii_audit SET prev_hash = prev,
      row_hash = encode(sha256(convert_to(pii_audit_chain_text(prev, r.chain_seq, r.at, r.actor, r.method,
                                                                r.request_id, r.household_ids, r.purpose),
                                           'UTF8')), 'hex')
     WHERE id = r.id RETURNING row_hash INTO prev;
  END LOOP;
  ALTER TABLE pii_audit ENABLE TRIGGER pii_audit_no_change;
END $$;

CREATE TRIGGER pii_audit_chain BEFORE INSERT ON pii_audit FOR EACH ROW EXECUTE FUNCTION pii_audit_chain();

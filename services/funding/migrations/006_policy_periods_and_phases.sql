-- Double funding across years and closed programme phases (brief §3.5, §3.2-3.3), as data.

-- The period of "one policy per household, content and period": a year for recurring support,
-- once per household for a house or a residential plot. The periods are not quoted by the
-- brief (UNCONFIRMED): data an operator corrects, not code.
ALTER TABLE support_contents
  ADD COLUMN policy_period text NOT NULL DEFAULT 'YEAR' CHECK (policy_period IN ('YEAR', 'ONCE')),
  ADD COLUMN policy_doc text NOT NULL DEFAULT 'one policy per household, content and year (brief §3.5)',
  ADD COLUMN policy_confirmed boolean NOT NULL DEFAULT false;
UPDATE support_contents SET policy_period = 'ONCE',
       policy_doc = 'given once per household (brief §3.5: at most one policy per beneficiary, content and period; the period is UNCONFIRMED)'
 WHERE code IN ('HOUSING', 'RESIDENTIAL_LAND');

-- YEAR contents keep the unique index support_one_policy; ONCE contents are checked here,
-- serialised per household and content by an advisory lock, and refused with the same
-- constraint name so that every writer reports DOUBLE_FUNDING alike. Lines written before this
-- migration are left as they are.
CREATE FUNCTION support_once_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'CANCELLED' OR (SELECT policy_period FROM support_contents WHERE code = NEW.content) <> 'ONCE' THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('support_once:' || NEW.household_id::text || ':' || NEW.content, 0));
  IF EXISTS (SELECT 1 FROM support_lines WHERE household_id = NEW.household_id AND content = NEW.content
                AND state <> 'CANCELLED' AND id <> NEW.id) THEN
    RAISE EXCEPTION 'duplicate key value violates unique constraint "support_one_policy": % is given once per household',
                    NEW.content USING ERRCODE = '23505', CONSTRAINT = 'support_one_policy';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER support_once BEFORE INSERT ON support_lines FOR EACH ROW EXECUTE FUNCTION support_once_check();

-- Phase I of NTP-SPR (NQ 24/2021/QH15) and NTP-NRD (NQ 25/2021/QH15) ran 2021-2025: their
-- nodes close on 1 January 2026 (placements end exclusive), so a 2026 line cannot charge them.
-- The 2026-2035 merged programme (brief §3.5 outlook) is added as data when approved.
UPDATE node_placements
   SET valid_to = date '2026-01-01',
       legal_doc = legal_doc || CASE WHEN legal_doc = '' THEN '' ELSE '; ' END || 'phase I ended 31/12/2025'
 WHERE valid_to IS NULL AND valid_from < date '2026-01-01'
   AND (code IN ('NTP_SPR', 'NTP_NRD') OR code LIKE 'NTP_SPR.%' OR code LIKE 'NTP_NRD.%');

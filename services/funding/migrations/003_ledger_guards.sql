-- Guards found missing in review: the invariants must hold for any writer, not only for the
-- service's own statements.

-- The running total of an allocation moves only through disbursements.
CREATE FUNCTION allocation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.disbursed <> OLD.disbursed AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'allocations.disbursed changes only through disbursements'
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER allocation_guard BEFORE UPDATE ON allocations
  FOR EACH ROW EXECUTE FUNCTION allocation_guard();
CREATE FUNCTION allocation_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a new allocation has nothing disbursed' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER allocation_insert_guard BEFORE INSERT ON allocations
  FOR EACH ROW WHEN (NEW.disbursed <> 0) EXECUTE FUNCTION allocation_insert_guard();

-- Plans: only legal workflow moves, lines only while the plan is editable, and the
-- counterpart ratio checked on every move into SUBMITTED, UNDER_REVIEW or APPROVED, with
-- the programme resolved on 31 December (as nodes are validated) and never skipped silently.
CREATE OR REPLACE FUNCTION plan_counterpart_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.state <> 'DRAFT' THEN
      RAISE EXCEPTION 'a plan starts as DRAFT' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.state = OLD.state THEN
    RETURN NEW;
  END IF;
  IF NOT ((OLD.state IN ('DRAFT', 'RETURNED') AND NEW.state = 'SUBMITTED')
       OR (OLD.state = 'SUBMITTED' AND NEW.state = 'UNDER_REVIEW')
       OR (OLD.state = 'UNDER_REVIEW' AND NEW.state = 'APPROVED')
       OR (OLD.state IN ('SUBMITTED', 'UNDER_REVIEW') AND NEW.state = 'RETURNED')) THEN
    RAISE EXCEPTION 'illegal plan transition % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.state NOT IN ('SUBMITTED', 'UNDER_REVIEW', 'APPROVED') THEN
    RETURN NEW;
  END IF;
  FOR r IN
    SELECT t.programme, t.central, t.counterpart, s.counterpart_ratio AS ratio
      FROM (SELECT programme_of(l.node_code, make_date(NEW.year, 12, 31)) AS programme,
                   coalesce(sum(l.amount) FILTER (WHERE f.central), 0) AS central,
                   coalesce(sum(l.amount) FILTER (WHERE f.local_counterpart), 0) AS counterpart
              FROM plan_lines l JOIN funding_sources f ON f.code = l.source
             WHERE l.plan_id = NEW.id GROUP BY 1) t
      LEFT JOIN LATERAL (SELECT counterpart_ratio FROM programme_settings ps
                          WHERE ps.programme_code = t.programme AND ps.valid_from <= make_date(NEW.year, 12, 31)
                          ORDER BY ps.valid_from DESC LIMIT 1) s ON true
  LOOP
    IF r.programme IS NULL THEN
      RAISE EXCEPTION 'counterpart_ratio: a plan line''s node is not in the catalogue on 31 Dec %', NEW.year
        USING ERRCODE = 'check_violation';
    END IF;
    -- A programme without a settings row has no counterpart requirement (data decides).
    IF r.ratio IS NOT NULL AND r.central > 0 AND r.counterpart < ceil(r.central * r.ratio) THEN
      RAISE EXCEPTION 'counterpart_ratio: programme % needs local counterpart >= % of central % VND (>= % VND), plan has % VND',
        r.programme, r.ratio, r.central, ceil(r.central * r.ratio), r.counterpart
        USING ERRCODE = 'check_violation', CONSTRAINT = 'counterpart_ratio';
    END IF;
  END LOOP;
  RETURN NEW;
END $$;
DROP TRIGGER plan_counterpart_check ON plans;
CREATE TRIGGER plan_counterpart_check BEFORE INSERT OR UPDATE ON plans
  FOR EACH ROW EXECUTE FUNCTION plan_counterpart_check();

CREATE FUNCTION plan_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  SELECT state INTO st FROM plans WHERE id = coalesce(NEW.plan_id, OLD.plan_id);
  IF st NOT IN ('DRAFT', 'RETURNED') THEN
    RAISE EXCEPTION 'the lines of a % plan cannot change', st USING ERRCODE = 'check_violation';
  END IF;
  RETURN coalesce(NEW, OLD);
END $$;
CREATE TRIGGER plan_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON plan_lines
  FOR EACH ROW EXECUTE FUNCTION plan_lines_guard();

-- Support lines: what a line is (household, content, date, amount, place) never changes,
-- and a cancelled line stays cancelled, so support_agg cannot drift from the ledger.
CREATE FUNCTION support_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.household_id, NEW.content, NEW.date, NEW.year, NEW.amount, NEW.commune_code)
     IS DISTINCT FROM (OLD.household_id, OLD.content, OLD.date, OLD.year, OLD.amount, OLD.commune_code) THEN
    RAISE EXCEPTION 'a support line''s household, content, date, amount and commune are fixed; cancel it and record a new one'
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.state = 'CANCELLED' AND NEW.state <> 'CANCELLED' THEN
    RAISE EXCEPTION 'a cancelled support line stays cancelled' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER support_line_guard BEFORE UPDATE ON support_lines
  FOR EACH ROW EXECUTE FUNCTION support_line_guard();

-- One share per node and source within a line (the aggregate and the API assume it).
ALTER TABLE funding_shares ADD CONSTRAINT funding_shares_node_source UNIQUE (line_id, node_code, source);

-- A household's lines are looked up without a state predicate (reports, lists).
CREATE INDEX support_lines_household ON support_lines (household_id, year);

-- A cancelled line frees its external id, so it can be recorded again correctly.
ALTER TABLE support_lines DROP CONSTRAINT support_lines_external_id_key;
CREATE UNIQUE INDEX support_lines_external_id ON support_lines (external_id) WHERE state <> 'CANCELLED';

-- Import rows the ledger refused keep their reason, so every resend reports them again.
ALTER TABLE import_rows ADD COLUMN field text NOT NULL DEFAULT '', ADD COLUMN message text NOT NULL DEFAULT '';

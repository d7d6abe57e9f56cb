-- What a review of the nominations layer found, fixed in the database: a submission, the
-- subject's sex, ethnic group and who the nomination names are fixed once recorded (statistics
-- and the vote guard rely on them); a decision above the agency follows a submission upward;
-- no item is added to a frozen snapshot; the year-end evaluation is after the mid-year one
-- whichever is recorded first.

CREATE OR REPLACE FUNCTION nominations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.state <> 'DRAFT' THEN
      RAISE EXCEPTION 'a nomination starts as DRAFT' USING ERRCODE = 'P0001';
    END IF;
    NEW.subject_name := normalize(NEW.subject_name, NFC);
    NEW.subject_ref := normalize(NEW.subject_ref, NFC);
    NEW.report := normalize(NEW.report, NFC);
    RETURN NEW;
  END IF;
  IF NEW.state IS DISTINCT FROM OLD.state
     AND NOT EXISTS (SELECT 1 FROM nomination_moves WHERE from_state = OLD.state AND to_state = NEW.state) THEN
    RAISE EXCEPTION 'a nomination cannot move from % to %', OLD.state, NEW.state USING ERRCODE = 'P0001';
  END IF;
  IF OLD.ur_meeting_date IS NOT NULL AND (NEW.ur_meeting_date, NEW.ur_attendees, NEW.ur_for, NEW.ur_against, NEW.ur_proposed)
     IS DISTINCT FROM (OLD.ur_meeting_date, OLD.ur_attendees, OLD.ur_for, OLD.ur_against, OLD.ur_proposed) THEN
    RAISE EXCEPTION 'the unit''s review is recorded once' USING ERRCODE = 'P0001';
  END IF;
  IF OLD.sub_date IS NOT NULL AND (NEW.sub_to, NEW.sub_letter, NEW.sub_date, NEW.sub_submitter)
     IS DISTINCT FROM (OLD.sub_to, OLD.sub_letter, OLD.sub_date, OLD.sub_submitter) THEN
    RAISE EXCEPTION 'a submission upward is recorded once' USING ERRCODE = 'P0001';
  END IF;
  -- What was proposed is fixed once created; only the workflow moves.
  IF (NEW.year, NEW.form_code, NEW.subject_kind, NEW.subject_name, NEW.subject_ref, NEW.subject_key, NEW.unit_code,
      NEW.sex, NEW.ethnic_group_code, NEW.household, NEW.subject_principal, NEW.named_keys, NEW.achievements,
      NEW.creator)
     IS DISTINCT FROM (OLD.year, OLD.form_code, OLD.subject_kind, OLD.subject_name, OLD.subject_ref, OLD.subject_key,
                       OLD.unit_code, OLD.sex, OLD.ethnic_group_code, OLD.household, OLD.subject_principal,
                       OLD.named_keys, OLD.achievements, OLD.creator) THEN
    RAISE EXCEPTION 'a nomination''s subject, form, year, achievements and who it names do not change'
      USING ERRCODE = 'P0001';
  END IF;
  NEW.version := OLD.version + 1;
  NEW.update_time := now();
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION decisions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gate decision_rules;
  limit_abs integer;
  share numeric;
  decided bigint;
  base bigint;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'a decision is never changed; revoke it' USING ERRCODE = 'P0001';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM form_authorities
                 WHERE form_code = NEW.form_code AND level = NEW.authority_level AND valid_from <= NEW.date
                   AND (valid_to IS NULL OR NEW.date <= valid_to)) THEN
    RAISE EXCEPTION 'AUTHORITY: % does not decide % on %', NEW.authority_level, NEW.form_code, NEW.date
      USING ERRCODE = 'P0001';
  END IF;
  -- Above the agency, a decision follows a submission upward.
  IF NEW.authority_level IN ('PROVINCIAL_CHAIR', 'MINISTER')
     AND (SELECT state FROM nominations WHERE id = NEW.nomination_id) <> 'SUBMITTED' THEN
    RAISE EXCEPTION 'NOT_SUBMITTED: a % decision follows a submission upward (SubmitNomination)', NEW.authority_level
      USING ERRCODE = 'P0001';
  END IF;
  SELECT * INTO gate FROM decision_rules WHERE code = 'NO_OPEN_INSPECTION';
  IF gate.enabled AND (cardinality(NEW.open_inspections) > 0 OR NEW.open_serious_findings > 0)
     AND btrim(NEW.override_reason) = '' THEN
    RAISE EXCEPTION 'INTEGRITY: the nominee''s unit has % open inspection(s) and % open serious finding(s) (%); an override reason is required',
      cardinality(NEW.open_inspections), NEW.open_serious_findings, gate.legal_basis USING ERRCODE = 'P0001';
  END IF;
  -- Quotas, counted under a lock per form, unit and year so that concurrent decisions queue.
  PERFORM pg_advisory_xact_lock(hashtext('awards.quota'), hashtext(NEW.form_code || '|' || NEW.unit_code || '|' || NEW.year));
  SELECT count(*) INTO decided FROM decisions d JOIN nominations n ON n.id = d.nomination_id
   WHERE d.form_code = NEW.form_code AND d.unit_code = NEW.unit_code AND d.year = NEW.year AND n.state = 'DECIDED';
  SELECT max_count INTO limit_abs FROM quotas WHERE form_code = NEW.form_code AND unit_code = NEW.unit_code AND year = NEW.year;
  IF limit_abs IS NOT NULL AND decided + 1 > limit_abs THEN
    RAISE EXCEPTION 'QUOTA: % of % for unit % in % already decided (quota %)', decided, NEW.form_code, NEW.unit_code,
      NEW.year, limit_abs USING ERRCODE = 'P0001';
  END IF;
  SELECT quota_share INTO share FROM award_forms WHERE code = NEW.form_code;
  IF share IS NOT NULL THEN
    SELECT count(*) INTO base FROM decisions d JOIN nominations n ON n.id = d.nomination_id
     WHERE d.form_code = 'TITLE_ADVANCED_WORKER' AND d.unit_code = NEW.unit_code AND d.year = NEW.year AND n.state = 'DECIDED';
    IF decided + 1 > floor(base * share) THEN
      RAISE EXCEPTION 'QUOTA: % of % for unit % in % already decided; at most % of its % advanced workers (share %)',
        decided, NEW.form_code, NEW.unit_code, NEW.year, floor(base * share), base, share USING ERRCODE = 'P0001';
    END IF;
  END IF;
  RETURN NEW;
END $$;


-- Items are inserted before their snapshot row (the key is deferred), so a snapshot that
-- exists already is complete.
CREATE FUNCTION evidence_items_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM evidence_snapshots WHERE nomination_id = NEW.nomination_id AND seq = NEW.seq) THEN
    RAISE EXCEPTION 'evidence snapshot % of this nomination is frozen: no item is added', NEW.seq USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER evidence_items_closed BEFORE INSERT ON evidence_items
  FOR EACH ROW EXECUTE FUNCTION evidence_items_closed();

CREATE OR REPLACE FUNCTION self_evaluations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  y integer;
  other date;
BEGIN
  -- One registration's evaluations are written one at a time.
  SELECT year INTO y FROM registrations WHERE id = NEW.registration_id FOR UPDATE;
  IF NEW.point = 'MID_YEAR' AND (NEW.date < make_date(y, 6, 1) OR NEW.date > make_date(y, 12, 31)) THEN
    RAISE EXCEPTION 'a mid-year evaluation of % is dated from 1 June to 31 December %', y, y USING ERRCODE = 'P0001';
  END IF;
  IF NEW.point = 'YEAR_END' AND (NEW.date < make_date(y, 11, 1) OR NEW.date > make_date(y + 1, 3, 31)) THEN
    RAISE EXCEPTION 'a year-end evaluation of % is dated from 1 November % to 31 March %', y, y, y + 1
      USING ERRCODE = 'P0001';
  END IF;
  SELECT date INTO other FROM self_evaluations WHERE registration_id = NEW.registration_id AND point <> NEW.point;
  IF other IS NOT NULL AND ((NEW.point = 'YEAR_END' AND NEW.date < other) OR (NEW.point = 'MID_YEAR' AND NEW.date > other)) THEN
    RAISE EXCEPTION 'the year-end evaluation is not dated before the mid-year one' USING ERRCODE = 'P0001';
  END IF;
  NEW.annual_tasks := normalize(NEW.annual_tasks, NFC);
  NEW.summary := normalize(NEW.summary, NFC);
  RETURN NEW;
END $$;

-- Nominations (brief §5.4): a subject proposed for a form for a year, its frozen evidence, the
-- unit's review, the council's votes, the decision or the submission upward, and revocation.
-- The rules of Law 06/2022/QH15 and Decree 98/2023 that can be checked here are checked here:
-- one achievement rewarded once, quotas, the deciding authority by date, maker-checker, the
-- integrity gate, who may vote and on which snapshot, the legal moves between states.

-- How a council counts (Decree 98/2023 council working rules; the shares are UNCONFIRMED).
CREATE TABLE council_rules (
  code           text PRIMARY KEY,
  quorum_share   numeric(4, 3) NOT NULL CHECK (quorum_share > 0 AND quorum_share <= 1),
  majority_share numeric(4, 3) NOT NULL CHECK (majority_share >= 0.5 AND majority_share < 1),
  legal_basis    text NOT NULL,
  confirmed      boolean NOT NULL
);
INSERT INTO council_rules VALUES
  ('DEFAULT', 0.667, 0.500, 'NĐ 98/2023/NĐ-CP, council working rules: two thirds present, more than half in favour (shares UNCONFIRMED)', false);

-- Rules a decision obeys, as data. NO_OPEN_INSPECTION: a nominee under an open inspection or
-- with open serious findings is not decided, unless an override reason is recorded.
CREATE TABLE decision_rules (
  code        text PRIMARY KEY,
  enabled     boolean NOT NULL,
  description text NOT NULL,
  legal_basis text NOT NULL,
  confirmed   boolean NOT NULL
);
INSERT INTO decision_rules VALUES
  ('NO_OPEN_INSPECTION', true,
   'Not decided while the nominee''s unit is under an inspection not yet concluded or has open serious findings',
   'NĐ 98/2023/NĐ-CP (not yet considered for commendation while under inspection or review; article UNCONFIRMED)', false);

-- Prerequisites of a form (brief §5.3 criteria; counts configurable, UNCONFIRMED for 2022).
CREATE TABLE form_prerequisites (
  form_code     text NOT NULL REFERENCES award_forms (code),
  code          text NOT NULL CHECK (code IN ('TITLE_SAME_YEAR', 'TITLE_CONSECUTIVE_YEARS', 'INITIATIVES')),
  required_form text REFERENCES award_forms (code),
  required      integer NOT NULL CHECK (required >= 1),
  window_years  integer NOT NULL DEFAULT 1 CHECK (window_years >= 1),
  description   text NOT NULL,
  legal_basis   text NOT NULL,
  confirmed     boolean NOT NULL,
  PRIMARY KEY (form_code, code),
  CHECK ((code = 'INITIATIVES') = (required_form IS NULL))
);
INSERT INTO form_prerequisites VALUES
  ('TITLE_CSTD_BASE', 'TITLE_SAME_YEAR', 'TITLE_ADVANCED_WORKER', 1, 1,
   'Holds the advanced-worker title of the same year', 'old Law Art. 23; Law 06/2022 believed similar', false),
  ('TITLE_CSTD_BASE', 'INITIATIVES', NULL, 1, 1,
   'Is an author of an initiative recognised in the year', 'old Law Art. 23; Law 06/2022 Art. 3(4)', false),
  ('TITLE_CSTD_PROV', 'TITLE_CONSECUTIVE_YEARS', 'TITLE_CSTD_BASE', 3, 3,
   'Holds the grassroots emulation fighter title in each of the 3 years up to the year', 'old Law Art. 22; the 2022 count is UNCONFIRMED', false);

-- Absolute quotas per form, unit and year (set by the province); the share of award_forms
-- (of the unit's advanced workers of the year) applies as well.
CREATE TABLE quotas (
  form_code text NOT NULL REFERENCES award_forms (code),
  unit_code text NOT NULL CHECK (unit_code ~ '^[0-9]{2,5}$'),
  year      integer NOT NULL,
  max_count integer NOT NULL CHECK (max_count >= 0),
  PRIMARY KEY (form_code, unit_code, year)
);

CREATE TABLE councils (
  id             uuid PRIMARY KEY,
  title          text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
  unit_code      text NOT NULL CHECK (unit_code ~ '^[0-9]{2,5}$'),
  rule_code      text NOT NULL REFERENCES council_rules (code),
  quorum_share   numeric(4, 3) NOT NULL CHECK (quorum_share > 0 AND quorum_share <= 1),
  majority_share numeric(4, 3) NOT NULL CHECK (majority_share >= 0.5 AND majority_share < 1),
  creator        text NOT NULL,
  create_time    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE council_members (
  council_id   uuid NOT NULL REFERENCES councils (id),
  principal    text NOT NULL CHECK (char_length(principal) BETWEEN 1 AND 200),
  display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
  name_key     text NOT NULL,
  role         text NOT NULL DEFAULT '',
  ord          integer NOT NULL,
  PRIMARY KEY (council_id, principal)
);

CREATE TABLE nominations (
  id                uuid PRIMARY KEY,
  movement_id       uuid REFERENCES movements (id),
  year              integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  form_code         text NOT NULL REFERENCES award_forms (code),
  subject_kind      text NOT NULL CHECK (subject_kind IN ('INDIVIDUAL', 'COLLECTIVE', 'HOUSEHOLD')),
  subject_name      text NOT NULL CHECK (char_length(subject_name) BETWEEN 1 AND 200),
  subject_ref       text NOT NULL DEFAULT '',
  subject_key       text NOT NULL,  -- folded name '|' folded ref: the subject across years
  unit_code         text NOT NULL CHECK (unit_code ~ '^[0-9]{2,5}$'),
  sex               text NOT NULL DEFAULT '' CHECK (sex IN ('', 'MALE', 'FEMALE')),
  ethnic_group_code text NOT NULL DEFAULT '' CHECK (ethnic_group_code ~ '^([0-9]{2})?$'),
  household         text NOT NULL DEFAULT '',
  subject_principal text NOT NULL DEFAULT '',
  named_persons     text[] NOT NULL DEFAULT '{}',
  named_keys        text[] NOT NULL DEFAULT '{}',  -- folded: who may not vote on it
  achievements      jsonb NOT NULL CHECK (jsonb_array_length(achievements) BETWEEN 1 AND 20),
  report            text NOT NULL DEFAULT '',
  state             text NOT NULL DEFAULT 'DRAFT',
  -- The unit's review meeting (bình xét).
  ur_meeting_date   date,
  ur_attendees      integer CHECK (ur_attendees >= 1),
  ur_for            integer CHECK (ur_for >= 0),
  ur_against        integer CHECK (ur_against >= 0),
  ur_proposed       boolean,
  ur_minutes        text,
  ur_recorder       text,
  -- Submitted upward.
  sub_to            text,
  sub_letter        text,
  sub_date          date,
  sub_submitter     text,
  creator           text NOT NULL,
  create_time       timestamptz NOT NULL DEFAULT now(),
  update_time       timestamptz NOT NULL DEFAULT now(),
  version           bigint NOT NULL DEFAULT 1,
  CHECK (ur_for IS NULL OR ur_for + ur_against <= ur_attendees),
  -- The meeting proposes with more than half of those present.
  CONSTRAINT unit_review_majority CHECK (ur_proposed IS NOT TRUE OR ur_for * 2 > ur_attendees)
);
CREATE INDEX nominations_year_unit ON nominations (year, unit_code);
CREATE INDEX nominations_subject ON nominations (subject_kind, unit_code, subject_key, form_code, year);

-- The legal moves between states.
CREATE TABLE nomination_moves (
  from_state text NOT NULL,
  to_state   text NOT NULL,
  PRIMARY KEY (from_state, to_state)
);
INSERT INTO nomination_moves VALUES
  ('DRAFT', 'UNIT_REVIEWED'), ('DRAFT', 'UNIT_REJECTED'), ('UNIT_REVIEWED', 'COUNCIL_REVIEW'),
  ('COUNCIL_REVIEW', 'COUNCIL_APPROVED'), ('COUNCIL_REVIEW', 'COUNCIL_REJECTED'),
  ('COUNCIL_APPROVED', 'DECIDED'), ('COUNCIL_APPROVED', 'SUBMITTED'), ('SUBMITTED', 'DECIDED'),
  ('DECIDED', 'REVOKED');

CREATE FUNCTION nominations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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
  -- What was proposed is fixed once created; only the workflow moves.
  IF (NEW.year, NEW.form_code, NEW.subject_kind, NEW.subject_key, NEW.unit_code, NEW.achievements, NEW.creator)
     IS DISTINCT FROM (OLD.year, OLD.form_code, OLD.subject_kind, OLD.subject_key, OLD.unit_code, OLD.achievements, OLD.creator) THEN
    RAISE EXCEPTION 'a nomination''s subject, form, year and achievements do not change' USING ERRCODE = 'P0001';
  END IF;
  NEW.version := OLD.version + 1;
  NEW.update_time := now();
  RETURN NEW;
END $$;
CREATE TRIGGER nominations_guard BEFORE INSERT OR UPDATE ON nominations
  FOR EACH ROW EXECUTE FUNCTION nominations_guard();

-- Evidence snapshots: what the owners answered, frozen. Never updated, never deleted.
CREATE TABLE evidence_snapshots (
  nomination_id   uuid NOT NULL REFERENCES nominations (id),
  seq             integer NOT NULL CHECK (seq >= 1),
  as_of           date NOT NULL,
  taken_time      timestamptz NOT NULL DEFAULT now(),
  owners          jsonb NOT NULL,  -- [{owner, cursor, read_time}]
  items           integer NOT NULL,
  digest          text NOT NULL,
  households      bigint NOT NULL DEFAULT 0,
  households_escaped bigint NOT NULL DEFAULT 0,
  households_em   bigint NOT NULL DEFAULT 0,
  activities      bigint NOT NULL DEFAULT 0,
  participants    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (nomination_id, seq)
);
CREATE TABLE evidence_items (
  nomination_id uuid NOT NULL,
  seq           integer NOT NULL,
  ord           integer NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('EVIDENCE_HOUSEHOLD', 'EVIDENCE_ACTIVITY', 'AREA_POVERTY',
                                              'AREA_DISBURSEMENT', 'AREA_INSPECTION')),
  resource      text NOT NULL,
  commune_code  text NOT NULL DEFAULT '',
  facts         jsonb NOT NULL,
  PRIMARY KEY (nomination_id, seq, ord),
  FOREIGN KEY (nomination_id, seq) REFERENCES evidence_snapshots (nomination_id, seq) DEFERRABLE INITIALLY DEFERRED
);

CREATE FUNCTION evidence_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence snapshots are frozen: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER evidence_snapshots_frozen BEFORE UPDATE OR DELETE ON evidence_snapshots
  FOR EACH ROW EXECUTE FUNCTION evidence_frozen();
CREATE TRIGGER evidence_items_frozen BEFORE UPDATE OR DELETE ON evidence_items
  FOR EACH ROW EXECUTE FUNCTION evidence_frozen();

-- The council review of a nomination, on one snapshot.
CREATE TABLE council_reviews (
  nomination_id uuid PRIMARY KEY REFERENCES nominations (id),
  council_id    uuid NOT NULL REFERENCES councils (id),
  opened_date   date NOT NULL,
  snapshot_seq  integer NOT NULL,
  members       integer NOT NULL,  -- who may vote: the members the nomination does not name
  quorum_met    boolean,
  approved      boolean,
  close_time    timestamptz,
  FOREIGN KEY (nomination_id, snapshot_seq) REFERENCES evidence_snapshots (nomination_id, seq)
);

CREATE TABLE votes (
  nomination_id uuid NOT NULL REFERENCES council_reviews (nomination_id),
  member        text NOT NULL,
  choice        text NOT NULL CHECK (choice IN ('YES', 'NO', 'ABSTAIN')),
  snapshot_seq  integer NOT NULL,
  cast_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (nomination_id, member)
);

-- A vote is cast by a member of the council, who is not named by the nomination, while the
-- review is open, on the snapshot put before the council.
CREATE FUNCTION votes_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r council_reviews;
  n nominations;
  m council_members;
BEGIN
  SELECT * INTO r FROM council_reviews WHERE nomination_id = NEW.nomination_id;
  SELECT * INTO n FROM nominations WHERE id = NEW.nomination_id;
  IF n.state <> 'COUNCIL_REVIEW' OR r.close_time IS NOT NULL THEN
    RAISE EXCEPTION 'the council review of this nomination is not open' USING ERRCODE = 'P0001';
  END IF;
  SELECT * INTO m FROM council_members WHERE council_id = r.council_id AND principal = NEW.member;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'only a member of the council votes' USING ERRCODE = 'P0001';
  END IF;
  IF NEW.member = n.subject_principal OR m.name_key = ANY (n.named_keys) THEN
    RAISE EXCEPTION 'a member never votes on a nomination that names them' USING ERRCODE = 'P0001';
  END IF;
  IF NEW.snapshot_seq <> r.snapshot_seq THEN
    RAISE EXCEPTION 'the vote must be cast on the snapshot before the council (%), not %', r.snapshot_seq, NEW.snapshot_seq
      USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER votes_guard BEFORE INSERT OR UPDATE ON votes FOR EACH ROW EXECUTE FUNCTION votes_guard();

-- The decision. Its subject, form, unit and year are copied from the nomination so that the
-- checks below read one row.
CREATE TABLE decisions (
  nomination_id         uuid PRIMARY KEY REFERENCES nominations (id),
  number                text NOT NULL CHECK (char_length(number) BETWEEN 1 AND 100),
  date                  date NOT NULL,
  authority_level       text NOT NULL,
  signer                text NOT NULL CHECK (char_length(signer) BETWEEN 1 AND 200),
  decider               text NOT NULL,
  nominator             text NOT NULL,
  override_reason       text NOT NULL DEFAULT '',
  open_inspections      text[] NOT NULL DEFAULT '{}',
  open_serious_findings bigint NOT NULL DEFAULT 0,
  inspection_cursor     bigint NOT NULL DEFAULT 0,
  form_code             text NOT NULL,
  unit_code             text NOT NULL,
  year                  integer NOT NULL,
  create_time           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT maker_checker CHECK (decider <> nominator)
);
CREATE INDEX decisions_form_unit_year ON decisions (form_code, unit_code, year);

-- One achievement is rewarded at most once, by one form (Law 06/2022/QH15, principles):
-- the primary key is the rule; two concurrent decisions citing it cannot both commit.
CREATE TABLE rewarded_achievements (
  subject_kind    text NOT NULL,
  unit_code       text NOT NULL,
  subject_key     text NOT NULL,
  achievement_key text NOT NULL,
  nomination_id   uuid NOT NULL REFERENCES decisions (nomination_id),
  CONSTRAINT achievement_rewarded_once PRIMARY KEY (subject_kind, unit_code, subject_key, achievement_key)
);

CREATE FUNCTION decisions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER decisions_guard BEFORE INSERT OR UPDATE OR DELETE ON decisions
  FOR EACH ROW EXECUTE FUNCTION decisions_guard();

-- Revocation (Law 06/2022/QH15 ch. VII): the reasons of the law; the money to recover.
CREATE TABLE revocations (
  nomination_id         uuid PRIMARY KEY REFERENCES decisions (nomination_id),
  reason                text NOT NULL CHECK (reason IN ('FRAUDULENT_DECLARATION', 'FALSE_DOSSIER', 'UNLAWFUL_APPROVAL', 'STANDARD_NOT_MET')),
  number                text NOT NULL CHECK (char_length(number) BETWEEN 1 AND 100),
  date                  date NOT NULL,
  amount_to_recover_vnd bigint NOT NULL CHECK (amount_to_recover_vnd >= 0),
  note                  text NOT NULL DEFAULT '',
  revoker               text NOT NULL,
  create_time           timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION revocations_after_decision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.date < (SELECT date FROM decisions WHERE nomination_id = NEW.nomination_id) THEN
    RAISE EXCEPTION 'a revocation is not dated before its decision' USING ERRCODE = 'P0001';
  END IF;
  NEW.note := normalize(NEW.note, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER revocations_after_decision BEFORE INSERT ON revocations
  FOR EACH ROW EXECUTE FUNCTION revocations_after_decision();

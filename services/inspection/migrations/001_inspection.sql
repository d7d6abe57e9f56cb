-- The inspection schema (brief §6): agencies and the kinds they may run by date, the
-- workflow's deadlines as data, annual plans, decisions (inspections and checks) with their
-- steps and conclusion, findings with frozen references to other services' records,
-- recommendations with follow-ups, and recoveries. The workflow's rules live here, so an
-- illegal move is refused whatever wrote it. Free text is NFC-normalised and length-limited.

-- Who may run what, when. Law 84/2025/QH15 (in force 1 July 2025) abolished department
-- inspectorates: the department's own inspectorate runs inspections only until 30 June 2025;
-- the provincial inspectorate runs them throughout; the department keeps its checks.
CREATE TABLE agencies (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
  display_name text NOT NULL
);
CREATE TABLE agency_kinds (
  agency_code text NOT NULL REFERENCES agencies (code),
  kind        text NOT NULL CHECK (kind IN ('INSPECTION', 'CHECK')),
  valid_from  date NOT NULL,
  valid_to    date CHECK (valid_to IS NULL OR valid_to >= valid_from),
  legal_doc   text NOT NULL,
  PRIMARY KEY (agency_code, kind, valid_from)
);
INSERT INTO agencies (code, display_name) VALUES
  ('PROVINCIAL_INSPECTORATE', 'Thanh tra tỉnh'),
  ('DEPARTMENT_INSPECTORATE', 'Thanh tra Ban Dân tộc tỉnh'),
  ('DEPARTMENT', 'Cơ quan công tác dân tộc tỉnh');
INSERT INTO agency_kinds (agency_code, kind, valid_from, valid_to, legal_doc) VALUES
  ('PROVINCIAL_INSPECTORATE', 'INSPECTION', '2000-01-01', NULL, 'Luật Thanh tra 11/2022/QH15; Luật Thanh tra 84/2025/QH15'),
  ('DEPARTMENT_INSPECTORATE', 'INSPECTION', '2000-01-01', '2025-06-30', 'Luật Thanh tra 11/2022/QH15 (abolished by Luật Thanh tra 84/2025/QH15 from 01/07/2025)'),
  ('DEPARTMENT', 'CHECK', '2000-01-01', NULL, 'managerial checks of the managing agency (brief §6.1)');

-- The workflow's numbers, by date. Durations and limits under the 2025 law are unconfirmed
-- (brief §6.1): the rows say so and the province may add its own from a date.
CREATE TABLE rules (
  code       text NOT NULL CHECK (code IN ('SIGNING_DAYS', 'PUBLICATION_MIN_DAYS', 'APPRAISAL_REQUIRED')),
  valid_from date NOT NULL,
  value      integer NOT NULL CHECK (value >= 0 AND value <= 366),
  legal_doc  text NOT NULL,
  confirmed  boolean NOT NULL,
  PRIMARY KEY (code, valid_from)
);
INSERT INTO rules (code, valid_from, value, legal_doc, confirmed) VALUES
  ('SIGNING_DAYS', '2000-01-01', 15, 'Luật Thanh tra 11/2022/QH15 Art. 78 (the earlier law assumed alike)', false),
  ('SIGNING_DAYS', '2023-07-01', 15, 'Luật Thanh tra 11/2022/QH15 Art. 78', true),
  ('SIGNING_DAYS', '2025-07-01', 15, 'Luật Thanh tra 84/2025/QH15 (limit unconfirmed: assumed unchanged)', false),
  ('PUBLICATION_MIN_DAYS', '2000-01-01', 15, 'NĐ 43/2023/NĐ-CP (the earlier rule assumed alike)', false),
  ('PUBLICATION_MIN_DAYS', '2023-08-15', 15, 'NĐ 43/2023/NĐ-CP', true),
  ('APPRAISAL_REQUIRED', '2000-01-01', 0, 'no mandatory appraisal before Luật Thanh tra 84/2025/QH15', true),
  ('APPRAISAL_REQUIRED', '2025-07-01', 1, 'Luật Thanh tra 84/2025/QH15', true);

-- The rule in force on a day.
CREATE FUNCTION rule_value(rule_code text, day date) RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT value FROM rules WHERE code = rule_code AND valid_from <= day ORDER BY valid_from DESC LIMIT 1
$$;

CREATE TABLE finding_categories (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]{1,39}$'),
  display_name text NOT NULL
);
INSERT INTO finding_categories (code, display_name) VALUES
  ('WRONG_BENEFICIARY', 'Support to a household or person not eligible'),
  ('WRONG_AMOUNT', 'Support above or below the standard amount'),
  ('UNDELIVERED', 'Support recorded but not delivered'),
  ('PROCEDURE', 'Procedure not followed (selection, public posting, records)'),
  ('POOR_QUALITY', 'Works or goods of poor quality'),
  ('MISUSE_OF_FUNDS', 'Funds used for another purpose'),
  ('LATE_DISBURSEMENT', 'Funds disbursed late or not at all'),
  ('OTHER', 'Other');

-- ---- Annual plans ---------------------------------------------------------------------------

CREATE TABLE plans (
  id          uuid PRIMARY KEY,
  agency_code text NOT NULL REFERENCES agencies (code),
  year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  number      text NOT NULL CHECK (char_length(number) BETWEEN 1 AND 100),
  issued_date date NOT NULL,
  creator     text NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_code, year, number)
);

CREATE TABLE plan_items (
  plan_id        uuid NOT NULL REFERENCES plans (id),
  number         integer NOT NULL CHECK (number >= 1),
  kind           text NOT NULL CHECK (kind IN ('INSPECTION', 'CHECK')),
  scope          text NOT NULL CHECK (char_length(scope) BETWEEN 1 AND 1000),
  period_from    date NOT NULL,
  period_to      date NOT NULL CHECK (period_to >= period_from),
  planned_start  date NOT NULL,
  planned_end    date NOT NULL CHECK (planned_end >= planned_start),
  overlap_reason text NOT NULL DEFAULT '' CHECK (char_length(overlap_reason) <= 1000),
  PRIMARY KEY (plan_id, number)
);

-- ---- Decisions: inspections and checks --------------------------------------------------------

CREATE TABLE inspections (
  id              uuid PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('INSPECTION', 'CHECK')),
  agency_code     text NOT NULL REFERENCES agencies (code),
  decision_number text NOT NULL CHECK (char_length(decision_number) BETWEEN 1 AND 100),
  decision_date   date NOT NULL,
  origin          text NOT NULL CHECK (origin IN ('PLANNED', 'AD_HOC')),
  plan_id         uuid,
  plan_item       integer,
  decider         text NOT NULL CHECK (char_length(decider) BETWEEN 1 AND 200),
  leader          text NOT NULL CHECK (char_length(leader) BETWEEN 1 AND 200),
  members         text[] NOT NULL DEFAULT '{}',
  duration_days   integer NOT NULL CHECK (duration_days BETWEEN 1 AND 365),
  scope           text NOT NULL CHECK (char_length(scope) BETWEEN 1 AND 1000),
  period_from     date NOT NULL,
  period_to       date NOT NULL CHECK (period_to >= period_from),
  overlap_reason  text NOT NULL DEFAULT '' CHECK (char_length(overlap_reason) <= 1000),
  state           text NOT NULL DEFAULT 'DECIDED'
                  CHECK (state IN ('DECIDED', 'ANNOUNCED', 'REPORTED', 'DRAFTED', 'APPRAISED', 'CONCLUDED',
                                   'PUBLISHED', 'WITHDRAWN')),
  report_summary  text NOT NULL DEFAULT '' CHECK (char_length(report_summary) <= 8000),
  version         bigint NOT NULL DEFAULT 1,
  creator         text NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_code, decision_number),
  FOREIGN KEY (plan_id, plan_item) REFERENCES plan_items (plan_id, number),
  CHECK ((origin = 'PLANNED') = (plan_id IS NOT NULL AND plan_item IS NOT NULL))
);
CREATE INDEX inspections_decision_date ON inspections (decision_date);

-- An agency runs only the kinds the data allows it on the decision's date.
CREATE FUNCTION inspections_kind_allowed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM agency_kinds
                 WHERE agency_code = NEW.agency_code AND kind = NEW.kind AND valid_from <= NEW.decision_date
                   AND (valid_to IS NULL OR valid_to >= NEW.decision_date)) THEN
    RAISE EXCEPTION 'agency % may not run a % on %', NEW.agency_code, NEW.kind, NEW.decision_date
      USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER inspections_kind_allowed BEFORE INSERT ON inspections
  FOR EACH ROW EXECUTE FUNCTION inspections_kind_allowed();

-- Who and what a plan item or an inspection covers; one table for both, so the overlap rule
-- reads one index. owner: inspectionPlans/{uuid}/items/{n} or inspections/{uuid}.
CREATE TABLE subjects (
  owner          text NOT NULL,
  unit_code      text NOT NULL CHECK (unit_code ~ '^[0-9]{2,5}$'),
  organisation   text NOT NULL DEFAULT '' CHECK (char_length(organisation) <= 200),
  org_key        text NOT NULL DEFAULT '',  -- organisation folded (case, diacritics) by the service
  agency_code    text NOT NULL,
  kind           text NOT NULL,
  year           integer NOT NULL,
  period_from    date NOT NULL,
  period_to      date NOT NULL,
  -- A decision's own plan item is not an overlap of it.
  plan_item      text NOT NULL DEFAULT '',
  overlap_reason text NOT NULL DEFAULT '',
  PRIMARY KEY (owner, unit_code, org_key)
);
CREATE INDEX subjects_overlap ON subjects (unit_code, year);

-- The overlap rule (the complaint provinces make most): a subject inspected or checked again
-- in the same year over an overlapping period needs a recorded reason. The lock serialises
-- writers of one unit, so two concurrent decisions cannot both miss each other.
CREATE FUNCTION subjects_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  other text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lnob.inspection.subject.' || NEW.unit_code));
  IF NEW.overlap_reason <> '' THEN
    RETURN NEW;
  END IF;
  SELECT s.owner INTO other FROM subjects s
   WHERE s.unit_code = NEW.unit_code AND s.year = NEW.year AND s.owner <> NEW.owner
     AND s.owner <> NEW.plan_item AND (NEW.owner <> s.plan_item)
     AND (s.org_key = NEW.org_key OR s.org_key = '' OR NEW.org_key = '')
     AND daterange(s.period_from, s.period_to, '[]') && daterange(NEW.period_from, NEW.period_to, '[]')
   LIMIT 1;
  IF other IS NOT NULL THEN
    RAISE EXCEPTION 'subject % overlaps % and no reason was recorded', NEW.unit_code, other USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER subjects_overlap BEFORE INSERT ON subjects FOR EACH ROW EXECUTE FUNCTION subjects_overlap();

CREATE TABLE data_requests (
  inspection_id  uuid NOT NULL REFERENCES inspections (id),
  seq            integer NOT NULL,
  addressee      text NOT NULL CHECK (char_length(addressee) BETWEEN 1 AND 200),
  description    text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 2000),
  requested_date date NOT NULL,
  due_date       date NOT NULL CHECK (due_date >= requested_date),
  PRIMARY KEY (inspection_id, seq)
);

-- Every move of the workflow, oldest first; the inspection's state is its newest row.
CREATE TABLE inspection_steps (
  inspection_id uuid NOT NULL REFERENCES inspections (id),
  seq           integer NOT NULL,
  to_state      text NOT NULL,
  day           date NOT NULL,
  actor         text NOT NULL,
  note          text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
  at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (inspection_id, seq)
);
INSERT INTO append_only_tables (table_name) VALUES ('inspection_steps') ON CONFLICT DO NOTHING;

-- The conclusion: draft, appraisal, signature, publication. Maker-checker: the signer is the
-- decider (Law 11/2022 Art. 78) and never the drafter.
CREATE TABLE conclusions (
  inspection_id      uuid PRIMARY KEY REFERENCES inspections (id),
  drafter            text NOT NULL,
  draft_date         date NOT NULL,
  text               text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 100000),
  protected_passages jsonb NOT NULL DEFAULT '[]',
  signing_due        date NOT NULL,
  appraiser          text,
  appraisal_date     date CHECK (appraisal_date >= draft_date),
  appraisal_opinion  text CHECK (char_length(appraisal_opinion) <= 8000),
  signer             text,
  number             text CHECK (char_length(number) <= 100),
  signed_date        date CHECK (signed_date >= draft_date),
  late_reason        text NOT NULL DEFAULT '' CHECK (char_length(late_reason) <= 1000),
  published_text     text,
  portal_url         text CHECK (char_length(portal_url) <= 500),
  published_from     date CHECK (published_from >= signed_date),
  withdrawable_from  date,
  withdrawn_date     date,
  withdraw_reason    text NOT NULL DEFAULT '' CHECK (char_length(withdraw_reason) <= 1000),
  CONSTRAINT maker_checker CHECK (signer IS NULL OR signer <> drafter),
  CONSTRAINT signed_in_time CHECK (signed_date IS NULL OR signed_date <= signing_due OR late_reason <> ''),
  CONSTRAINT publication_window CHECK (withdrawn_date IS NULL OR withdrawn_date >= withdrawable_from),
  CONSTRAINT signed_fully CHECK ((signer IS NULL) = (signed_date IS NULL) AND (signer IS NULL) = (number IS NULL))
);

-- The conclusion's text is fixed once signed; the published text never holds a protected
-- passage; the window and the deadline come from the rules of the day.
CREATE FUNCTION conclusions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p jsonb;
BEGIN
  NEW.text := normalize(NEW.text, NFC);
  IF TG_OP = 'INSERT' THEN
    NEW.signing_due := NEW.draft_date + rule_value('SIGNING_DAYS', NEW.draft_date);
  ELSE
    IF OLD.signer IS NOT NULL AND (NEW.text <> OLD.text OR NEW.protected_passages <> OLD.protected_passages
                                   OR NEW.signer <> OLD.signer OR NEW.drafter <> OLD.drafter) THEN
      RAISE EXCEPTION 'a signed conclusion does not change' USING ERRCODE = 'P0001';
    END IF;
    NEW.signing_due := OLD.signing_due;
  END IF;
  IF NEW.published_from IS NOT NULL THEN
    NEW.withdrawable_from := NEW.published_from + rule_value('PUBLICATION_MIN_DAYS', NEW.published_from);
    FOR p IN SELECT * FROM jsonb_array_elements(NEW.protected_passages) LOOP
      IF NEW.published_text IS NULL OR position((p ->> 'text') IN NEW.published_text) > 0 THEN
        RAISE EXCEPTION 'the published text holds a protected passage' USING ERRCODE = 'P0001';
      END IF;
    END LOOP;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER conclusions_guard BEFORE INSERT OR UPDATE ON conclusions
  FOR EACH ROW EXECUTE FUNCTION conclusions_guard();

-- The legal moves. DRAFTED -> CONCLUDED only for drafts the appraisal rule does not cover.
CREATE TABLE transitions (
  from_state text NOT NULL,
  to_state   text NOT NULL,
  PRIMARY KEY (from_state, to_state)
);
INSERT INTO transitions VALUES
  ('DECIDED', 'ANNOUNCED'), ('ANNOUNCED', 'REPORTED'), ('REPORTED', 'DRAFTED'), ('DRAFTED', 'APPRAISED'),
  ('DRAFTED', 'CONCLUDED'), ('APPRAISED', 'CONCLUDED'), ('CONCLUDED', 'PUBLISHED'), ('PUBLISHED', 'WITHDRAWN');

CREATE FUNCTION inspections_state_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c conclusions;
BEGIN
  IF NEW.state = OLD.state THEN
    RETURN NEW;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM transitions WHERE from_state = OLD.state AND to_state = NEW.state) THEN
    RAISE EXCEPTION 'an inspection in state % cannot move to %', OLD.state, NEW.state USING ERRCODE = 'P0001';
  END IF;
  SELECT * INTO c FROM conclusions WHERE inspection_id = NEW.id;
  IF NEW.state IN ('DRAFTED', 'APPRAISED', 'CONCLUDED', 'PUBLISHED', 'WITHDRAWN') AND c.inspection_id IS NULL THEN
    RAISE EXCEPTION 'state % needs a draft conclusion', NEW.state USING ERRCODE = 'P0001';
  END IF;
  IF NEW.state = 'APPRAISED' AND c.appraisal_date IS NULL THEN
    RAISE EXCEPTION 'state APPRAISED needs the appraisal recorded' USING ERRCODE = 'P0001';
  END IF;
  IF NEW.state = 'CONCLUDED' THEN
    IF c.signer IS NULL THEN
      RAISE EXCEPTION 'state CONCLUDED needs the signature recorded' USING ERRCODE = 'P0001';
    END IF;
    IF c.signer <> NEW.decider THEN
      RAISE EXCEPTION 'new row for conclusions violates check constraint "maker_checker": only the decider signs'
        USING ERRCODE = '23514', CONSTRAINT = 'maker_checker';
    END IF;
    IF OLD.state = 'DRAFTED' AND rule_value('APPRAISAL_REQUIRED', c.draft_date) = 1 THEN
      RAISE EXCEPTION 'a draft of % must be appraised before it is signed', c.draft_date USING ERRCODE = 'P0001';
    END IF;
  END IF;
  IF NEW.state = 'PUBLISHED' AND (c.published_from IS NULL OR c.published_text IS NULL) THEN
    RAISE EXCEPTION 'state PUBLISHED needs the publication recorded' USING ERRCODE = 'P0001';
  END IF;
  IF NEW.state = 'WITHDRAWN' AND c.withdrawn_date IS NULL THEN
    RAISE EXCEPTION 'state WITHDRAWN needs the withdrawal recorded' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER inspections_state_guard BEFORE UPDATE OF state ON inspections
  FOR EACH ROW EXECUTE FUNCTION inspections_state_guard();

-- ---- Findings ----------------------------------------------------------------------------------

CREATE TABLE findings (
  id               uuid PRIMARY KEY,
  inspection_id    uuid NOT NULL REFERENCES inspections (id),
  category         text NOT NULL REFERENCES finding_categories (code),
  severity         text NOT NULL CHECK (severity IN ('MINOR', 'MODERATE', 'SERIOUS')),
  description      text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 4000),
  unit_code        text NOT NULL CHECK (unit_code ~ '^[0-9]{2,5}$'),
  found_date       date NOT NULL,
  misused_vnd      bigint NOT NULL DEFAULT 0 CHECK (misused_vnd >= 0),
  to_recover_vnd   bigint NOT NULL DEFAULT 0 CHECK (to_recover_vnd >= 0),
  hold             boolean NOT NULL DEFAULT false,
  hold_active      boolean NOT NULL DEFAULT false,
  hold_lift_reason text NOT NULL DEFAULT '' CHECK (char_length(hold_lift_reason) <= 1000),
  version          bigint NOT NULL DEFAULT 1,
  creator          text NOT NULL,
  create_time      timestamptz NOT NULL DEFAULT now(),
  CHECK (hold OR NOT hold_active),
  CHECK (hold_active OR NOT hold OR hold_lift_reason <> '')
);
CREATE INDEX findings_inspection ON findings (inspection_id);
CREATE INDEX findings_found_date ON findings (found_date);

-- Findings belong to fieldwork: after the announcement, before the signature. Only the hold
-- changes afterwards, and only from active to lifted.
CREATE FUNCTION findings_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT state INTO st FROM inspections WHERE id = NEW.inspection_id FOR SHARE;
    IF st NOT IN ('ANNOUNCED', 'REPORTED', 'DRAFTED', 'APPRAISED') THEN
      RAISE EXCEPTION 'findings are recorded between the announcement and the signature (inspection is %)', st
        USING ERRCODE = 'P0001';
    END IF;
    NEW.description := normalize(NEW.description, NFC);
    NEW.hold_active := NEW.hold;
    RETURN NEW;
  END IF;
  IF (NEW.id, NEW.inspection_id, NEW.category, NEW.severity, NEW.description, NEW.unit_code, NEW.found_date,
      NEW.misused_vnd, NEW.to_recover_vnd, NEW.hold)
     IS DISTINCT FROM (OLD.id, OLD.inspection_id, OLD.category, OLD.severity, OLD.description, OLD.unit_code,
                       OLD.found_date, OLD.misused_vnd, OLD.to_recover_vnd, OLD.hold)
     OR (NEW.hold_active AND NOT OLD.hold_active) THEN
    RAISE EXCEPTION 'a finding does not change; only its hold is lifted' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER findings_guard BEFORE INSERT OR UPDATE ON findings FOR EACH ROW EXECUTE FUNCTION findings_guard();

-- A finding's references, frozen as the owner returned them.
CREATE TABLE finding_refs (
  finding_id   uuid NOT NULL REFERENCES findings (id),
  seq          integer NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('SUPPORT_LINE', 'SUPPORT_SHARE', 'FUNDING_PLAN', 'HOUSEHOLD', 'REVIEW',
                                             'ACTIVITY', 'SUPPORT_EVENT')),
  resource     text NOT NULL,
  node_code    text NOT NULL DEFAULT '',
  source       text NOT NULL DEFAULT '',
  amount_vnd   bigint NOT NULL DEFAULT 0 CHECK (amount_vnd >= 0),
  commune_code text NOT NULL DEFAULT '',
  record_date  date,
  facts        jsonb NOT NULL,
  fetched_at   timestamptz NOT NULL,
  PRIMARY KEY (finding_id, seq),
  UNIQUE (finding_id, kind, resource, node_code, source)
);
CREATE INDEX finding_refs_resource ON finding_refs (resource);
INSERT INTO append_only_tables (table_name) VALUES ('finding_refs') ON CONFLICT DO NOTHING;

-- What each finding says must be recovered, by source and programme node (from its money
-- references): the report by node and the financial recommendations read it.
CREATE TABLE finding_money (
  finding_id uuid NOT NULL REFERENCES findings (id),
  source     text NOT NULL,
  node_code  text NOT NULL,
  amount_vnd bigint NOT NULL CHECK (amount_vnd > 0),
  PRIMARY KEY (finding_id, source, node_code)
);
INSERT INTO append_only_tables (table_name) VALUES ('finding_money') ON CONFLICT DO NOTHING;

-- ---- Recommendations, follow-ups, recoveries ------------------------------------------------------

CREATE TABLE recommendations (
  id            uuid PRIMARY KEY,
  inspection_id uuid NOT NULL REFERENCES inspections (id),
  finding_id    uuid REFERENCES findings (id),
  kind          text NOT NULL CHECK (kind IN ('ADMINISTRATIVE', 'DISCIPLINARY', 'FINANCIAL', 'POLICY')),
  description   text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 4000),
  owner_unit    text NOT NULL CHECK (owner_unit ~ '^[0-9]{2,5}$'),
  deadline      date NOT NULL,
  status        text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'IN_PROGRESS', 'DONE')),
  done_date     date,
  version       bigint NOT NULL DEFAULT 1,
  creator       text NOT NULL,
  create_time   timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'FINANCIAL' OR finding_id IS NOT NULL),
  CHECK ((status = 'DONE') = (done_date IS NOT NULL))
);
CREATE INDEX recommendations_inspection ON recommendations (inspection_id);
CREATE INDEX recommendations_finding ON recommendations (finding_id);
CREATE INDEX recommendations_open_deadline ON recommendations (deadline) WHERE status <> 'DONE';

-- Recommendations are part of the conclusion: made while it is drafted, before publication.
CREATE FUNCTION recommendations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  SELECT state INTO st FROM inspections WHERE id = NEW.inspection_id FOR SHARE;
  IF st NOT IN ('REPORTED', 'DRAFTED', 'APPRAISED', 'CONCLUDED') THEN
    RAISE EXCEPTION 'recommendations are made with the conclusion (inspection is %)', st USING ERRCODE = 'P0001';
  END IF;
  IF NEW.finding_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM findings WHERE id = NEW.finding_id
                                                                       AND inspection_id = NEW.inspection_id) THEN
    RAISE EXCEPTION 'the finding belongs to another inspection' USING ERRCODE = 'P0001';
  END IF;
  NEW.description := normalize(NEW.description, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER recommendations_guard BEFORE INSERT ON recommendations
  FOR EACH ROW EXECUTE FUNCTION recommendations_guard();

-- Follow-up checks, oldest first; the recommendation's status is the newest one's.
CREATE TABLE follow_ups (
  recommendation_id uuid NOT NULL REFERENCES recommendations (id),
  seq               integer NOT NULL,
  day               date NOT NULL,
  status            text NOT NULL CHECK (status IN ('OPEN', 'IN_PROGRESS', 'DONE')),
  evidence          text NOT NULL CHECK (char_length(evidence) BETWEEN 1 AND 1000),
  note              text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
  actor             text NOT NULL,
  at                timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (recommendation_id, seq)
);
INSERT INTO append_only_tables (table_name) VALUES ('follow_ups') ON CONFLICT DO NOTHING;

-- Follow-ups and recoveries start once the conclusion is signed.
CREATE FUNCTION require_signed(rec uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  SELECT i.state INTO st FROM recommendations r JOIN inspections i ON i.id = r.inspection_id WHERE r.id = rec;
  IF st IS NULL OR st NOT IN ('CONCLUDED', 'PUBLISHED', 'WITHDRAWN') THEN
    RAISE EXCEPTION 'follow-up starts once the conclusion is signed (inspection is %)', st USING ERRCODE = 'P0001';
  END IF;
END $$;

CREATE FUNCTION follow_ups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM require_signed(NEW.recommendation_id);
  NEW.evidence := normalize(NEW.evidence, NFC);
  NEW.note := normalize(NEW.note, NFC);
  UPDATE recommendations
     SET status = NEW.status, done_date = CASE WHEN NEW.status = 'DONE' THEN NEW.day END, version = version + 1
   WHERE id = NEW.recommendation_id;
  RETURN NEW;
END $$;
CREATE TRIGGER follow_ups_apply BEFORE INSERT ON follow_ups FOR EACH ROW EXECUTE FUNCTION follow_ups_apply();

-- What a financial recommendation requires, by source and node (its finding's money, copied
-- when it is made), and what has been recovered so far.
CREATE TABLE recovery_requirements (
  recommendation_id uuid NOT NULL REFERENCES recommendations (id),
  source            text NOT NULL,
  node_code         text NOT NULL,
  required_vnd      bigint NOT NULL CHECK (required_vnd > 0),
  recovered_vnd     bigint NOT NULL DEFAULT 0 CHECK (recovered_vnd >= 0),
  PRIMARY KEY (recommendation_id, source, node_code)
);

CREATE TABLE recoveries (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recommendation_id    uuid NOT NULL REFERENCES recommendations (id),
  day                  date NOT NULL,
  amount_vnd           bigint NOT NULL CHECK (amount_vnd > 0),
  source               text NOT NULL,
  node_code            text NOT NULL,
  document             text NOT NULL CHECK (char_length(document) BETWEEN 1 AND 500),
  over_recovery_reason text NOT NULL DEFAULT '' CHECK (char_length(over_recovery_reason) <= 1000),
  creator              text NOT NULL,
  create_time          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recoveries_recommendation ON recoveries (recommendation_id);
INSERT INTO append_only_tables (table_name) VALUES ('recoveries') ON CONFLICT DO NOTHING;

-- A recovery never takes its source and node past what is required, unless it says why.
CREATE FUNCTION recoveries_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  req recovery_requirements;
BEGIN
  PERFORM require_signed(NEW.recommendation_id);
  SELECT * INTO req FROM recovery_requirements
   WHERE recommendation_id = NEW.recommendation_id AND source = NEW.source AND node_code = NEW.node_code FOR UPDATE;
  IF req.recommendation_id IS NULL THEN
    RAISE EXCEPTION 'nothing is to be recovered for source % and node % under this recommendation', NEW.source,
      NEW.node_code USING ERRCODE = 'P0001';
  END IF;
  IF req.recovered_vnd + NEW.amount_vnd > req.required_vnd AND NEW.over_recovery_reason = '' THEN
    RAISE EXCEPTION 'recovered % would exceed the % required', req.recovered_vnd + NEW.amount_vnd, req.required_vnd
      USING ERRCODE = 'P0001';
  END IF;
  UPDATE recovery_requirements SET recovered_vnd = recovered_vnd + NEW.amount_vnd
   WHERE recommendation_id = NEW.recommendation_id AND source = NEW.source AND node_code = NEW.node_code;
  UPDATE recommendations SET version = version + 1 WHERE id = NEW.recommendation_id;
  RETURN NEW;
END $$;
CREATE TRIGGER recoveries_apply BEFORE INSERT ON recoveries FOR EACH ROW EXECUTE FUNCTION recoveries_apply();

-- ---- The change feed (outbox) --------------------------------------------------------------------
-- Written by statement-level triggers in the writing transaction under one advisory lock, so
-- cursor order is commit order (as in the other services).
CREATE TABLE change_feed (
  cursor       bigserial PRIMARY KEY,
  kind         text NOT NULL,
  resource     text NOT NULL,
  commune_code text NOT NULL DEFAULT '',
  event_date   date,
  support_line text NOT NULL DEFAULT '',
  source       text NOT NULL DEFAULT '',
  node_code    text NOT NULL DEFAULT '',
  amount_vnd   bigint NOT NULL DEFAULT 0,
  at           timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION feed_lock() RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtext('lnob.inspection.change_feed'))
$$;

CREATE FUNCTION feed_subjects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, commune_code, event_date)
    SELECT 'INSPECTION_DECIDED', n.owner, n.unit_code, i.decision_date
      FROM new_rows n JOIN inspections i ON n.owner = 'inspections/' || i.id ORDER BY n.owner, n.unit_code;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_subjects AFTER INSERT ON subjects REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_subjects();

CREATE FUNCTION feed_steps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, commune_code, event_date)
    SELECT 'INSPECTION_ADVANCED', 'inspections/' || n.inspection_id, s.unit_code, n.day
      FROM new_rows n JOIN subjects s ON s.owner = 'inspections/' || n.inspection_id
     WHERE n.to_state <> 'DECIDED'  -- the decision itself is INSPECTION_DECIDED
     ORDER BY n.inspection_id, n.seq;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_steps AFTER INSERT ON inspection_steps REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_steps();

CREATE FUNCTION feed_findings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, commune_code, event_date, amount_vnd)
    SELECT 'FINDING_RECORDED', 'findings/' || id, unit_code, found_date, to_recover_vnd FROM new_rows ORDER BY id;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_findings AFTER INSERT ON findings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_findings();

-- A hold covers every support line the finding refers to (as a whole or by a share).
CREATE FUNCTION feed_holds_placed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, commune_code, event_date, support_line)
    SELECT 'HOLD_PLACED', 'findings/' || f.id, min(n.commune_code), f.found_date, n.resource
      FROM new_rows n JOIN findings f ON f.id = n.finding_id
     WHERE f.hold AND n.kind IN ('SUPPORT_LINE', 'SUPPORT_SHARE')
     GROUP BY f.id, f.found_date, n.resource ORDER BY f.id, n.resource;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_holds_placed AFTER INSERT ON finding_refs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_holds_placed();

CREATE FUNCTION feed_holds_lifted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, commune_code, event_date, support_line)
    SELECT 'HOLD_LIFTED', 'findings/' || o.id, min(r.commune_code), current_date, r.resource
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      JOIN finding_refs r ON r.finding_id = o.id AND r.kind IN ('SUPPORT_LINE', 'SUPPORT_SHARE')
     WHERE o.hold_active AND NOT n.hold_active
     GROUP BY o.id, r.resource ORDER BY o.id, r.resource;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_holds_lifted AFTER UPDATE ON findings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_holds_lifted();

CREATE FUNCTION feed_recommendations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, commune_code, event_date)
    SELECT 'RECOMMENDATION_MADE', 'recommendations/' || id, owner_unit, deadline FROM new_rows ORDER BY id;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_recommendations AFTER INSERT ON recommendations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_recommendations();

CREATE FUNCTION feed_follow_ups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, commune_code, event_date)
    SELECT 'FOLLOW_UP_RECORDED', 'recommendations/' || n.recommendation_id, r.owner_unit, n.day
      FROM new_rows n JOIN recommendations r ON r.id = n.recommendation_id ORDER BY n.recommendation_id, n.seq;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_follow_ups AFTER INSERT ON follow_ups REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_follow_ups();

CREATE FUNCTION feed_recoveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, commune_code, event_date, source, node_code, amount_vnd)
    SELECT 'RECOVERY_RECORDED', 'recoveries/' || n.id, r.owner_unit, n.day, n.source, n.node_code, n.amount_vnd
      FROM new_rows n JOIN recommendations r ON r.id = n.recommendation_id ORDER BY n.id;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_recoveries AFTER INSERT ON recoveries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_recoveries();

-- The audit trails are append-only in the database too, whoever connects (lnobctl bootstrap
-- also revokes UPDATE and DELETE on them from the service role: append_only_tables).
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['inspection_steps', 'finding_refs', 'finding_money', 'follow_ups', 'recoveries'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION refuse_change()',
                   t || '_no_change', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()',
                   t || '_no_truncate', t);
  END LOOP;
END $$;

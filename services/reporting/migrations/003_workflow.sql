-- Approval, locking and revisions (DHIS2-style): a report moves DRAFT -> SUBMITTED -> APPROVED
-- -> LOCKED, the approver is never the submitter, and a locked report is never changed: an
-- amendment is the next revision of the same series, composed again. One series per
-- definition, period, unit and geography.

ALTER TABLE reports DROP CONSTRAINT reports_state_check;
ALTER TABLE reports
  ADD CONSTRAINT reports_state_check CHECK (state IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'LOCKED', 'REPLACED')),
  ADD COLUMN series_id        uuid,
  ADD COLUMN revision         integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  ADD COLUMN previous_id      uuid REFERENCES reports (id),
  ADD COLUMN amendment_reason text NOT NULL DEFAULT '',
  ADD COLUMN source           text NOT NULL DEFAULT 'OWNERS' CHECK (source IN ('OWNERS', 'ROLL_UP')),
  ADD COLUMN rolled_up_from   uuid[] NOT NULL DEFAULT '{}',
  ADD COLUMN unit_names       jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN etag             integer NOT NULL DEFAULT 1,
  ADD COLUMN submitter        text,
  ADD COLUMN approver         text,
  ADD COLUMN locker           text,
  ADD COLUMN lock_time        timestamptz,
  ADD COLUMN lock_rule        text,
  -- The rule's words as they were when the report was locked (the rule may be reworded later).
  ADD COLUMN lock_description text,
  ADD COLUMN lock_how_to_amend text;

-- Reports composed before this migration: those of one key become the revisions of one series,
-- the newest its draft.
WITH ranked AS (
  SELECT id, first_value(id) OVER w AS series, row_number() OVER w AS n, lag(id) OVER w AS prev,
         count(*) OVER (PARTITION BY code, period_type, period_year, period_index, unit_code, geography) AS total
  FROM reports
  WINDOW w AS (PARTITION BY code, period_type, period_year, period_index, unit_code, geography ORDER BY create_time, id)
)
UPDATE reports r SET series_id = ranked.series, revision = ranked.n, previous_id = ranked.prev,
                     state = CASE WHEN ranked.n < ranked.total THEN 'REPLACED' ELSE r.state END
FROM ranked WHERE ranked.id = r.id;
ALTER TABLE reports ALTER COLUMN series_id SET NOT NULL;

CREATE UNIQUE INDEX reports_one_series ON reports (code, period_type, period_year, period_index, unit_code, geography, source)
  WHERE revision = 1;
CREATE UNIQUE INDEX reports_revision ON reports (series_id, revision);
-- At most one revision of a series in the workflow at a time.
CREATE UNIQUE INDEX reports_one_open ON reports (series_id) WHERE state IN ('DRAFT', 'SUBMITTED', 'APPROVED');
CREATE INDEX reports_locked_key ON reports (code, period_type, period_year, period_index, geography, unit_code)
  WHERE state = 'LOCKED';

ALTER TABLE reports
  ADD CONSTRAINT maker_checker CHECK (approver IS NULL OR submitter IS NULL OR approver <> submitter),
  ADD CONSTRAINT lock_explained CHECK (state <> 'LOCKED' OR (locker IS NOT NULL AND lock_time IS NOT NULL
                                                            AND lock_rule IS NOT NULL AND lock_description IS NOT NULL
                                                            AND lock_how_to_amend IS NOT NULL)),
  -- Only a locked report carries a lock.
  ADD CONSTRAINT lock_only_when_locked CHECK (state = 'LOCKED' OR (locker IS NULL AND lock_time IS NULL
                                                                   AND lock_rule IS NULL));

-- Why a report is locked and how to amend it: data, so that the words are the province's.
CREATE TABLE lock_rules (
  rule         text PRIMARY KEY,
  description  text NOT NULL,
  how_to_amend text NOT NULL
);
INSERT INTO lock_rules VALUES
  ('APPROVED_REPORT',
   'Báo cáo đã được phê duyệt và khóa: số liệu sau này thay đổi không làm thay đổi báo cáo đã gửi '
   '(an approved report is locked; later changes to the data never alter it).',
   'Lập bản sửa đổi (POST /v1/{report}:revise, lnobctl report revise) nêu lý do: báo cáo được tổng hợp lại '
   'thành phiên bản mới, có bảng so sánh với phiên bản đã khóa, và được trình, duyệt, khóa như bản đầu; '
   'phiên bản đã khóa giữ nguyên.');
ALTER TABLE reports ADD CONSTRAINT reports_lock_rule FOREIGN KEY (lock_rule) REFERENCES lock_rules (rule);

-- The legal moves.
CREATE TABLE report_moves (
  from_state text NOT NULL,
  to_state   text NOT NULL,
  PRIMARY KEY (from_state, to_state)
);
INSERT INTO report_moves VALUES
  ('DRAFT', 'SUBMITTED'), ('SUBMITTED', 'DRAFT'), ('SUBMITTED', 'APPROVED'), ('APPROVED', 'DRAFT'),
  ('APPROVED', 'LOCKED'), ('DRAFT', 'REPLACED');

CREATE TABLE report_events (
  report_id  uuid NOT NULL REFERENCES reports (id),
  seq        bigserial,
  from_state text NOT NULL,
  to_state   text NOT NULL,
  actor      text NOT NULL,
  time       timestamptz NOT NULL DEFAULT now(),
  note       text NOT NULL DEFAULT '',
  PRIMARY KEY (report_id, seq)
);

-- A report's content never changes; its state only by a legal move; a locked one not at all.
CREATE FUNCTION reports_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'FROZEN: a report is never deleted' USING ERRCODE = 'P0001';
  END IF;
  IF OLD.state = 'LOCKED' THEN
    RAISE EXCEPTION 'LOCKED: the report was locked by % at % (rule %); amend it with a new revision',
      OLD.locker, OLD.lock_time, OLD.lock_rule USING ERRCODE = 'P0001';
  END IF;
  IF (NEW.id, NEW.code, NEW.version, NEW.period_type, NEW.period_year, NEW.period_index, NEW.unit_code,
      NEW.geography, NEW.digest, NEW.creator, NEW.create_time, NEW.series_id, NEW.revision, NEW.previous_id,
      NEW.amendment_reason, NEW.source, NEW.rolled_up_from, NEW.unit_names)
     IS DISTINCT FROM
     (OLD.id, OLD.code, OLD.version, OLD.period_type, OLD.period_year, OLD.period_index, OLD.unit_code,
      OLD.geography, OLD.digest, OLD.creator, OLD.create_time, OLD.series_id, OLD.revision, OLD.previous_id,
      OLD.amendment_reason, OLD.source, OLD.rolled_up_from, OLD.unit_names) THEN
    RAISE EXCEPTION 'FROZEN: a composed report''s content never changes' USING ERRCODE = 'P0001';
  END IF;
  -- Who submitted and approved changes only with a move.
  IF NEW.state = OLD.state AND (NEW.submitter, NEW.approver) IS DISTINCT FROM (OLD.submitter, OLD.approver) THEN
    RAISE EXCEPTION 'FROZEN: who submitted and approved a report changes only with a move' USING ERRCODE = 'P0001';
  END IF;
  IF NEW.state <> OLD.state AND NOT EXISTS (SELECT 1 FROM report_moves WHERE from_state = OLD.state
                                                                         AND to_state = NEW.state) THEN
    RAISE EXCEPTION 'ILLEGAL_MOVE: a % report cannot become %', OLD.state, NEW.state USING ERRCODE = 'P0001';
  END IF;
  NEW.etag := OLD.etag + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER reports_guard BEFORE UPDATE OR DELETE ON reports FOR EACH ROW EXECUTE FUNCTION reports_guard();
CREATE TRIGGER report_events_frozen BEFORE UPDATE OR DELETE ON report_events
  FOR EACH ROW EXECUTE FUNCTION reports_frozen();
-- The rules are data changed by a migration (a locked report keeps the words it was locked under).
CREATE TRIGGER lock_rules_read_only BEFORE UPDATE OR DELETE ON lock_rules
  FOR EACH ROW EXECUTE FUNCTION definitions_read_only();
CREATE TRIGGER report_moves_read_only BEFORE UPDATE OR DELETE ON report_moves
  FOR EACH ROW EXECUTE FUNCTION definitions_read_only();

-- An input is read from its owner, or summed from the child units' locked reports.
ALTER TABLE report_inputs ADD COLUMN source text NOT NULL DEFAULT 'OWNER' CHECK (source IN ('OWNER', 'ROLL_UP'));

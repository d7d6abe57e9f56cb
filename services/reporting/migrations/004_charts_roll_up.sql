-- Charts of the XLSX export and roll-up rules, as data of a definition version; and version 2
-- of the periodic ethnic-work report, which adds the poverty rates by unit and its charts.

-- A native chart drawn from one table indicator's rows.
CREATE TABLE report_charts (
  code           text NOT NULL,
  version        integer NOT NULL,
  seq            integer NOT NULL,
  indicator_code text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('COLUMN', 'BAR', 'LINE')),
  title          text NOT NULL,
  category_field text NOT NULL CHECK (category_field ~ '^[a-z_]+$'),
  value_fields   text[] NOT NULL CHECK (cardinality(value_fields) BETWEEN 1 AND 6),
  y_axis_title   text NOT NULL DEFAULT '',
  PRIMARY KEY (code, version, seq),
  FOREIGN KEY (code, version, indicator_code) REFERENCES report_indicators (code, version, indicator_code)
);

-- How an indicator rolls up from the child units' locked reports. SUM: quantities (int64
-- fields) add up by row, every other field is the row's key, ratios are recomputed from
-- roll_up_ratios; OWNER: not additive (a target's threshold, inspections and awards of bodies
-- above the communes), read from the owner for the parent unit. No rule: OWNER.
CREATE TABLE indicator_roll_up (
  code           text NOT NULL,
  version        integer NOT NULL,
  indicator_code text NOT NULL,
  mode           text NOT NULL CHECK (mode IN ('SUM', 'OWNER')),
  reason         text NOT NULL,
  PRIMARY KEY (code, version, indicator_code),
  FOREIGN KEY (code, version, indicator_code) REFERENCES report_indicators (code, version, indicator_code)
);

-- A ratio field is not summed: it is numerator / denominator * factor of the summed row.
CREATE TABLE roll_up_ratios (
  field       text PRIMARY KEY,
  numerator   text NOT NULL,
  denominator text NOT NULL,
  factor      double precision NOT NULL
);
INSERT INTO roll_up_ratios VALUES
  ('poverty_rate_percent', 'poor', 'households_registered', 100),
  ('near_poverty_rate_percent', 'near_poor', 'households_registered', 100),
  ('disbursement_rate', 'disbursed_vnd', 'allocated_vnd', 1);

-- An indicator may apply to some years only (a target of 2022-2025 has no figure for 2026):
-- a report of another year goes without it. NULL: every year.
ALTER TABLE report_indicators
  ADD COLUMN first_year integer CHECK (first_year BETWEEN 2000 AND 2100),
  ADD COLUMN last_year integer CHECK (last_year BETWEEN 2000 AND 2100),
  ADD CHECK (first_year IS NULL OR last_year IS NULL OR first_year <= last_year);

-- ---- ETHNIC_WORK_PERIODIC version 2: version 1 and the poverty rates by unit; the target of
-- KH 47 (1,000 ethnic-minority poor households escaping a year) for its years 2022-2025.
INSERT INTO report_definitions
  SELECT code, 2, title, regime, legal_basis, period_types, ad_hoc, layout_confirmed, valid_from, valid_to
  FROM report_definitions WHERE code = 'ETHNIC_WORK_PERIODIC' AND version = 1;
INSERT INTO due_rules
  SELECT code, 2, seq, period_type, kind, days, month, day, year_offset, description, legal_basis, confirmed
  FROM due_rules WHERE code = 'ETHNIC_WORK_PERIODIC' AND version = 1;
INSERT INTO report_sections
  SELECT code, 2, seq, section_code, title FROM report_sections WHERE code = 'ETHNIC_WORK_PERIODIC' AND version = 1;
INSERT INTO report_indicators
  SELECT code, 2, section_code, seq, indicator_code, label, method, params, select_path, unit_of_measure, confirmed,
         CASE WHEN indicator_code = 'EM_ESCAPES_TARGET' THEN 2022 END,
         CASE WHEN indicator_code = 'EM_ESCAPES_TARGET' THEN 2025 END
  FROM report_indicators WHERE code = 'ETHNIC_WORK_PERIODIC' AND version = 1;
INSERT INTO report_indicators VALUES
  ('ETHNIC_WORK_PERIODIC', 2, 'POVERTY', 3, 'POVERTY_RATES', 'Tỷ lệ hộ nghèo, hộ cận nghèo theo đơn vị',
   'lnob.registry.v1.HouseholdService/GetStatistics', '{"by_child_unit": true}', 'totals', '%', false, NULL, NULL);

INSERT INTO report_charts VALUES
  ('ETHNIC_WORK_PERIODIC', 2, 1, 'POVERTY_RATES', 'COLUMN', 'Tỷ lệ hộ nghèo, hộ cận nghèo theo đơn vị (%)',
   'unit_code', ARRAY['poverty_rate_percent', 'near_poverty_rate_percent'], '%'),
  ('ETHNIC_WORK_PERIODIC', 2, 2, 'EM_ESCAPES_TARGET', 'COLUMN',
   'Hộ đồng bào DTTS thoát nghèo so với mục tiêu 1.000 hộ/năm', 'year', ARRAY['achieved', 'threshold'], 'hộ'),
  ('ETHNIC_WORK_PERIODIC', 2, 3, 'DISBURSEMENT_BY_SOURCE', 'BAR', 'Phân bổ và giải ngân theo nguồn vốn',
   'source', ARRAY['allocated_vnd', 'disbursed_vnd'], 'đồng');

INSERT INTO indicator_roll_up VALUES
  ('ETHNIC_WORK_PERIODIC', 2, 'HOUSEHOLDS_BY_CLASS', 'SUM', 'households live in communes'),
  ('ETHNIC_WORK_PERIODIC', 2, 'TRANSITIONS', 'SUM', 'households live in communes'),
  ('ETHNIC_WORK_PERIODIC', 2, 'POVERTY_RATES', 'SUM', 'households live in communes; rates recomputed'),
  ('ETHNIC_WORK_PERIODIC', 2, 'EM_ESCAPES_TARGET', 'OWNER', 'the target is the province''s: its threshold is no sum'),
  ('ETHNIC_WORK_PERIODIC', 2, 'DISBURSEMENT_BY_SOURCE', 'OWNER',
   'plans and allocations are also made to the district and the province, which no commune reports'),
  ('ETHNIC_WORK_PERIODIC', 2, 'REACH', 'SUM', 'activities are held in villages and communes'),
  ('ETHNIC_WORK_PERIODIC', 2, 'COVERAGE', 'SUM', 'villages lie in communes'),
  ('ETHNIC_WORK_PERIODIC', 2, 'RECOMMENDATIONS_DONE', 'OWNER', 'inspections of provincial bodies belong to no commune'),
  ('ETHNIC_WORK_PERIODIC', 2, 'RECOVERED', 'OWNER', 'inspections of provincial bodies belong to no commune'),
  ('ETHNIC_WORK_PERIODIC', 2, 'AWARDS_DECIDED', 'OWNER', 'awards to provincial collectives belong to no commune'),
  ('POVERTY_REVIEW_RESULTS', 1, 'HOUSEHOLDS_BY_CLASS', 'SUM', 'households live in communes'),
  ('NTP1719_MONITORING', 1, 'ESCAPES', 'SUM', 'households live in communes'),
  ('NTP1719_MONITORING', 1, 'NTP_EM_DISBURSEMENT', 'OWNER',
   'plans and allocations are also made to the district and the province, which no commune reports');

-- Charts and roll-up rules belong to a definition version: a migration adds a version, never
-- edits one (a locked report re-exports as it was).
CREATE TRIGGER report_charts_read_only BEFORE UPDATE OR DELETE ON report_charts
  FOR EACH ROW EXECUTE FUNCTION definitions_read_only();
CREATE TRIGGER indicator_roll_up_read_only BEFORE UPDATE OR DELETE ON indicator_roll_up
  FOR EACH ROW EXECUTE FUNCTION definitions_read_only();
CREATE TRIGGER roll_up_ratios_read_only BEFORE UPDATE OR DELETE ON roll_up_ratios
  FOR EACH ROW EXECUTE FUNCTION definitions_read_only();

-- Long-running compositions (google.longrunning style): progress, outcome, cancellation.
CREATE TABLE operations (
  id               uuid PRIMARY KEY,
  state            text NOT NULL DEFAULT 'RUNNING' CHECK (state IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  done_steps       integer NOT NULL DEFAULT 0,
  total_steps      integer NOT NULL DEFAULT 0,
  report_id        uuid REFERENCES reports (id),
  error_code       text NOT NULL DEFAULT '',
  error_message    text NOT NULL DEFAULT '',
  cancel_requested boolean NOT NULL DEFAULT false,
  creator          text NOT NULL,
  code             text NOT NULL,
  period_type      text NOT NULL,
  period_year      integer NOT NULL,
  period_index     integer NOT NULL DEFAULT 0,
  unit_code        text NOT NULL DEFAULT '',
  create_time      timestamptz NOT NULL DEFAULT now(),
  update_time      timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'SUCCEEDED') = (report_id IS NOT NULL))
);
CREATE INDEX operations_creator ON operations (creator, id DESC);

-- The reporting schema, first layer: report definitions as versioned data (brief §8). A
-- definition names its regime and legal basis, the period types it is made for, when each is
-- due, and its sections of indicators, each bound to a statistics call of the service that
-- owns the number. What the brief marks UNCONFIRMED says so (`confirmed`); a province corrects
-- a definition with a new version in a migration, never by editing one in use.

CREATE TABLE report_definitions (
  code             text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]{2,39}$'),
  version          integer NOT NULL CHECK (version >= 1),
  title            text NOT NULL,
  regime           text NOT NULL CHECK (regime IN ('ETHNIC_WORK', 'NTP1719_MONITORING', 'EMULATION_STATISTICS',
                                                   'POVERTY_REVIEW')),
  legal_basis      text NOT NULL,
  period_types     text[] NOT NULL CHECK (period_types <@ ARRAY['MONTH', 'QUARTER', 'HALF_YEAR', 'YEAR']
                                          AND cardinality(period_types) >= 1),
  ad_hoc           boolean NOT NULL DEFAULT false,
  layout_confirmed boolean NOT NULL,
  valid_from       date NOT NULL,
  valid_to         date CHECK (valid_to IS NULL OR valid_to >= valid_from),
  PRIMARY KEY (code, version)
);

CREATE TABLE due_rules (
  code        text NOT NULL,
  version     integer NOT NULL,
  seq         integer NOT NULL,
  period_type text NOT NULL CHECK (period_type IN ('MONTH', 'QUARTER', 'HALF_YEAR', 'YEAR')),
  kind        text NOT NULL CHECK (kind IN ('AFTER_PERIOD_END', 'FIXED_DATE')),
  days        integer NOT NULL DEFAULT 0 CHECK (days >= 0),
  month       integer NOT NULL DEFAULT 0 CHECK (month BETWEEN 0 AND 12),
  day         integer NOT NULL DEFAULT 0 CHECK (day BETWEEN 0 AND 31),
  year_offset integer NOT NULL DEFAULT 0 CHECK (year_offset BETWEEN 0 AND 1),
  description text NOT NULL,
  legal_basis text NOT NULL,
  confirmed   boolean NOT NULL,
  PRIMARY KEY (code, version, seq),
  FOREIGN KEY (code, version) REFERENCES report_definitions (code, version),
  -- A fixed date is for annual reports and names a real day.
  CHECK (kind = 'AFTER_PERIOD_END' OR (period_type = 'YEAR' AND month >= 1 AND day >= 1
                                       AND make_date(2001, month, day) IS NOT NULL))
);

CREATE TABLE report_sections (
  code         text NOT NULL,
  version      integer NOT NULL,
  seq          integer NOT NULL,
  section_code text NOT NULL,
  title        text NOT NULL,
  PRIMARY KEY (code, version, seq),
  UNIQUE (code, version, section_code),
  FOREIGN KEY (code, version) REFERENCES report_definitions (code, version)
);

-- The statistics calls an indicator may name: the owners' read-only answers for a period and unit.
CREATE TABLE statistic_methods (
  method text PRIMARY KEY,
  owner  text NOT NULL CHECK (owner IN ('registry', 'funding', 'campaigns', 'inspection', 'awards'))
);
INSERT INTO statistic_methods VALUES
  ('lnob.registry.v1.HouseholdService/GetStatistics', 'registry'),
  ('lnob.registry.v1.HouseholdService/GetTargetProgress', 'registry'),
  ('lnob.funding.v1.FundingService/GetDisbursementReport', 'funding'),
  ('lnob.campaigns.v1.CampaignsService/GetStatistics', 'campaigns'),
  ('lnob.campaigns.v1.CampaignsService/GetCoverage', 'campaigns'),
  ('lnob.inspection.v1.InspectionService/GetStatistics', 'inspection'),
  ('lnob.awards.v1.AwardsService/GetStatistics', 'awards'),
  ('lnob.awards.v1.AwardsService/GetAnnualReport', 'awards');

CREATE TABLE report_indicators (
  code            text NOT NULL,
  version         integer NOT NULL,
  section_code    text NOT NULL,
  seq             integer NOT NULL,
  indicator_code  text NOT NULL,
  label           text NOT NULL,
  method          text NOT NULL REFERENCES statistic_methods (method),
  params          jsonb NOT NULL DEFAULT '{}',
  select_path     text NOT NULL CHECK (select_path ~ '^[a-z_]+(\.[a-z_]+)*$'),
  unit_of_measure text NOT NULL DEFAULT '',
  confirmed       boolean NOT NULL,
  PRIMARY KEY (code, version, section_code, seq),
  UNIQUE (code, version, indicator_code),
  FOREIGN KEY (code, version, section_code) REFERENCES report_sections (code, version, section_code)
);

-- ---- The definitions the brief describes (§8), version 1.

INSERT INTO report_definitions VALUES
  ('ETHNIC_WORK_PERIODIC', 1, 'Báo cáo định kỳ công tác dân tộc', 'ETHNIC_WORK',
   'TT 06/2022/TT-UBDT (monthly, quarterly, 6-month and annual; thematic and ad hoc too)',
   ARRAY['MONTH', 'QUARTER', 'HALF_YEAR', 'YEAR'], true, false, '2023-02-15', NULL),
  ('NTP1719_MONITORING', 1, 'Báo cáo giám sát, đánh giá Chương trình MTQG 1719', 'NTP1719_MONITORING',
   'TT 01/2022/TT-UBDT (progress every 3 months; commune certification before 10/09; annual update before 25/01)',
   ARRAY['QUARTER', 'YEAR'], false, false, '2022-01-01', NULL),
  ('EMULATION_STATISTICS', 1, 'Thống kê thi đua, khen thưởng (biểu 0602.N/BNV-TĐKT)', 'EMULATION_STATISTICS',
   'TT 02/2023/TT-BNV (annual, received by 15/12)', ARRAY['YEAR'], false, false, '2023-01-01', NULL),
  ('POVERTY_REVIEW_RESULTS', 1, 'Kết quả rà soát hộ nghèo, hộ cận nghèo', 'POVERTY_REVIEW',
   'QĐ 24/2021/QĐ-TTg (annual, after the 01/09–14/12 review)', ARRAY['YEAR'], false, false, '2022-01-01', NULL);

INSERT INTO due_rules VALUES
  ('ETHNIC_WORK_PERIODIC', 1, 1, 'MONTH', 'AFTER_PERIOD_END', 5, 0, 0, 0,
   'monthly report', 'TT 06/2022/TT-UBDT; the day is UNCONFIRMED', false),
  ('ETHNIC_WORK_PERIODIC', 1, 2, 'QUARTER', 'AFTER_PERIOD_END', 10, 0, 0, 0,
   'quarterly report', 'TT 06/2022/TT-UBDT; the day is UNCONFIRMED', false),
  ('ETHNIC_WORK_PERIODIC', 1, 3, 'HALF_YEAR', 'AFTER_PERIOD_END', 10, 0, 0, 0,
   '6-month report', 'TT 06/2022/TT-UBDT; the day is UNCONFIRMED', false),
  ('ETHNIC_WORK_PERIODIC', 1, 4, 'YEAR', 'AFTER_PERIOD_END', 15, 0, 0, 0,
   'annual report', 'TT 06/2022/TT-UBDT; the day is UNCONFIRMED', false),
  ('NTP1719_MONITORING', 1, 1, 'QUARTER', 'AFTER_PERIOD_END', 10, 0, 0, 0,
   'quarterly progress data', 'TT 01/2022/TT-UBDT (every 3 months; the day is UNCONFIRMED)', false),
  ('NTP1719_MONITORING', 1, 2, 'YEAR', 'FIXED_DATE', 0, 9, 10, 0,
   'the commune certifies the investor''s report (before 10 September of the year)', 'TT 01/2022/TT-UBDT', true),
  ('NTP1719_MONITORING', 1, 3, 'YEAR', 'FIXED_DATE', 0, 1, 25, 1,
   'the year''s figures are updated (before 25 January of the next year)', 'TT 01/2022/TT-UBDT', true),
  ('EMULATION_STATISTICS', 1, 1, 'YEAR', 'FIXED_DATE', 0, 12, 15, 0,
   'form 0602.N received by 15 December', 'TT 02/2023/TT-BNV', true),
  ('POVERTY_REVIEW_RESULTS', 1, 1, 'YEAR', 'FIXED_DATE', 0, 12, 31, 0,
   'the review ends 14 December; the report''s date is UNCONFIRMED', 'QĐ 24/2021/QĐ-TTg', false);

INSERT INTO report_sections VALUES
  ('ETHNIC_WORK_PERIODIC', 1, 1, 'POVERTY', 'Hộ nghèo, hộ cận nghèo và biến động'),
  ('ETHNIC_WORK_PERIODIC', 1, 2, 'TARGETS', 'Mục tiêu 1.000 hộ đồng bào dân tộc thiểu số thoát nghèo'),
  ('ETHNIC_WORK_PERIODIC', 1, 3, 'FUNDING', 'Kế hoạch, phân bổ và giải ngân vốn'),
  ('ETHNIC_WORK_PERIODIC', 1, 4, 'CAMPAIGNS', 'Tuyên truyền, vận động'),
  ('ETHNIC_WORK_PERIODIC', 1, 5, 'INSPECTION', 'Thanh tra, kiểm tra'),
  ('ETHNIC_WORK_PERIODIC', 1, 6, 'AWARDS', 'Thi đua, khen thưởng'),
  ('NTP1719_MONITORING', 1, 1, 'FUNDING', 'Vốn Chương trình MTQG 1719'),
  ('NTP1719_MONITORING', 1, 2, 'RESULTS', 'Kết quả giảm nghèo'),
  ('EMULATION_STATISTICS', 1, 1, 'AWARDS', 'Biểu 0602.N'),
  ('POVERTY_REVIEW_RESULTS', 1, 1, 'POVERTY', 'Kết quả rà soát');

INSERT INTO report_indicators VALUES
  ('ETHNIC_WORK_PERIODIC', 1, 'POVERTY', 1, 'HOUSEHOLDS_BY_CLASS', 'Hộ nghèo, cận nghèo theo đơn vị và dân tộc',
   'lnob.registry.v1.HouseholdService/GetStatistics', '{"by_child_unit": true}', 'rows', 'hộ', false),
  ('ETHNIC_WORK_PERIODIC', 1, 'POVERTY', 2, 'TRANSITIONS', 'Hộ thoát nghèo, tái nghèo, nghèo mới',
   'lnob.registry.v1.HouseholdService/GetStatistics', '{}', 'transitions', 'hộ', false),
  ('ETHNIC_WORK_PERIODIC', 1, 'TARGETS', 1, 'EM_ESCAPES_TARGET', 'Tiến độ mục tiêu hộ DTTS thoát nghèo',
   'lnob.registry.v1.HouseholdService/GetTargetProgress', '{"name": "targets/EM_POOR_ESCAPE_1000"}', 'years', 'hộ', false),
  ('ETHNIC_WORK_PERIODIC', 1, 'FUNDING', 1, 'DISBURSEMENT_BY_SOURCE', 'Kế hoạch, phân bổ, giải ngân, tạm giữ theo nguồn',
   'lnob.funding.v1.FundingService/GetDisbursementReport', '{"group_by": ["BY_SOURCE"]}', 'rows', 'đồng', false),
  ('ETHNIC_WORK_PERIODIC', 1, 'CAMPAIGNS', 1, 'REACH', 'Hoạt động và lượt người được tuyên truyền',
   'lnob.campaigns.v1.CampaignsService/GetStatistics', '{}', 'attendances', 'lượt', false),
  ('ETHNIC_WORK_PERIODIC', 1, 'CAMPAIGNS', 2, 'COVERAGE', 'Thôn, bản chưa có hoạt động',
   'lnob.campaigns.v1.CampaignsService/GetCoverage', '{}', 'villages_without_activity', 'thôn', false),
  ('ETHNIC_WORK_PERIODIC', 1, 'INSPECTION', 1, 'RECOMMENDATIONS_DONE', 'Kiến nghị đã thực hiện',
   'lnob.inspection.v1.InspectionService/GetStatistics', '{}', 'recommendations_done', 'kiến nghị', false),
  ('ETHNIC_WORK_PERIODIC', 1, 'INSPECTION', 2, 'RECOVERED', 'Số tiền đã thu hồi',
   'lnob.inspection.v1.InspectionService/GetStatistics', '{}', 'recovered_vnd', 'đồng', false),
  ('ETHNIC_WORK_PERIODIC', 1, 'AWARDS', 1, 'AWARDS_DECIDED', 'Khen thưởng theo hình thức',
   'lnob.awards.v1.AwardsService/GetStatistics', '{}', 'by_form', 'trường hợp', false),
  ('NTP1719_MONITORING', 1, 'FUNDING', 1, 'NTP_EM_DISBURSEMENT', 'Giải ngân theo dự án',
   'lnob.funding.v1.FundingService/GetDisbursementReport', '{"group_by": ["BY_NODE"]}', 'rows', 'đồng', false),
  ('NTP1719_MONITORING', 1, 'RESULTS', 1, 'ESCAPES', 'Hộ thoát nghèo',
   'lnob.registry.v1.HouseholdService/GetStatistics', '{}', 'transitions', 'hộ', false),
  ('EMULATION_STATISTICS', 1, 'AWARDS', 1, 'FORM_0602N', 'Biểu 0602.N theo hình thức khen thưởng',
   'lnob.awards.v1.AwardsService/GetAnnualReport', '{}', 'rows', 'trường hợp', false),
  ('POVERTY_REVIEW_RESULTS', 1, 'POVERTY', 1, 'HOUSEHOLDS_BY_CLASS', 'Hộ nghèo, cận nghèo sau rà soát',
   'lnob.registry.v1.HouseholdService/GetStatistics', '{"by_child_unit": true, "by_ethnic_group": true}', 'rows', 'hộ', false);

-- Definitions are data the service reads: it never writes them (a new version comes with a
-- migration).
CREATE FUNCTION definitions_read_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is changed by a migration (a new version), never in place', TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER report_definitions_read_only BEFORE UPDATE OR DELETE ON report_definitions
  FOR EACH ROW EXECUTE FUNCTION definitions_read_only();

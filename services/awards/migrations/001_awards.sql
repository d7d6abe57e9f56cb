-- The awards schema, first layer (brief §5): award forms and titles as data with the authority
-- that decides each by date, emulation movements with their plans and targets, and the
-- registrations of units, people and households. Free text is NFC-normalised here.

-- Award forms and titles (Law 06/2022/QH15 Art. 80; brief §5.3). Criteria and quotas the brief
-- marks UNCONFIRMED say so; a province corrects them with a migration row, not with code.
CREATE TABLE award_forms (
  code               text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
  display_name       text NOT NULL,
  title              boolean NOT NULL,
  recipients         text[] NOT NULL CHECK (recipients <@ ARRAY['INDIVIDUAL', 'COLLECTIVE', 'HOUSEHOLD']
                                            AND cardinality(recipients) >= 1),
  criteria           text NOT NULL DEFAULT '',
  criteria_confirmed boolean NOT NULL DEFAULT false,
  quota_share        numeric(4, 3) CHECK (quota_share > 0 AND quota_share <= 1),
  quota_confirmed    boolean NOT NULL DEFAULT false
);
INSERT INTO award_forms (code, display_name, title, recipients, criteria, criteria_confirmed, quota_share, quota_confirmed) VALUES
  ('TITLE_ADVANCED_WORKER', 'Lao động tiên tiến', true, ARRAY['INDIVIDUAL'],
   'Completes the year''s tasks well (Law 06/2022/QH15)', false, NULL, false),
  ('TITLE_CSTD_BASE', 'Chiến sĩ thi đua cơ sở', true, ARRAY['INDIVIDUAL'],
   'Meets the advanced-worker standard and has an initiative recognised by the unit (old Law Art. 23; 2022 law believed similar)',
   false, 0.150, false),
  ('TITLE_COLLECTIVE_ADVANCED', 'Tập thể lao động tiên tiến', true, ARRAY['COLLECTIVE'],
   'Completes tasks well; more than 50% of members advanced workers; no member disciplined at warning level or above (old Law Art. 28)',
   false, NULL, false),
  ('TITLE_COLLECTIVE_EXCELLENT', 'Tập thể lao động xuất sắc', true, ARRAY['COLLECTIVE'],
   'All members complete tasks; at least 70% advanced workers and one grassroots emulation fighter; no one disciplined (old-law practice)',
   false, NULL, false),
  ('TITLE_CSTD_PROV', 'Chiến sĩ thi đua tỉnh', true, ARRAY['INDIVIDUAL'],
   'Chosen among holders of consecutive grassroots emulation fighter titles (3 under the old law; the 2022 count is unconfirmed)',
   false, NULL, false),
  ('TITLE_FLAG_PROV', 'Cờ thi đua của UBND tỉnh', true, ARRAY['COLLECTIVE'],
   'Leads an emulation bloc', false, NULL, false),
  ('AWARD_GK_HEAD', 'Giấy khen', false, ARRAY['INDIVIDUAL', 'COLLECTIVE', 'HOUSEHOLD'], '', false, NULL, false),
  ('AWARD_BK_PROV_CHAIR', 'Bằng khen của Chủ tịch UBND tỉnh', false, ARRAY['INDIVIDUAL', 'COLLECTIVE', 'HOUSEHOLD'],
   'Comprehensive or movement-specific achievement (e.g. 2 consecutive years of excellent tasks with 2 initiatives)',
   false, NULL, false),
  ('TITLE_CULTURAL_FAMILY', 'Gia đình văn hóa', true, ARRAY['HOUSEHOLD'], '', false, NULL, false);

-- Who decides a form on a date (Law 06/2022/QH15 Art. 80; district chairs until 30 June 2025).
CREATE TABLE form_authorities (
  form_code  text NOT NULL REFERENCES award_forms (code),
  level      text NOT NULL CHECK (level IN ('AGENCY_HEAD', 'COMMUNE_CHAIR', 'DISTRICT_CHAIR', 'PROVINCIAL_CHAIR', 'MINISTER')),
  valid_from date NOT NULL,
  valid_to   date CHECK (valid_to IS NULL OR valid_to >= valid_from),
  legal_doc  text NOT NULL,
  confirmed  boolean NOT NULL,
  PRIMARY KEY (form_code, level, valid_from)
);
INSERT INTO form_authorities (form_code, level, valid_from, valid_to, legal_doc, confirmed) VALUES
  ('TITLE_ADVANCED_WORKER', 'AGENCY_HEAD', '2024-01-01', NULL, 'Luật 06/2022/QH15 Art. 80(1)', true),
  ('TITLE_ADVANCED_WORKER', 'COMMUNE_CHAIR', '2024-01-01', NULL, 'Luật 06/2022/QH15 Art. 80(3)', true),
  ('TITLE_ADVANCED_WORKER', 'DISTRICT_CHAIR', '2024-01-01', '2025-06-30', 'Luật 06/2022/QH15 Art. 80(2); districts end 30/06/2025', true),
  ('TITLE_CSTD_BASE', 'AGENCY_HEAD', '2024-01-01', NULL, 'Luật 06/2022/QH15 Art. 80(1)', true),
  ('TITLE_CSTD_BASE', 'DISTRICT_CHAIR', '2024-01-01', '2025-06-30', 'Luật 06/2022/QH15 Art. 80(2); districts end 30/06/2025', true),
  ('TITLE_COLLECTIVE_ADVANCED', 'AGENCY_HEAD', '2024-01-01', NULL, 'Luật 06/2022/QH15 Art. 80(1)', true),
  ('TITLE_COLLECTIVE_ADVANCED', 'DISTRICT_CHAIR', '2024-01-01', '2025-06-30', 'Luật 06/2022/QH15 Art. 80(2); districts end 30/06/2025', true),
  ('TITLE_COLLECTIVE_EXCELLENT', 'PROVINCIAL_CHAIR', '2024-01-01', NULL, 'provincial practice; article UNCONFIRMED', false),
  ('TITLE_CSTD_PROV', 'PROVINCIAL_CHAIR', '2024-01-01', NULL, 'provincial practice; article UNCONFIRMED', false),
  ('TITLE_FLAG_PROV', 'PROVINCIAL_CHAIR', '2024-01-01', NULL, 'provincial practice; article UNCONFIRMED', false),
  ('AWARD_GK_HEAD', 'AGENCY_HEAD', '2024-01-01', NULL, 'Luật 06/2022/QH15 Art. 80(1)', true),
  ('AWARD_GK_HEAD', 'COMMUNE_CHAIR', '2024-01-01', NULL, 'Luật 06/2022/QH15 Art. 80(3)', true),
  ('AWARD_GK_HEAD', 'DISTRICT_CHAIR', '2024-01-01', '2025-06-30', 'Luật 06/2022/QH15 Art. 80(2); districts end 30/06/2025', true),
  ('AWARD_BK_PROV_CHAIR', 'PROVINCIAL_CHAIR', '2024-01-01', NULL, 'provincial practice; article UNCONFIRMED', false),
  ('TITLE_CULTURAL_FAMILY', 'COMMUNE_CHAIR', '2024-01-01', NULL, 'Luật 06/2022/QH15 Art. 80(3)', true);

-- An emulation movement launched by a plan.
CREATE TABLE movements (
  id            uuid PRIMARY KEY,
  number        text NOT NULL UNIQUE CHECK (char_length(number) BETWEEN 1 AND 100),
  title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  launched_date date NOT NULL,
  launched_by   text NOT NULL CHECK (char_length(launched_by) BETWEEN 1 AND 200),
  parent_plans  text[] NOT NULL DEFAULT '{}',
  period_from   date NOT NULL,
  period_to     date NOT NULL CHECK (period_to >= period_from),
  owner_unit    text NOT NULL CHECK (owner_unit ~ '^[0-9]{2,5}$'),
  targets       jsonb NOT NULL DEFAULT '[]',
  creator       text NOT NULL,
  create_time   timestamptz NOT NULL DEFAULT now()
);

-- A subject registered for a year of a movement with its targets; one per subject (the name
-- folded by the service), movement and year.
CREATE TABLE registrations (
  id              uuid PRIMARY KEY,
  movement_id     uuid NOT NULL REFERENCES movements (id),
  year            integer NOT NULL,
  subject_kind    text NOT NULL CHECK (subject_kind IN ('INDIVIDUAL', 'COLLECTIVE', 'HOUSEHOLD')),
  subject_name    text NOT NULL CHECK (char_length(subject_name) BETWEEN 1 AND 200),
  subject_key     text NOT NULL,
  unit_code       text NOT NULL CHECK (unit_code ~ '^[0-9]{2,5}$'),
  household       text NOT NULL DEFAULT '',
  registered_date date NOT NULL,
  targets         jsonb NOT NULL CHECK (jsonb_array_length(targets) >= 1),
  creator         text NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (movement_id, year, subject_kind, unit_code, subject_key)
);
CREATE INDEX registrations_movement_year ON registrations (movement_id, year, unit_code);

-- A registration falls in its movement's period.
CREATE FUNCTION registrations_in_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  m movements;
BEGIN
  SELECT * INTO m FROM movements WHERE id = NEW.movement_id;
  IF NEW.year < extract(year FROM m.period_from) OR NEW.year > extract(year FROM m.period_to) THEN
    RAISE EXCEPTION 'year % is outside the movement''s period % to %', NEW.year, m.period_from, m.period_to
      USING ERRCODE = 'P0001';
  END IF;
  NEW.subject_name := normalize(NEW.subject_name, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER registrations_in_period BEFORE INSERT ON registrations
  FOR EACH ROW EXECUTE FUNCTION registrations_in_period();

CREATE FUNCTION movements_normalise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.number := normalize(NEW.number, NFC);
  NEW.title := normalize(NEW.title, NFC);
  NEW.launched_by := normalize(NEW.launched_by, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER movements_normalise BEFORE INSERT ON movements FOR EACH ROW EXECUTE FUNCTION movements_normalise();

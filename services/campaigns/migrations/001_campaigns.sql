-- The campaigns schema: reference data (languages, activity types), campaigns and the
-- communication activities with their reach. Free text is NFC-normalised and length-limited
-- here, whatever the caller sent; breakdowns never exceed their totals, checked at commit.

-- The province's languages (Bình Phước and Đồng Nai: the languages of its larger ethnic
-- minorities, plus Vietnamese). ISO 639-3 codes are from the SIL register; the scripts in use
-- for materials are not confirmed by an official source here, so the rows say so.
CREATE TABLE languages (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]{1,19}$'),
  display_name text NOT NULL,
  iso_639_3    text NOT NULL DEFAULT '',
  script       text NOT NULL,
  ethnic_group text NOT NULL CHECK (ethnic_group ~ '^[0-9]{2}$'),
  unconfirmed  boolean NOT NULL DEFAULT true,
  note         text NOT NULL DEFAULT ''
);
INSERT INTO languages (code, display_name, iso_639_3, script, ethnic_group, unconfirmed, note) VALUES
  ('VI', 'Tiếng Việt', 'vie', 'Latin (chữ Quốc ngữ)', '01', false, 'the national language'),
  ('MNONG', 'Tiếng M''nông', 'cmo', 'Latin (Vietnamese-based alphabet)', '20', true, 'Central Mnong; other Mnong varieties exist'),
  ('STIENG', 'Tiếng X''tiêng', 'sti', 'Latin (Vietnamese-based alphabet)', '22', true, 'Bulo Stieng'),
  ('KHMER', 'Tiếng Khmer', 'khm', 'Khmer', '05', true, ''),
  ('CHORO', 'Tiếng Chơ Ro', 'crw', 'Latin (Vietnamese-based alphabet)', '31', true, 'Chrau'),
  ('HOA', 'Tiếng Hoa', 'yue', 'Han (traditional and simplified)', '06', true, 'Cantonese assumed; Hoa communities also speak other Chinese varieties'),
  ('TAY', 'Tiếng Tày', 'tyz', 'Latin (Vietnamese-based alphabet)', '02', true, ''),
  ('NUNG', 'Tiếng Nùng', 'nut', 'Latin (Vietnamese-based alphabet)', '07', true, '');

-- Activity types: brief §7. The first four are seen in the sources; the rest are typical and
-- their place in TT 02/2022/TT-UBDT's list is unconfirmed.
CREATE TABLE activity_types (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]{1,39}$'),
  display_name text NOT NULL,
  legal_doc    text NOT NULL,
  unconfirmed  boolean NOT NULL DEFAULT true
);
INSERT INTO activity_types (code, display_name, legal_doc, unconfirmed) VALUES
  ('CONF_HONOURING', 'Conferences honouring advanced examples; meetings with prestigious persons and village elders', 'QĐ 1719/QĐ-TTg Project 10 SP1', false),
  ('TRAINING_PRESTIGIOUS', 'Training and legal-dissemination classes for prestigious persons, village heads and religious dignitaries', 'QĐ 1719/QĐ-TTg Project 10 SP1; TT 02/2022/TT-UBDT', false),
  ('BILLBOARD', 'Billboards and panels (pa-nô) in villages', 'QĐ 1719/QĐ-TTg Project 10', false),
  ('IT_SUPPORT_POINT', 'IT support points for ethnic-minority communities', 'QĐ 1719/QĐ-TTg Project 10 SP2; QĐ 414/QĐ-TTg', false),
  ('VILLAGE_MEETING', 'Mobilisation at village meetings (họp thôn, ấp)', 'TT 02/2022/TT-UBDT (typical)', true),
  ('LOUDSPEAKER_RADIO', 'Loudspeakers, commune radio, broadcasts in ethnic-minority languages', 'QĐ 1521/QĐ-TTg (typical)', true),
  ('LEAFLET_HANDBOOK', 'Leaflets, handbooks, bilingual materials', 'TT 02/2022/TT-UBDT (typical)', true),
  ('CONTEST', 'Contests, legal-knowledge competitions, stage performances', 'TT 02/2022/TT-UBDT (typical)', true),
  ('MEDIA', 'Press, provincial TV and radio features, website posts', 'TT 02/2022/TT-UBDT (typical)', true),
  ('LEGAL_AID', 'Legal-aid sessions', 'QĐ 1719/QĐ-TTg Project 10 SP1', true);

CREATE TABLE campaigns (
  id             uuid PRIMARY KEY,
  title          text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  topics         text[] NOT NULL CHECK (cardinality(topics) >= 1),
  start_date     date NOT NULL,
  end_date       date NOT NULL CHECK (end_date >= start_date),
  target_units   text[] NOT NULL DEFAULT '{}',
  programme_node text NOT NULL DEFAULT '',
  owner_unit     text NOT NULL CHECK (owner_unit ~ '^[0-9]{2,5}$'),
  status         text NOT NULL DEFAULT 'PLANNED' CHECK (status IN ('PLANNED', 'ACTIVE', 'CLOSED')),
  version        bigint NOT NULL DEFAULT 1,
  creator        text NOT NULL,
  create_time    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaign_budget (
  campaign_id uuid NOT NULL REFERENCES campaigns (id),
  line_no     int NOT NULL,
  source      text NOT NULL,
  node_code   text NOT NULL,
  amount      bigint NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (campaign_id, line_no)
);

CREATE TABLE activities (
  id                   uuid PRIMARY KEY,
  campaign_id          uuid REFERENCES campaigns (id),
  activity_type        text NOT NULL REFERENCES activity_types (code),
  topics               text[] NOT NULL DEFAULT '{}',
  start_date           date NOT NULL,
  end_date             date NOT NULL CHECK (end_date >= start_date),
  commune_code         text NOT NULL CHECK (commune_code ~ '^[0-9]{5}$'),
  village              text NOT NULL DEFAULT '' CHECK (char_length(village) <= 200),
  sessions             int NOT NULL CHECK (sessions >= 1),
  participants_total   bigint NOT NULL CHECK (participants_total >= 0),
  participants_em      bigint NOT NULL DEFAULT 0 CHECK (participants_em BETWEEN 0 AND participants_total),
  participants_women   bigint NOT NULL DEFAULT 0 CHECK (participants_women BETWEEN 0 AND participants_total),
  participants_prestigious bigint NOT NULL DEFAULT 0
                       CHECK (participants_prestigious BETWEEN 0 AND participants_total),
  outcome              text NOT NULL DEFAULT '' CHECK (char_length(outcome) <= 4000),
  version              bigint NOT NULL DEFAULT 1,
  creator              text NOT NULL,
  create_time          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_campaign ON activities (campaign_id, id);
CREATE INDEX activities_commune ON activities (commune_code, start_date);

-- Reach of one activity by ethnic group (registry codes 01-54) or language.
CREATE TABLE activity_reach (
  activity_id  uuid NOT NULL REFERENCES activities (id),
  kind         text NOT NULL CHECK (kind IN ('ETHNIC_GROUP', 'LANGUAGE')),
  code         text NOT NULL,
  participants bigint NOT NULL CHECK (participants >= 0),
  PRIMARY KEY (activity_id, kind, code),
  CHECK (kind <> 'ETHNIC_GROUP' OR (code ~ '^[0-9]{2}$' AND code::int BETWEEN 1 AND 54))
);
CREATE TABLE activity_spent (
  activity_id uuid NOT NULL REFERENCES activities (id),
  line_no     int NOT NULL,
  source      text NOT NULL,
  node_code   text NOT NULL,
  amount      bigint NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (activity_id, line_no)
);

-- A language breakdown names a known language.
CREATE FUNCTION activity_reach_language() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'LANGUAGE' AND NOT EXISTS (SELECT 1 FROM languages WHERE code = NEW.code) THEN
    RAISE EXCEPTION 'unknown language %', NEW.code USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER activity_reach_language BEFORE INSERT OR UPDATE ON activity_reach
  FOR EACH ROW EXECUTE FUNCTION activity_reach_language();

-- Each breakdown sums to at most the activity's total, checked when the transaction commits
-- (the activity and its breakdown rows are written together).
CREATE FUNCTION activity_reach_within_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM activity_reach r JOIN activities a ON a.id = r.activity_id
              WHERE r.activity_id = NEW.activity_id
              GROUP BY r.kind, a.participants_total HAVING sum(r.participants) > a.participants_total) THEN
    RAISE EXCEPTION 'a breakdown of activity % exceeds its participants_total', NEW.activity_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'activity_reach_within_total';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER activity_reach_within_total AFTER INSERT OR UPDATE ON activity_reach
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION activity_reach_within_total();

CREATE FUNCTION campaigns_text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.title := normalize(NEW.title, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER campaigns_text_nfc BEFORE INSERT OR UPDATE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION campaigns_text_nfc();

CREATE FUNCTION activities_text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.village := normalize(NEW.village, NFC);
  NEW.outcome := normalize(NEW.outcome, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER activities_text_nfc BEFORE INSERT OR UPDATE ON activities
  FOR EACH ROW EXECUTE FUNCTION activities_text_nfc();

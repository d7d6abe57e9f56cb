-- Prestigious persons and village elders (QĐ 12/2018/QĐ-TTg, amended by QĐ 28/2023/QĐ-TTg):
-- the register, its status history, the support events they receive, their part in
-- activities, and the audit of every read that disclosed their personal data.

-- Where they are drawn from: QĐ 12/2018 Art. 4(2).
CREATE TABLE person_source_groups (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]{1,39}$'),
  display_name text NOT NULL,
  legal_doc    text NOT NULL
);
INSERT INTO person_source_groups (code, display_name, legal_doc) VALUES
  ('RETIRED_CADRE', 'Retired cadres, civil servants or armed-forces members', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('VILLAGE_ELDER', 'Village elders (già làng)', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('VILLAGE_HEAD', 'Village heads (trưởng thôn, ấp)', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('CLAN_HEAD', 'Clan heads (trưởng dòng họ)', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('RITUAL_OFFICIANT', 'Ritual officiants (thầy mo, thầy cúng)', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('RELIGIOUS_DIGNITARY', 'Religious dignitaries and officials', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('INTELLECTUAL', 'Intellectuals', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('ENTREPRENEUR', 'Entrepreneurs', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('TEACHER', 'Teachers', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('HEALER', 'Healers (thầy thuốc)', 'QĐ 12/2018/QĐ-TTg Art. 4(2)'),
  ('WELL_OFF_HELPER', 'Well-off people who help others', 'QĐ 12/2018/QĐ-TTg Art. 4(2)');

-- Who recognises, removes and replaces them, by date. The district level ended on 30 June
-- 2025; its replacement is not confirmed (a draft decree was under consultation in 2026).
CREATE TABLE recognition_authorities (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]{1,39}$'),
  display_name text NOT NULL,
  valid_from   date NOT NULL,
  valid_to     date CHECK (valid_to >= valid_from),
  legal_doc    text NOT NULL,
  unconfirmed  boolean NOT NULL DEFAULT true,
  note         text NOT NULL DEFAULT ''
);
INSERT INTO recognition_authorities (code, display_name, valid_from, valid_to, legal_doc, unconfirmed, note) VALUES
  ('DISTRICT_PC_CHAIR', 'Chair of the district People''s Committee', '2018-04-24', '2025-06-30',
   'QĐ 12/2018/QĐ-TTg; QĐ 28/2023/QĐ-TTg', false, 'inoperative since the district level ended'),
  ('COMMUNE_PC_CHAIR', 'Chair of the commune People''s Committee', '2025-07-01', NULL,
   'unconfirmed (two-level local government from 1 July 2025)', true, 'likely successor; a replacing decree was a draft in March 2026'),
  ('PROVINCE_PC_CHAIR', 'Chair of the provincial People''s Committee', '2025-07-01', NULL,
   'unconfirmed (two-level local government from 1 July 2025)', true, 'possible successor; a replacing decree was a draft in March 2026');

-- Support event types (QĐ 12/2018 Art. 7-8 as amended) and their standard amounts by date.
-- The amounts are the province's decision and not confirmed here.
CREATE TABLE support_event_types (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]{1,39}$'),
  display_name text NOT NULL,
  note         text NOT NULL DEFAULT ''
);
INSERT INTO support_event_types (code, display_name, note) VALUES
  ('TET_GIFT', 'Visits and gifts at Tết and ethnic festivals', ''),
  ('SICK_VISIT', 'Visits when ill', ''),
  ('CONDOLENCE', 'Condolence support (the person or a family member)', ''),
  ('TRAINING', 'Training and study visits', 'counts as reaching the person (QĐ 414/QĐ-TTg)'),
  ('INFO', 'Information provision (newspapers, briefings)', 'counts as reaching the person (QĐ 414/QĐ-TTg)'),
  ('COMMENDATION', 'Commendation', '');
CREATE TABLE support_event_amounts (
  code        text NOT NULL REFERENCES support_event_types (code),
  valid_from  date NOT NULL,
  amount      bigint NOT NULL CHECK (amount >= 0),
  basis       text NOT NULL CHECK (char_length(basis) BETWEEN 1 AND 500),
  unconfirmed boolean NOT NULL DEFAULT true,
  actor       text NOT NULL DEFAULT 'migration',
  record_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (code, valid_from)
);
INSERT INTO support_event_amounts (code, valid_from, amount, basis) VALUES
  ('TET_GIFT', '2018-04-24', 500000, 'example: Tết gift per person in 2026 (communes of former Ninh Thuận); not this province''s decision');

CREATE TABLE persons (
  id             uuid PRIMARY KEY,
  full_name      text NOT NULL CHECK (char_length(full_name) BETWEEN 1 AND 200),
  birth_year     int NOT NULL CHECK (birth_year BETWEEN 1900 AND 2100),
  sex            text NOT NULL CHECK (sex IN ('MALE', 'FEMALE')),
  ethnic_group   text NOT NULL CHECK (ethnic_group ~ '^[0-9]{2}$' AND ethnic_group::int BETWEEN 1 AND 54),
  citizen_id     text NOT NULL DEFAULT '' CHECK (citizen_id = '' OR citizen_id ~ '^[0-9]{12}$'),
  commune_code   text NOT NULL CHECK (commune_code ~ '^[0-9]{5}$'),
  village        text NOT NULL DEFAULT '' CHECK (char_length(village) <= 200),
  village_ref    text NOT NULL DEFAULT '' CHECK (village_ref = '' OR village_ref ~ '^villages/[0-9a-f-]{36}$'),
  source_group   text NOT NULL REFERENCES person_source_groups (code),
  decision_number text NOT NULL CHECK (char_length(decision_number) BETWEEN 1 AND 100),
  decision_date  date NOT NULL,
  decision_authority text NOT NULL REFERENCES recognition_authorities (code),
  term_start     date NOT NULL,
  term_end       date CHECK (term_end >= term_start),
  status         text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'REMOVED', 'REPLACED', 'DECEASED')),
  status_date    date NOT NULL,
  version        bigint NOT NULL DEFAULT 1,
  creator        text NOT NULL,
  create_time    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_commune ON persons (commune_code, id);
-- One citizen is recognised once.
CREATE UNIQUE INDEX persons_citizen_id ON persons (citizen_id) WHERE citizen_id <> '';

CREATE FUNCTION persons_text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.full_name := normalize(NEW.full_name, NFC);
  NEW.village := normalize(NEW.village, NFC);
  NEW.decision_number := normalize(NEW.decision_number, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER persons_text_nfc BEFORE INSERT OR UPDATE ON persons
  FOR EACH ROW EXECUTE FUNCTION persons_text_nfc();

-- The recognising authority must be in force on the decision's date.
CREATE FUNCTION persons_authority_in_force() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM recognition_authorities
                  WHERE code = NEW.decision_authority AND valid_from <= NEW.decision_date
                    AND (valid_to IS NULL OR valid_to >= NEW.decision_date)) THEN
    RAISE EXCEPTION 'authority % does not recognise prestigious persons on %', NEW.decision_authority, NEW.decision_date
      USING ERRCODE = 'check_violation', CONSTRAINT = 'persons_authority_in_force';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER persons_authority_in_force BEFORE INSERT OR UPDATE OF decision_authority, decision_date ON persons
  FOR EACH ROW EXECUTE FUNCTION persons_authority_in_force();

-- Every status a person had, the recognition first; append-only.
CREATE TABLE person_status_history (
  person_id      uuid NOT NULL REFERENCES persons (id),
  seq            int NOT NULL,
  status         text NOT NULL CHECK (status IN ('ACTIVE', 'REMOVED', 'REPLACED', 'DECEASED')),
  effective_date date NOT NULL,
  reason         text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
  decision_number text NOT NULL DEFAULT '',
  replaced_by    uuid REFERENCES persons (id),
  actor          text NOT NULL,
  record_time    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, seq),
  CHECK ((status = 'REPLACED') = (replaced_by IS NOT NULL))
);
INSERT INTO append_only_tables (table_name) VALUES ('person_status_history') ON CONFLICT DO NOTHING;

-- A person's row always agrees with the newest entry of its history: the status changes only
-- together with a history entry (written in the same transaction, checked at commit).
CREATE FUNCTION persons_status_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last record;
BEGIN
  SELECT status, effective_date INTO last FROM person_status_history
   WHERE person_id = NEW.id ORDER BY seq DESC LIMIT 1;
  IF last IS NULL OR last.status <> NEW.status OR last.effective_date <> NEW.status_date THEN
    RAISE EXCEPTION 'person % has status % on % without a matching history entry', NEW.id, NEW.status, NEW.status_date
      USING ERRCODE = 'check_violation', CONSTRAINT = 'persons_status_recorded';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER persons_status_recorded AFTER INSERT OR UPDATE ON persons
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION persons_status_recorded();

CREATE TABLE support_events (
  id           uuid PRIMARY KEY,
  person_id    uuid NOT NULL REFERENCES persons (id),
  event_type   text NOT NULL REFERENCES support_event_types (code),
  event_date   date NOT NULL,
  amount       bigint NOT NULL CHECK (amount >= 0),
  source       text NOT NULL DEFAULT '',
  node_code    text NOT NULL DEFAULT '',
  note         text NOT NULL DEFAULT '' CHECK (char_length(note) <= 1000),
  commune_code text NOT NULL CHECK (commune_code ~ '^[0-9]{5}$'),
  creator      text NOT NULL,
  create_time  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_events_person ON support_events (person_id, event_date);
CREATE INDEX support_events_date ON support_events (event_date, event_type);

-- Persons' part in activities.
CREATE TABLE activity_persons (
  activity_id uuid NOT NULL REFERENCES activities (id),
  person_id   uuid NOT NULL REFERENCES persons (id),
  role        text NOT NULL CHECK (role IN ('ORGANISER', 'SPEAKER', 'PARTICIPANT')),
  PRIMARY KEY (activity_id, person_id)
);
CREATE INDEX activity_persons_person ON activity_persons (person_id);

-- Reads that disclosed personal data of persons (Decree 13/2023), append-only and hash-chained
-- like the registry's: each row's hash covers the previous row's.
CREATE TABLE pii_audit (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  method      text NOT NULL,
  request_id  text NOT NULL,
  person_ids  uuid[] NOT NULL,
  purpose     text NOT NULL DEFAULT '',
  categories  text NOT NULL,
  chain_seq   bigint NOT NULL UNIQUE,
  prev_hash   text NOT NULL,
  row_hash    text NOT NULL
);
INSERT INTO append_only_tables (table_name) VALUES ('pii_audit') ON CONFLICT DO NOTHING;
CREATE FUNCTION pii_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('lnob.campaigns.pii_audit_chain'));
  SELECT chain_seq, row_hash INTO last FROM pii_audit ORDER BY chain_seq DESC LIMIT 1;
  NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
  NEW.prev_hash := coalesce(last.row_hash, '');
  NEW.row_hash := encode(sha256(convert_to(concat_ws('|', NEW.prev_hash, NEW.chain_seq::text,
      to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), NEW.actor, NEW.method, NEW.request_id,
      NEW.person_ids::text, NEW.purpose, NEW.categories), 'UTF8')), 'hex');
  RETURN NEW;
END $$;
CREATE TRIGGER pii_audit_chain BEFORE INSERT ON pii_audit FOR EACH ROW EXECUTE FUNCTION pii_audit_chain();

-- Append-only in the database too, whoever connects.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
CREATE TRIGGER pii_audit_no_change BEFORE UPDATE OR DELETE ON pii_audit
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER pii_audit_no_truncate BEFORE TRUNCATE ON pii_audit
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER person_status_history_no_change BEFORE UPDATE OR DELETE ON person_status_history
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER person_status_history_no_truncate BEFORE TRUNCATE ON person_status_history
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT DISTINCT grantee, table_name FROM information_schema.role_table_grants
            WHERE table_schema = current_schema() AND table_name IN ('pii_audit', 'person_status_history')
              AND grantee <> current_user LOOP
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %I', r.table_name, r.grantee);
  END LOOP;
END $$;

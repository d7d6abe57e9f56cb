-- Registry reference data: administrative units with lineage, area classifications,
-- poverty standards, ethnic groups, and the log of reference-data changes.
-- Every row carries its legal document and validity; nothing is overwritten.

CREATE TABLE refdata_changes (
  id          bigserial PRIMARY KEY,
  dataset     text NOT NULL,
  action      text NOT NULL,
  actor       text NOT NULL,
  legal_doc   text NOT NULL DEFAULT '',
  detail      text NOT NULL DEFAULT '',
  checksum    text,
  changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refdata_changes_dataset ON refdata_changes (dataset, id);

-- Unit type (Vietnamese, as published by GSO) -> default area type for households.
-- xã -> rural, phường -> urban is the brief's default and is UNCONFIRMED as a legal rule.
CREATE TABLE unit_type_area_types (
  unit_type  text PRIMARY KEY,
  area_type  text NOT NULL CHECK (area_type IN ('RURAL', 'URBAN')),
  note       text NOT NULL DEFAULT '',
  confirmed  boolean NOT NULL DEFAULT false
);
INSERT INTO unit_type_area_types (unit_type, area_type, note, confirmed) VALUES
  ('xã', 'RURAL', 'default mapping (BRIEF §1.2), UNCONFIRMED', false),
  ('phường', 'URBAN', 'default mapping (BRIEF §1.2), UNCONFIRMED', false),
  ('thị trấn', 'URBAN', 'township: urban in GSO statistics, UNCONFIRMED for the poverty standard', false),
  ('huyện', 'RURAL', 'district level, not a household residence', false),
  ('thị xã', 'URBAN', 'district level, not a household residence', false),
  ('thành phố', 'URBAN', 'district level, not a household residence', false),
  ('tỉnh', 'RURAL', 'province level, not a household residence', false),
  ('thành phố trực thuộc trung ương', 'URBAN', 'province level, not a household residence', false);

CREATE TABLE admin_units (
  id          bigserial PRIMARY KEY,
  code        text NOT NULL CHECK (code ~ '^[0-9]{2,5}$'),
  name        text NOT NULL CHECK (name = normalize(name, NFC)),
  level       text NOT NULL CHECK (level IN ('province', 'district', 'commune')),
  unit_type   text NOT NULL REFERENCES unit_type_area_types (unit_type),
  parent_code text,
  valid_from  date,            -- NULL: in force before the data's horizon
  valid_to    date,            -- NULL: still in force (inclusive end otherwise)
  validity    daterange GENERATED ALWAYS AS (daterange(valid_from, valid_to + 1, '[)')) STORED,
  legal_doc   text NOT NULL DEFAULT '',
  source      text NOT NULL DEFAULT '',
  confirmed   boolean NOT NULL DEFAULT true,
  CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
  -- one version of a code at any date
  EXCLUDE USING gist (code WITH =, validity WITH &&)
);
CREATE INDEX admin_units_parent ON admin_units (parent_code, code);
CREATE INDEX admin_units_validity ON admin_units USING gist (validity);

CREATE TABLE unit_lineage_events (
  id             bigserial PRIMARY KEY,
  old_code       text NOT NULL,
  old_name       text NOT NULL DEFAULT '',
  new_code       text,            -- NULL for abolished
  new_name       text NOT NULL DEFAULT '',
  kind           text NOT NULL CHECK (kind IN ('merged', 'split', 'renamed', 'reparented', 'abolished', 'unchanged')),
  effective_date date NOT NULL,
  legal_doc      text NOT NULL,
  confirmed      boolean NOT NULL DEFAULT true,
  CHECK ((kind = 'abolished') = (new_code IS NULL)),
  UNIQUE (old_code, new_code, effective_date, kind)
);
CREATE INDEX unit_lineage_old ON unit_lineage_events (old_code, effective_date);
CREATE INDEX unit_lineage_new ON unit_lineage_events (new_code, effective_date);

-- Is p_unit (or p_unit itself) inside p_ancestor on p_date, following parents valid that day.
CREATE FUNCTION unit_within(p_unit text, p_ancestor text, p_date date) RETURNS boolean
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE up(code, depth) AS (
    SELECT u.code, 0 FROM admin_units u WHERE u.code = p_unit AND u.validity @> p_date
    UNION ALL
    SELECT u.parent_code, up.depth + 1
      FROM up JOIN admin_units u ON u.code = up.code AND u.validity @> p_date
     WHERE u.parent_code IS NOT NULL AND up.depth < 6
  )
  SELECT EXISTS (SELECT 1 FROM up WHERE code = p_ancestor)
$$;

CREATE TABLE area_classifications (
  id           bigserial PRIMARY KEY,
  unit_code    text NOT NULL,
  village_name text NOT NULL DEFAULT '',
  region       text NOT NULL CHECK (region IN ('REGION_I', 'REGION_II', 'REGION_III', 'ESPECIALLY_DIFFICULT_VILLAGE')),
  valid_from   date NOT NULL,
  valid_to     date,
  validity     daterange GENERATED ALWAYS AS (daterange(valid_from, valid_to + 1, '[)')) STORED,
  legal_doc    text NOT NULL CHECK (legal_doc <> ''),
  illustrative boolean NOT NULL DEFAULT false,
  note         text NOT NULL DEFAULT '',
  version      bigint NOT NULL DEFAULT 1,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_to >= valid_from),
  CHECK ((region = 'ESPECIALLY_DIFFICULT_VILLAGE') = (village_name <> '')),
  -- one classification of a commune (or of a village) at any date
  EXCLUDE USING gist (unit_code WITH =, village_name WITH =, validity WITH &&)
);
CREATE INDEX area_classifications_unit ON area_classifications (unit_code, id);

-- Every version of an area classification, written by trigger: nothing is lost on update.
CREATE TABLE area_classification_history (
  classification_id bigint NOT NULL REFERENCES area_classifications (id),
  version      bigint NOT NULL,
  row_data     jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (classification_id, version)
);
CREATE FUNCTION area_classification_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO area_classification_history (classification_id, version, row_data)
  VALUES (NEW.id, NEW.version, to_jsonb(NEW));
  RETURN NEW;
END $$;
CREATE TRIGGER area_classification_audit AFTER INSERT OR UPDATE ON area_classifications
  FOR EACH ROW EXECUTE FUNCTION area_classification_audit();

CREATE TABLE poverty_standards (
  id                    text PRIMARY KEY,
  legal_doc             text NOT NULL,
  valid_from            date NOT NULL,
  valid_to              date NOT NULL,
  validity              daterange GENERATED ALWAYS AS (daterange(valid_from, valid_to + 1, '[)')) STORED,
  min_deprivations_poor int NOT NULL CHECK (min_deprivations_poor > 0),
  note                  text NOT NULL DEFAULT '',
  EXCLUDE USING gist (validity WITH &&)
);

CREATE TABLE poverty_lines (
  standard_id          text NOT NULL REFERENCES poverty_standards (id),
  area_type            text NOT NULL CHECK (area_type IN ('RURAL', 'URBAN')),
  income_line_vnd      bigint NOT NULL CHECK (income_line_vnd > 0),
  middle_income_cap_vnd bigint CHECK (middle_income_cap_vnd IS NULL OR middle_income_cap_vnd > income_line_vnd),
  confirmed            boolean NOT NULL DEFAULT true,
  PRIMARY KEY (standard_id, area_type)
);

CREATE TABLE deprivation_indicators (
  standard_id text NOT NULL REFERENCES poverty_standards (id),
  code        text NOT NULL CHECK (code ~ '^D[0-9]{2}$'),
  dimension   text NOT NULL,
  name        text NOT NULL,
  threshold   text NOT NULL DEFAULT '',
  confirmed   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (standard_id, code)
);

CREATE TABLE ethnic_groups (
  code          text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  name          text NOT NULL,
  other_names   text[] NOT NULL DEFAULT '{}',
  code_1979     text NOT NULL,
  name_variants text[] NOT NULL DEFAULT '{}',
  code_list     text NOT NULL DEFAULT 'QD1019_2008'
);

-- Household registry: households, members, reviews, classification history, year snapshots
-- with maintained statistics, movement targets, imports, personal-data audit, change feed.

-- Name folding for diacritic-insensitive search: lower case, no tone or vowel marks (unaccent
-- maps đ to d), apostrophe variants and hyphens dropped, spaces collapsed. unaccent() is only
-- STABLE; pinning its dictionary makes the wrapper safe to declare IMMUTABLE.
CREATE FUNCTION fold_name(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(
           regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, normalize(t, NFC))),
                          '[''’ʼ`´‘\-]', '', 'g'),
           '\s+', ' ', 'g'))
$$;

CREATE TABLE review_settings (
  kind          text PRIMARY KEY CHECK (kind IN ('PERIODIC', 'ONGOING')),
  window_start  text NOT NULL CHECK (window_start ~ '^[0-1][0-9]-[0-3][0-9]$'),  -- MM-DD
  window_end    text NOT NULL CHECK (window_end ~ '^[0-1][0-9]-[0-3][0-9]$'),
  legal_doc     text NOT NULL
);
INSERT INTO review_settings VALUES
  ('PERIODIC', '09-01', '12-14', 'QĐ 24/2021/QĐ-TTg Art. 3-4'),
  ('ONGOING', '01-01', '12-31', 'QĐ 24/2021/QĐ-TTg (monthly, on request)');

CREATE TABLE households (
  id                 uuid PRIMARY KEY,
  external_id        text UNIQUE,
  commune_code       text NOT NULL,
  village            text NOT NULL DEFAULT '',
  address            text NOT NULL DEFAULT '',
  area_type          text NOT NULL CHECK (area_type IN ('RURAL', 'URBAN')),
  area_type_override_reason text NOT NULL DEFAULT '',
  head_member_id     uuid,
  head_ethnicity     text NOT NULL DEFAULT '',
  no_labor_capacity  boolean NOT NULL DEFAULT false,
  policy_beneficiary boolean NOT NULL DEFAULT false,
  status             text NOT NULL DEFAULT 'HOUSEHOLD_ACTIVE'
                     CHECK (status IN ('HOUSEHOLD_ACTIVE', 'HOUSEHOLD_MERGED', 'HOUSEHOLD_DISSOLVED')),
  classification     text NOT NULL DEFAULT 'HOUSEHOLD_CLASS_UNSPECIFIED',
  classified_since   date,
  registered_on      date NOT NULL,
  version            bigint NOT NULL DEFAULT 1,
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_by         text NOT NULL,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX households_commune ON households (commune_code, classification, id);
CREATE INDEX households_class ON households (classification, id);

CREATE TABLE members (
  id                uuid PRIMARY KEY,
  household_id      uuid NOT NULL REFERENCES households (id),
  full_name         text NOT NULL CHECK (full_name = normalize(full_name, NFC) AND full_name <> ''),
  name_search       text GENERATED ALWAYS AS (fold_name(full_name)) STORED,
  birth_date        date,
  sex               text NOT NULL CHECK (sex IN ('MALE', 'FEMALE')),
  ethnicity_code    text NOT NULL REFERENCES ethnic_groups (code),
  citizen_id        text CHECK (citizen_id ~ '^[0-9]{12}$'),
  relation          text NOT NULL,
  working_capacity  boolean NOT NULL DEFAULT true,
  health_insurance  boolean NOT NULL DEFAULT false,
  attending_school  boolean NOT NULL DEFAULT false,
  education_level   text NOT NULL DEFAULT 'EDUCATION_LEVEL_UNSPECIFIED',
  disability        boolean NOT NULL DEFAULT false,
  active            boolean NOT NULL DEFAULT true,
  left_on           date,
  left_reason       text NOT NULL DEFAULT '',
  seq               int NOT NULL  -- order within the household
);
CREATE INDEX members_household ON members (household_id, seq);
-- A citizen ID belongs to at most one active member.
CREATE UNIQUE INDEX members_citizen_id_active ON members (citizen_id) WHERE active AND citizen_id IS NOT NULL;
CREATE INDEX members_name_trgm ON members USING gin (name_search public.gin_trgm_ops);

CREATE TABLE household_events (
  id             bigserial PRIMARY KEY,
  household_id   uuid NOT NULL REFERENCES households (id),
  kind           text NOT NULL,
  detail         text NOT NULL DEFAULT '',
  effective_date date,
  actor          text NOT NULL,
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX household_events_household ON household_events (household_id, id);

CREATE TABLE reviews (
  id               uuid PRIMARY KEY,
  household_id     uuid NOT NULL REFERENCES households (id),
  kind             text NOT NULL CHECK (kind IN ('PERIODIC', 'ONGOING')),
  review_date      date NOT NULL,
  standard_id      text NOT NULL REFERENCES poverty_standards (id),
  income_per_capita bigint NOT NULL CHECK (income_per_capita >= 0),
  indicators       jsonb NOT NULL,  -- [{"code": "D01", "deprived": true, "evidence": "..."}]
  deprivation_count int NOT NULL,
  area_type        text NOT NULL,
  computed_class   text NOT NULL,
  reviewer         text NOT NULL DEFAULT '',
  state            text NOT NULL CHECK (state IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'POSTED', 'REJECTED')),
  decision_number  text NOT NULL DEFAULT '',
  decision_date    date,
  posted_on        date,
  rejection_reason text NOT NULL DEFAULT '',
  version          bigint NOT NULL DEFAULT 1,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (state NOT IN ('APPROVED', 'POSTED') OR (decision_number <> '' AND decision_date IS NOT NULL))
);
CREATE INDEX reviews_household ON reviews (household_id, review_date, id);

CREATE TABLE review_events (
  id         bigserial PRIMARY KEY,
  review_id  uuid NOT NULL REFERENCES reviews (id),
  from_state text NOT NULL,
  to_state   text NOT NULL,
  actor      text NOT NULL,
  note       text NOT NULL DEFAULT '',
  at         timestamptz NOT NULL DEFAULT now()
);

-- Official classifications: one row per approved review, effective from its decision date.
CREATE TABLE classification_history (
  household_id   uuid NOT NULL REFERENCES households (id),
  effective_date date NOT NULL,
  review_id      uuid NOT NULL REFERENCES reviews (id),
  classification text NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (household_id, effective_date, review_id)
);

-- Per household and year: class at the start and the end of the year and the transition,
-- derived from classification_history. stats_agg below is maintained from it by trigger, so
-- statistics never scan households.
CREATE TABLE household_years (
  household_id   uuid NOT NULL REFERENCES households (id),
  year           int NOT NULL,
  commune_code   text NOT NULL,
  head_ethnicity text NOT NULL,
  people         int NOT NULL,
  class_start    text NOT NULL,
  class_end      text NOT NULL,
  transition     text NOT NULL,
  PRIMARY KEY (household_id, year)
);
CREATE INDEX household_years_transition ON household_years (year, transition, household_id);

CREATE TABLE stats_agg (
  year           int NOT NULL,
  commune_code   text NOT NULL,
  head_ethnicity text NOT NULL,
  class_end      text NOT NULL,
  transition     text NOT NULL,
  households     bigint NOT NULL,
  people         bigint NOT NULL,
  PRIMARY KEY (year, commune_code, head_ethnicity, class_end, transition)
);

CREATE FUNCTION stats_agg_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Bulk imports apply pre-aggregated deltas themselves (SET LOCAL lnob.stats_by_caller).
  IF current_setting('lnob.stats_by_caller', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE stats_agg SET households = households - 1, people = people - OLD.people
     WHERE year = OLD.year AND commune_code = OLD.commune_code AND head_ethnicity = OLD.head_ethnicity
       AND class_end = OLD.class_end AND transition = OLD.transition;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO stats_agg AS s VALUES (NEW.year, NEW.commune_code, NEW.head_ethnicity, NEW.class_end,
                                       NEW.transition, 1, NEW.people)
    ON CONFLICT (year, commune_code, head_ethnicity, class_end, transition)
    DO UPDATE SET households = s.households + 1, people = s.people + EXCLUDED.people;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER household_years_stats AFTER INSERT OR UPDATE OR DELETE ON household_years
  FOR EACH ROW EXECUTE FUNCTION stats_agg_apply();

CREATE TABLE movement_targets (
  id          text PRIMARY KEY CHECK (id ~ '^[A-Z0-9_]{3,64}$'),
  kind        text NOT NULL CHECK (kind IN ('EM_POOR_ESCAPES_PER_YEAR', 'AREA_LEAVES_DIFFICULT_STATUS')),
  year_from   int NOT NULL,
  year_to     int NOT NULL CHECK (year_to >= year_from),
  threshold   bigint NOT NULL DEFAULT 0,
  unit_codes  text[] NOT NULL DEFAULT '{}',
  legal_doc   text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO movement_targets (id, kind, year_from, year_to, threshold, legal_doc, description, created_by) VALUES
  ('EM_POOR_ESCAPE_1000', 'EM_POOR_ESCAPES_PER_YEAR', 2022, 2025, 1000, 'KH 47/KH-BDT; Kết luận 217-KL/TU',
   'At least 1,000 ethnic-minority poor households out of poverty per year (PROG_BP_1000_EM_HH)', 'migration 003');

-- Bulk imports: which rows of which import are committed (idempotent, resumable).
CREATE TABLE imports (
  id          uuid PRIMARY KEY,
  started_by  text NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  rows_committed bigint NOT NULL DEFAULT 0
);
CREATE TABLE import_rows (
  import_id    uuid NOT NULL REFERENCES imports (id),
  row_number   bigint NOT NULL,
  household_id uuid NOT NULL,
  PRIMARY KEY (import_id, row_number)
);

-- Append-only audit of unmasked personal-data reads.
CREATE TABLE pii_audit (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  method      text NOT NULL,
  request_id  text NOT NULL,
  household_ids uuid[] NOT NULL
);
CREATE FUNCTION pii_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'pii_audit is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER pii_audit_no_change BEFORE UPDATE OR DELETE ON pii_audit
  FOR EACH ROW EXECUTE FUNCTION pii_audit_append_only();
CREATE TRIGGER pii_audit_no_truncate BEFORE TRUNCATE ON pii_audit
  FOR EACH STATEMENT EXECUTE FUNCTION pii_audit_append_only();
-- The service role got DML by default privileges; take back everything but INSERT/SELECT.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
            WHERE table_schema = current_schema() AND table_name = 'pii_audit'
              AND grantee <> current_user LOOP
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON pii_audit FROM %I', r.grantee);
  END LOOP;
END $$;

-- Change feed (outbox). Writers take an advisory lock just before inserting, so cursor
-- order is commit order and a reader never sees a gap close later.
CREATE TABLE change_feed (
  cursor         bigserial PRIMARY KEY,
  household_id   uuid NOT NULL,
  kind           text NOT NULL,
  classification text NOT NULL DEFAULT '',
  previous_classification text NOT NULL DEFAULT '',
  effective_date date,
  commune_code   text NOT NULL DEFAULT '',
  at             timestamptz NOT NULL DEFAULT now()
);

-- Villages (thôn, ấp, sóc, bon) under communes: an effective-dated register the operators keep
-- (no official list is shipped; demo villages are marked synthetic). Renames and merges close
-- a version and open the next, linked by lineage, so a village can be read as of any date.
CREATE TABLE villages (
  id           uuid PRIMARY KEY,
  commune_code text NOT NULL,
  name         text NOT NULL CHECK (name <> '' AND length(name) <= 200),
  name_folded  text GENERATED ALWAYS AS (fold_name(name)) STORED,
  valid_from   date NOT NULL,
  valid_to     date,  -- inclusive; NULL: in force
  validity     daterange GENERATED ALWAYS AS (daterange(valid_from, valid_to + 1, '[)')) STORED,
  synthetic    boolean NOT NULL DEFAULT false,
  legal_doc    text NOT NULL CHECK (legal_doc <> '' AND length(legal_doc) <= 500),
  version      bigint NOT NULL DEFAULT 1,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_to >= valid_from),
  -- One village per name (diacritic-insensitive) in a commune at any time.
  CONSTRAINT villages_one_name EXCLUDE USING gist (commune_code WITH =, name_folded WITH =, validity WITH &&)
);
CREATE INDEX villages_commune ON villages (commune_code, name_folded);

CREATE TABLE village_lineage (
  old_id         uuid NOT NULL REFERENCES villages (id),
  new_id         uuid NOT NULL REFERENCES villages (id),
  kind           text NOT NULL CHECK (kind IN ('RENAMED', 'MERGED')),
  effective_date date NOT NULL,
  legal_doc      text NOT NULL,
  PRIMARY KEY (old_id, new_id)
);
INSERT INTO append_only_tables (table_name) VALUES ('village_lineage') ON CONFLICT DO NOTHING;

CREATE FUNCTION villages_text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := normalize(NEW.name, NFC);
  NEW.legal_doc := normalize(NEW.legal_doc, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER villages_text_nfc BEFORE INSERT OR UPDATE OF name, legal_doc ON villages
  FOR EACH ROW EXECUTE FUNCTION villages_text_nfc();

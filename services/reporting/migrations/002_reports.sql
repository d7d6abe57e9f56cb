-- Composed reports: the answers of the owners, stored once and never changed (the approval
-- workflow and locking build on them).

CREATE TABLE reports (
  id              uuid PRIMARY KEY,
  code            text NOT NULL,
  version         integer NOT NULL,
  period_type     text NOT NULL CHECK (period_type IN ('MONTH', 'QUARTER', 'HALF_YEAR', 'YEAR')),
  period_year     integer NOT NULL,
  period_index    integer NOT NULL DEFAULT 0,
  unit_code       text NOT NULL DEFAULT '',
  geography       date NOT NULL,
  state           text NOT NULL DEFAULT 'DRAFT' CHECK (state IN ('DRAFT')),
  digest          text NOT NULL DEFAULT '',
  creator         text NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (code, version) REFERENCES report_definitions (code, version)
);
CREATE INDEX reports_code_year ON reports (code, period_year, unit_code);

CREATE TABLE report_inputs (
  report_id       uuid NOT NULL REFERENCES reports (id) DEFERRABLE INITIALLY DEFERRED,
  ord             integer NOT NULL,
  section_code    text NOT NULL,
  indicator_code  text NOT NULL,
  label           text NOT NULL,
  owner           text NOT NULL,
  method          text NOT NULL,
  request         jsonb NOT NULL,
  value           jsonb NOT NULL,
  cursor          bigint NOT NULL DEFAULT 0,
  read_time       timestamptz NOT NULL,
  unit_of_measure text NOT NULL DEFAULT '',
  confirmed       boolean NOT NULL,
  PRIMARY KEY (report_id, ord)
);

-- The snapshot is the report: never updated or deleted, nothing added once stored.
CREATE FUNCTION reports_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a composed report is frozen: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER report_inputs_frozen BEFORE UPDATE OR DELETE ON report_inputs
  FOR EACH ROW EXECUTE FUNCTION reports_frozen();
CREATE FUNCTION report_inputs_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM reports WHERE id = NEW.report_id) THEN
    RAISE EXCEPTION 'a composed report is frozen: no input is added' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER report_inputs_closed BEFORE INSERT ON report_inputs
  FOR EACH ROW EXECUTE FUNCTION report_inputs_closed();

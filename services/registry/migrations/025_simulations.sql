-- Policy simulations (docs/registry.md "Policy simulation"): a standard applied to the
-- households' latest approved reviews without changing them. Each simulation is an immutable
-- snapshot of its inputs and results; it writes nowhere else.

-- What the support of a newly eligible household costs, per content, programme and source, by
-- class (per household per year, VND). Effective-dated data: a simulation prices with the
-- costs in force on its standard's first day. The seeded figures are planning placeholders
-- the brief does not give (confirmed = false); a province replaces them with its norms by a
-- new version (a later valid_from).
CREATE TABLE simulation_unit_costs (
  content          text NOT NULL,
  programme        text NOT NULL,
  source           text NOT NULL,
  household_class  text NOT NULL CHECK (household_class IN ('POOR', 'NEAR_POOR')),
  amount_vnd       bigint NOT NULL CHECK (amount_vnd >= 0),
  valid_from       date NOT NULL,
  valid_to         date CHECK (valid_to IS NULL OR valid_to >= valid_from),
  confirmed        boolean NOT NULL DEFAULT false,
  basis            text NOT NULL,
  PRIMARY KEY (content, programme, source, household_class, valid_from)
);

INSERT INTO simulation_unit_costs (content, programme, source, household_class, amount_vnd, valid_from, valid_to, basis)
SELECT content, programme, source, cls, amount, vf::date, vt::date,
       'planning placeholder (UNCONFIRMED): no norm in the brief; replace with the province''s unit cost'
FROM (VALUES
  ('LIVESTOCK_CROPS', 'NTP_SPR.SPR3', 'CENTRAL_RECURRENT', 'POOR', 10000000, '2022-01-01', '2026-12-31'),
  ('LIVESTOCK_CROPS', 'NTP_SPR.SPR3', 'CENTRAL_RECURRENT', 'NEAR_POOR', 7000000, '2022-01-01', '2026-12-31'),
  ('LIVESTOCK_CROPS', 'NTP_SPR.SPR3', 'LOCAL_COUNTERPART', 'POOR', 1000000, '2022-01-01', '2026-12-31'),
  ('LIVESTOCK_CROPS', 'NTP_SPR.SPR3', 'LOCAL_COUNTERPART', 'NEAR_POOR', 700000, '2022-01-01', '2026-12-31'),
  ('VOCATIONAL_TRAINING', 'NTP_SPR.SPR4', 'CENTRAL_RECURRENT', 'POOR', 3000000, '2022-01-01', '2026-12-31'),
  ('VOCATIONAL_TRAINING', 'NTP_SPR.SPR4', 'CENTRAL_RECURRENT', 'NEAR_POOR', 3000000, '2022-01-01', '2026-12-31'),
  ('POLICY_CREDIT_LOAN', 'PROG_BP_1000_EM_HH.CREDIT', 'POLICY_CREDIT_VBSP', 'POOR', 50000000, '2022-01-01', '2026-12-31'),
  ('POLICY_CREDIT_LOAN', 'PROG_BP_1000_EM_HH.CREDIT', 'POLICY_CREDIT_VBSP', 'NEAR_POOR', 50000000, '2022-01-01', '2026-12-31'),
  ('LIVESTOCK_CROPS', 'NTP_SPR.SPR3', 'CENTRAL_RECURRENT', 'POOR', 12000000, '2027-01-01', NULL),
  ('LIVESTOCK_CROPS', 'NTP_SPR.SPR3', 'CENTRAL_RECURRENT', 'NEAR_POOR', 8000000, '2027-01-01', NULL),
  ('LIVESTOCK_CROPS', 'NTP_SPR.SPR3', 'LOCAL_COUNTERPART', 'POOR', 1200000, '2027-01-01', NULL),
  ('LIVESTOCK_CROPS', 'NTP_SPR.SPR3', 'LOCAL_COUNTERPART', 'NEAR_POOR', 800000, '2027-01-01', NULL),
  ('VOCATIONAL_TRAINING', 'NTP_SPR.SPR4', 'CENTRAL_RECURRENT', 'POOR', 3500000, '2027-01-01', NULL),
  ('VOCATIONAL_TRAINING', 'NTP_SPR.SPR4', 'CENTRAL_RECURRENT', 'NEAR_POOR', 3500000, '2027-01-01', NULL),
  ('POLICY_CREDIT_LOAN', 'PROG_BP_1000_EM_HH.CREDIT', 'POLICY_CREDIT_VBSP', 'POOR', 100000000, '2027-01-01', NULL),
  ('POLICY_CREDIT_LOAN', 'PROG_BP_1000_EM_HH.CREDIT', 'POLICY_CREDIT_VBSP', 'NEAR_POOR', 100000000, '2027-01-01', NULL)
) AS v(content, programme, source, cls, amount, vf, vt);

-- Two versions of one cost never overlap in time.
ALTER TABLE simulation_unit_costs ADD CONSTRAINT simulation_unit_costs_no_overlap EXCLUDE USING gist
  (content WITH =, programme WITH =, source WITH =, household_class WITH =,
   daterange(valid_from, valid_to, '[]') WITH &&);

-- A simulation: its inputs (the standard as applied, population, as-of, geography) and its
-- results, as the Simulation message prints them, with the registry's cursor at the scan.
CREATE TABLE simulations (
  id               uuid PRIMARY KEY,
  title            text NOT NULL DEFAULT '',
  creator          text NOT NULL,
  create_time      timestamptz NOT NULL DEFAULT now(),
  unit_code        text NOT NULL DEFAULT '',
  communes         text[] NOT NULL,
  registry_cursor  bigint NOT NULL,
  body             jsonb NOT NULL
);
CREATE INDEX simulations_newest ON simulations (id DESC);

-- The households whose list (poor, near-poor, neither) changes in some case, with what decided it.
CREATE TABLE simulation_households (
  simulation_id  uuid NOT NULL REFERENCES simulations (id),
  household_id   uuid NOT NULL,
  commune_code   text NOT NULL,
  unit_code      text NOT NULL,
  area_type      text NOT NULL,
  from_class     text NOT NULL,
  best_class     text NOT NULL,
  worst_class    text NOT NULL,
  unknown        text[] NOT NULL DEFAULT '{}',
  -- A household is in one commune of a simulation: the key is also the list's order (one index
  -- to write, which a simulation of a province writes hundreds of thousands of times).
  PRIMARY KEY (simulation_id, commune_code, household_id)
);

-- A snapshot never changes: neither the simulation nor its households.
CREATE FUNCTION simulations_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'SIMULATION_IMMUTABLE: a simulation is a snapshot; start a new one' USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER simulations_immutable BEFORE UPDATE OR DELETE ON simulations
  FOR EACH ROW EXECUTE FUNCTION simulations_immutable();
CREATE TRIGGER simulation_households_immutable BEFORE UPDATE OR DELETE ON simulation_households
  FOR EACH ROW EXECUTE FUNCTION simulations_immutable();
INSERT INTO append_only_tables (table_name) VALUES ('simulations'), ('simulation_households')
  ON CONFLICT DO NOTHING;

-- Long-running simulations (google.longrunning style): progress, outcome, cancellation.
CREATE TABLE simulation_operations (
  id               uuid PRIMARY KEY,
  state            text NOT NULL DEFAULT 'RUNNING' CHECK (state IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  done_households  bigint NOT NULL DEFAULT 0,
  total_households bigint NOT NULL DEFAULT 0,
  simulation_id    uuid REFERENCES simulations (id),
  error_code       text NOT NULL DEFAULT '',
  error_message    text NOT NULL DEFAULT '',
  cancel_requested boolean NOT NULL DEFAULT false,
  creator          text NOT NULL,
  create_time      timestamptz NOT NULL DEFAULT now(),
  update_time      timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'SUCCEEDED') = (simulation_id IS NOT NULL))
);
CREATE INDEX simulation_operations_creator ON simulation_operations (creator, id DESC);

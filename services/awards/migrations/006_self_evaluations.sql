-- Self-evaluations of registrations (mid-year and year end, tied to the year's professional
-- tasks), and the awards an advanced example led to.

CREATE TABLE self_evaluations (
  registration_id uuid NOT NULL REFERENCES registrations (id),
  point           text NOT NULL CHECK (point IN ('MID_YEAR', 'YEAR_END')),
  date            date NOT NULL,
  results         jsonb NOT NULL DEFAULT '[]',
  task_rating     text NOT NULL DEFAULT '' CHECK (task_rating IN ('', 'EXCELLENT', 'GOOD', 'COMPLETED', 'NOT_COMPLETED')),
  annual_tasks    text NOT NULL CHECK (char_length(annual_tasks) BETWEEN 1 AND 4000),
  summary         text NOT NULL DEFAULT '',
  evaluator       text NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (registration_id, point),
  CONSTRAINT year_end_rated CHECK (point <> 'YEAR_END' OR task_rating <> '')
);

-- The dates of the two points, against the registration's year; the year end not before the
-- mid-year evaluation.
CREATE FUNCTION self_evaluations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  y integer;
  mid date;
BEGIN
  SELECT year INTO y FROM registrations WHERE id = NEW.registration_id;
  IF NEW.point = 'MID_YEAR' AND (NEW.date < make_date(y, 6, 1) OR NEW.date > make_date(y, 12, 31)) THEN
    RAISE EXCEPTION 'a mid-year evaluation of % is dated from 1 June to 31 December %', y, y USING ERRCODE = 'P0001';
  END IF;
  IF NEW.point = 'YEAR_END' AND (NEW.date < make_date(y, 11, 1) OR NEW.date > make_date(y + 1, 3, 31)) THEN
    RAISE EXCEPTION 'a year-end evaluation of % is dated from 1 November % to 31 March %', y, y, y + 1
      USING ERRCODE = 'P0001';
  END IF;
  SELECT date INTO mid FROM self_evaluations WHERE registration_id = NEW.registration_id AND point = 'MID_YEAR';
  IF NEW.point = 'YEAR_END' AND mid IS NOT NULL AND NEW.date < mid THEN
    RAISE EXCEPTION 'the year-end evaluation is not dated before the mid-year one (%)', mid USING ERRCODE = 'P0001';
  END IF;
  NEW.annual_tasks := normalize(NEW.annual_tasks, NFC);
  NEW.summary := normalize(NEW.summary, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER self_evaluations_guard BEFORE INSERT ON self_evaluations
  FOR EACH ROW EXECUTE FUNCTION self_evaluations_guard();

ALTER TABLE advanced_examples ADD COLUMN linked_awards text[] NOT NULL DEFAULT '{}';

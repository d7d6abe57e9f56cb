-- Advanced examples (điển hình tiên tiến, brief §5.5): discovered, nurtured and replicated in
-- the movement; a policy concept, not a legal title. Replication actions are dated.
CREATE TABLE advanced_examples (
  id              uuid PRIMARY KEY,
  subject_kind    text NOT NULL CHECK (subject_kind IN ('INDIVIDUAL', 'COLLECTIVE', 'HOUSEHOLD')),
  subject_name    text NOT NULL CHECK (char_length(subject_name) BETWEEN 1 AND 200),
  household       text NOT NULL DEFAULT '',
  field           text NOT NULL CHECK (char_length(field) BETWEEN 1 AND 200),
  unit_code       text NOT NULL CHECK (unit_code ~ '^[0-9]{2,5}$'),
  description     text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 4000),
  discovered_by   text NOT NULL CHECK (char_length(discovered_by) BETWEEN 1 AND 200),
  discovered_date date NOT NULL,
  evidence        text[] NOT NULL DEFAULT '{}',
  replication     jsonb NOT NULL DEFAULT '[]',
  movement_id     uuid REFERENCES movements (id),
  creator         text NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX advanced_examples_unit ON advanced_examples (unit_code, discovered_date);

CREATE FUNCTION advanced_examples_normalise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.subject_name := normalize(NEW.subject_name, NFC);
  NEW.field := normalize(NEW.field, NFC);
  NEW.description := normalize(NEW.description, NFC);
  NEW.discovered_by := normalize(NEW.discovered_by, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER advanced_examples_normalise BEFORE INSERT ON advanced_examples
  FOR EACH ROW EXECUTE FUNCTION advanced_examples_normalise();

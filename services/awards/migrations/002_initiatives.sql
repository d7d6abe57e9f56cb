-- Initiatives (sáng kiến, Law 06/2022/QH15 Art. 3(4)): applied at the grassroots, replicable,
-- recognised by a competent level; the prerequisite of emulation fighter titles (brief §5.5).
-- One recognising decision recognises an initiative once.
CREATE TABLE initiatives (
  id              uuid PRIMARY KEY,
  title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  authors         text[] NOT NULL CHECK (cardinality(authors) BETWEEN 1 AND 50),
  author_keys     text[] NOT NULL,  -- the authors folded (case, diacritics) by the service
  unit_code       text NOT NULL CHECK (unit_code ~ '^[0-9]{2,5}$'),
  scope           text NOT NULL CHECK (scope IN ('BASE', 'PROVINCIAL', 'NATIONAL')),
  applied_from    date NOT NULL,
  decision_number text NOT NULL CHECK (char_length(decision_number) BETWEEN 1 AND 100),
  decision_date   date NOT NULL CHECK (decision_date >= applied_from),
  recognised_by   text NOT NULL CHECK (char_length(recognised_by) BETWEEN 1 AND 200),
  benefit         text NOT NULL CHECK (char_length(benefit) BETWEEN 1 AND 4000),
  creator         text NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (decision_number, title)
);
CREATE INDEX initiatives_unit ON initiatives (unit_code, decision_date);
CREATE INDEX initiatives_authors ON initiatives USING gin (author_keys);

CREATE FUNCTION initiatives_normalise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.title := normalize(NEW.title, NFC);
  NEW.authors := (SELECT array_agg(normalize(a, NFC) ORDER BY n) FROM unnest(NEW.authors) WITH ORDINALITY AS x(a, n));
  NEW.decision_number := normalize(NEW.decision_number, NFC);
  NEW.recognised_by := normalize(NEW.recognised_by, NFC);
  NEW.benefit := normalize(NEW.benefit, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER initiatives_normalise BEFORE INSERT ON initiatives
  FOR EACH ROW EXECUTE FUNCTION initiatives_normalise();

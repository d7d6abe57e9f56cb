-- The change feed (outbox) of nominations, and what the statistics read.

-- Written by statement-level triggers in the writing transaction under one advisory lock, so
-- cursor order is commit order (as in the other services).
CREATE TABLE change_feed (
  cursor    bigserial PRIMARY KEY,
  kind      text NOT NULL,
  resource  text NOT NULL,
  unit_code text NOT NULL,
  form_code text NOT NULL,
  year      integer NOT NULL,
  at        timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION feed_lock() RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtext('lnob.awards.change_feed'))
$$;

CREATE FUNCTION feed_nominations_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, unit_code, form_code, year)
    SELECT 'NOMINATION_CREATED', 'nominations/' || id, unit_code, form_code, year FROM new_rows ORDER BY id;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_nominations_created AFTER INSERT ON nominations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_nominations_created();

CREATE FUNCTION feed_nominations_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_lock();
  INSERT INTO change_feed (kind, resource, unit_code, form_code, year)
    SELECT 'NOMINATION_' || n.state, 'nominations/' || n.id, n.unit_code, n.form_code, n.year
      FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.state <> o.state ORDER BY n.id;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_nominations_moved AFTER UPDATE ON nominations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_nominations_moved();

-- Statistics read decisions by date and revocations by date.
CREATE INDEX decisions_date ON decisions (date);
CREATE INDEX revocations_date ON revocations (date);
CREATE INDEX nominations_year_state ON nominations (year, state);

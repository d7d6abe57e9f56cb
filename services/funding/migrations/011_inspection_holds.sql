-- What the inspection service's change feed says about the ledger: holds that findings place
-- on support lines (a held line is neither delivered, paid nor cancelled until every hold on
-- it is lifted) and the money recovered under financial recommendations (funding's reports
-- show disbursed, recovered and net amounts). Written only by the feed consumer, with the
-- feed's cursor in the same transaction (feed_cursors, feed 'inspection.findings').
CREATE TABLE line_holds (
  line_id   uuid NOT NULL,
  finding   text NOT NULL,  -- findings/{uuid} in the inspection service
  placed_on date NOT NULL,
  cursor    bigint NOT NULL,
  PRIMARY KEY (line_id, finding)
);

CREATE TABLE inspection_recoveries (
  recovery  text PRIMARY KEY,  -- recoveries/{id} in the inspection service
  source    text NOT NULL,
  node_code text NOT NULL,
  unit_code text NOT NULL,     -- the unit that carries out the recommendation
  day       date NOT NULL,
  year      int NOT NULL,
  amount    bigint NOT NULL CHECK (amount > 0),
  cursor    bigint NOT NULL
);
CREATE INDEX inspection_recoveries_year ON inspection_recoveries (year, source, node_code);

-- The database refuses to deliver, cancel or pay a held line, whoever writes.
CREATE FUNCTION support_lines_not_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  f text;
BEGIN
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    SELECT finding INTO f FROM line_holds WHERE line_id = NEW.id LIMIT 1;
    IF f IS NOT NULL THEN
      RAISE EXCEPTION 'support line % is held by %', NEW.id, f USING ERRCODE = 'P0001';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER support_lines_not_held BEFORE UPDATE OF state ON support_lines
  FOR EACH ROW EXECUTE FUNCTION support_lines_not_held();

CREATE FUNCTION disbursements_not_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  f text;
BEGIN
  IF NEW.support_line_id IS NOT NULL THEN
    SELECT finding INTO f FROM line_holds WHERE line_id = NEW.support_line_id LIMIT 1;
    IF f IS NOT NULL THEN
      RAISE EXCEPTION 'support line % is held by %', NEW.support_line_id, f USING ERRCODE = 'P0001';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER disbursements_not_held BEFORE INSERT ON disbursements
  FOR EACH ROW EXECUTE FUNCTION disbursements_not_held();

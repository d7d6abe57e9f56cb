-- Reports for months, quarters and half years (brief §8) read the support ledger by month, as
-- the yearly report reads support_agg: kept by the same kind of triggers (one statement-level
-- insert per COPY batch, one row update per cancellation), never by scanning the ledger.
CREATE TABLE support_agg_month (
  month        date NOT NULL CHECK (extract(day FROM month) = 1),
  node_code    text NOT NULL,
  source       text NOT NULL,
  commune_code text NOT NULL,
  amount       bigint NOT NULL,
  lines        bigint NOT NULL,
  PRIMARY KEY (month, node_code, source, commune_code)
);
INSERT INTO support_agg_month
  SELECT date_trunc('month', l.date)::date, s.node_code, s.source, l.commune_code, sum(s.amount), count(*)
    FROM support_lines l JOIN funding_shares s ON s.line_id = l.id
   WHERE l.state <> 'CANCELLED'
   GROUP BY 1, 2, 3, 4;

CREATE FUNCTION support_agg_month_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO support_agg_month AS a (month, node_code, source, commune_code, amount, lines)
  SELECT date_trunc('month', l.date)::date, s.node_code, s.source, l.commune_code, sum(s.amount), count(*)
    FROM changed_lines l JOIN funding_shares s ON s.line_id = l.id
   WHERE l.state <> 'CANCELLED'
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (month, node_code, source, commune_code)
  DO UPDATE SET amount = a.amount + EXCLUDED.amount, lines = a.lines + EXCLUDED.lines;
  RETURN NULL;
END $$;
CREATE TRIGGER support_agg_month_insert AFTER INSERT ON support_lines
  REFERENCING NEW TABLE AS changed_lines FOR EACH STATEMENT EXECUTE FUNCTION support_agg_month_insert();

CREATE FUNCTION support_agg_month_cancel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'CANCELLED' AND OLD.state <> 'CANCELLED' THEN
    UPDATE support_agg_month a SET amount = a.amount - s.amount, lines = a.lines - 1
      FROM funding_shares s
     WHERE s.line_id = NEW.id AND a.month = date_trunc('month', NEW.date)::date AND a.node_code = s.node_code
       AND a.source = s.source AND a.commune_code = NEW.commune_code;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER support_agg_month_cancel AFTER UPDATE OF state ON support_lines
  FOR EACH ROW EXECUTE FUNCTION support_agg_month_cancel();

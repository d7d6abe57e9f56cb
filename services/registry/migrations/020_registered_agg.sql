-- Statistics' denominators (active households registered by the end of a period) without
-- counting households on every call: per commune and month of registration, maintained by
-- statement-level triggers, so a COPY import adds one aggregate per batch, not per row. Periods
-- end on a month's last day, so month granularity answers every period exactly.
CREATE TABLE registered_agg (
  commune_code     text NOT NULL,
  registered_month date NOT NULL CHECK (extract(day FROM registered_month) = 1),
  households       bigint NOT NULL,
  PRIMARY KEY (commune_code, registered_month)
);
INSERT INTO registered_agg
  SELECT commune_code, date_trunc('month', registered_on)::date, count(*) FROM households
   WHERE status = 'HOUSEHOLD_ACTIVE' GROUP BY 1, 2;

CREATE FUNCTION registered_agg_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO registered_agg AS a
      SELECT commune_code, date_trunc('month', registered_on)::date, count(*) FROM new_rows
       WHERE status = 'HOUSEHOLD_ACTIVE' GROUP BY 1, 2
    ON CONFLICT (commune_code, registered_month) DO UPDATE SET households = a.households + EXCLUDED.households;
  ELSE  -- UPDATE: what left the active set, what joined it (a move, a closure)
    INSERT INTO registered_agg AS a
      SELECT commune_code, m, sum(d) FROM (
          SELECT commune_code, date_trunc('month', registered_on)::date AS m, -1 AS d FROM old_rows
           WHERE status = 'HOUSEHOLD_ACTIVE'
          UNION ALL
          SELECT commune_code, date_trunc('month', registered_on)::date, 1 FROM new_rows
           WHERE status = 'HOUSEHOLD_ACTIVE') x
       GROUP BY 1, 2 HAVING sum(d) <> 0
    ON CONFLICT (commune_code, registered_month) DO UPDATE SET households = a.households + EXCLUDED.households;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER registered_agg_insert AFTER INSERT ON households REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION registered_agg_apply();
CREATE TRIGGER registered_agg_update AFTER UPDATE ON households REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION registered_agg_apply();

-- Findings by month, unit, category and severity, and the same by programme node, kept by
-- statement-level triggers as findings and their money are recorded (findings never change
-- in these columns), so the findings report reads a few thousand rows instead of every
-- finding. By node, a finding counts once per node its money touches (its money is written
-- in one statement); a finding without money counts under node ''.
CREATE TABLE findings_agg (
  month          date NOT NULL,
  unit_code      text NOT NULL,
  category       text NOT NULL,
  severity       text NOT NULL,
  node_code      text NOT NULL,  -- '' in the row without the node dimension
  by_node        boolean NOT NULL,
  findings       bigint NOT NULL,
  to_recover_vnd bigint NOT NULL,
  PRIMARY KEY (by_node, month, unit_code, category, severity, node_code)
);

CREATE FUNCTION findings_agg_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO findings_agg AS a (month, unit_code, category, severity, node_code, by_node, findings, to_recover_vnd)
    SELECT date_trunc('month', found_date)::date, unit_code, category, severity, '', b, count(*), sum(to_recover_vnd)
      FROM new_rows CROSS JOIN (VALUES (false), (true)) v(b)
     WHERE NOT b OR to_recover_vnd = 0
     GROUP BY 1, 2, 3, 4, 6
  ON CONFLICT (by_node, month, unit_code, category, severity, node_code)
  DO UPDATE SET findings = a.findings + excluded.findings, to_recover_vnd = a.to_recover_vnd + excluded.to_recover_vnd;
  RETURN NULL;
END $$;
CREATE TRIGGER findings_agg_add AFTER INSERT ON findings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION findings_agg_add();

CREATE FUNCTION findings_node_agg_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO findings_agg AS a (month, unit_code, category, severity, node_code, by_node, findings, to_recover_vnd)
    SELECT date_trunc('month', f.found_date)::date, f.unit_code, f.category, f.severity, m.node_code, true,
           count(DISTINCT m.finding_id), sum(m.amount_vnd)
      FROM new_rows m JOIN findings f ON f.id = m.finding_id
     GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (by_node, month, unit_code, category, severity, node_code)
  DO UPDATE SET findings = a.findings + excluded.findings, to_recover_vnd = a.to_recover_vnd + excluded.to_recover_vnd;
  RETURN NULL;
END $$;
CREATE TRIGGER findings_node_agg_add AFTER INSERT ON finding_money REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION findings_node_agg_add();

-- What was recorded before this migration.
INSERT INTO findings_agg (month, unit_code, category, severity, node_code, by_node, findings, to_recover_vnd)
  SELECT date_trunc('month', found_date)::date, unit_code, category, severity, '', false, count(*), sum(to_recover_vnd)
    FROM findings GROUP BY 1, 2, 3, 4
  UNION ALL
  SELECT date_trunc('month', found_date)::date, unit_code, category, severity, '', true, count(*), 0
    FROM findings WHERE to_recover_vnd = 0 GROUP BY 1, 2, 3, 4
  UNION ALL
  SELECT date_trunc('month', f.found_date)::date, f.unit_code, f.category, f.severity, m.node_code, true,
         count(DISTINCT m.finding_id), sum(m.amount_vnd)
    FROM finding_money m JOIN findings f ON f.id = m.finding_id GROUP BY 1, 2, 3, 4, 5;

-- The breakdown rules of migrations 001 and 005, checked once per statement over the rows it
-- inserted instead of once per row at commit: an import batch COPYs thousands of rows, and
-- one set-based query per statement costs what one row's query did. Rows are never updated or
-- deleted (activity_immutable), so sums only grow and a check after each statement is as
-- strong as one at commit. A writer inserts an activity's ethnic-group and language rows
-- before its cross-breakdown cells (the margins those are checked against).

DROP TRIGGER activity_reach_within_total ON activity_reach;
DROP TRIGGER activity_reach_language ON activity_reach;
DROP TRIGGER activity_cells_within_margins ON activity_reach_cells;

CREATE FUNCTION activity_reach_checked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.code INTO bad FROM new_rows n
   WHERE n.kind = 'LANGUAGE' AND NOT EXISTS (SELECT 1 FROM languages l WHERE l.code = n.code) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'unknown language %', bad.code USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT r.activity_id INTO bad FROM activity_reach r JOIN activities a ON a.id = r.activity_id
   WHERE r.activity_id IN (SELECT DISTINCT activity_id FROM new_rows)
   GROUP BY r.activity_id, r.kind, a.participants_total HAVING sum(r.participants) > a.participants_total LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a breakdown of activity % exceeds its participants_total', bad.activity_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'activity_reach_within_total';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER activity_reach_checked AFTER INSERT ON activity_reach REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activity_reach_checked();

CREATE FUNCTION activity_cells_checked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  WITH touched AS (SELECT DISTINCT activity_id FROM new_rows),
  cells AS (SELECT c.* FROM activity_reach_cells c WHERE c.activity_id IN (SELECT activity_id FROM touched)),
  margins AS (SELECT r.activity_id, r.kind, r.code, r.participants FROM activity_reach r
               WHERE r.activity_id IN (SELECT activity_id FROM touched))
  SELECT x.activity_id INTO bad FROM (
    SELECT c.activity_id FROM cells c JOIN activities a ON a.id = c.activity_id
     GROUP BY c.activity_id, a.participants_total HAVING sum(c.participants) > a.participants_total
    UNION ALL
    SELECT c.activity_id FROM cells c LEFT JOIN margins m
        ON m.activity_id = c.activity_id AND m.kind = 'ETHNIC_GROUP' AND m.code = c.ethnic_group
     GROUP BY c.activity_id, c.ethnic_group HAVING sum(c.participants) > coalesce(max(m.participants), -1)
    UNION ALL
    SELECT c.activity_id FROM cells c LEFT JOIN margins m
        ON m.activity_id = c.activity_id AND m.kind = 'LANGUAGE' AND m.code = c.language
     GROUP BY c.activity_id, c.language HAVING sum(c.participants) > coalesce(max(m.participants), -1)) x
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'the ethnic group x language breakdown of activity % exceeds its total or its margins',
      bad.activity_id USING ERRCODE = 'check_violation', CONSTRAINT = 'activity_cells_within_margins';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER activity_cells_checked AFTER INSERT ON activity_reach_cells REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activity_cells_checked();

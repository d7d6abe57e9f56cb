-- Reach crossed by ethnic group and language, and the aggregates that answer reach and coverage
-- without scanning activities.

-- Participants of one ethnic group who were reached in one language (the cross breakdown).
CREATE TABLE activity_reach_cells (
  activity_id  uuid NOT NULL REFERENCES activities (id),
  ethnic_group text NOT NULL CHECK (ethnic_group ~ '^[0-9]{2}$' AND ethnic_group::int BETWEEN 1 AND 54),
  language     text NOT NULL REFERENCES languages (code),
  participants bigint NOT NULL CHECK (participants >= 0),
  PRIMARY KEY (activity_id, ethnic_group, language)
);

-- The cells sum to at most the total, and each group's (each language's) cells to at most that
-- group's (language's) breakdown row, which must exist; checked when the transaction commits.
CREATE FUNCTION activity_cells_within_margins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT sum(c.participants) FROM activity_reach_cells c WHERE c.activity_id = NEW.activity_id)
       > (SELECT a.participants_total FROM activities a WHERE a.id = NEW.activity_id)
     OR EXISTS (SELECT 1 FROM activity_reach_cells c WHERE c.activity_id = NEW.activity_id GROUP BY c.ethnic_group
                 HAVING sum(c.participants) > coalesce((SELECT r.participants FROM activity_reach r
                   WHERE r.activity_id = NEW.activity_id AND r.kind = 'ETHNIC_GROUP' AND r.code = c.ethnic_group), -1))
     OR EXISTS (SELECT 1 FROM activity_reach_cells c WHERE c.activity_id = NEW.activity_id GROUP BY c.language
                 HAVING sum(c.participants) > coalesce((SELECT r.participants FROM activity_reach r
                   WHERE r.activity_id = NEW.activity_id AND r.kind = 'LANGUAGE' AND r.code = c.language), -1)) THEN
    RAISE EXCEPTION 'the ethnic group x language breakdown of activity % exceeds its total or its margins', NEW.activity_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'activity_cells_within_margins';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER activity_cells_within_margins AFTER INSERT ON activity_reach_cells
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION activity_cells_within_margins();

-- An activity is a record of what happened: once written, it and its breakdowns do not change
-- (a correction is a new record), so the aggregates below never drift from them.
CREATE FUNCTION activity_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are not changed once recorded', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
CREATE TRIGGER activities_immutable BEFORE UPDATE OR DELETE ON activities
  FOR EACH ROW EXECUTE FUNCTION activity_immutable();
CREATE TRIGGER activity_reach_immutable BEFORE UPDATE OR DELETE ON activity_reach
  FOR EACH ROW EXECUTE FUNCTION activity_immutable();
CREATE TRIGGER activity_reach_cells_immutable BEFORE UPDATE OR DELETE ON activity_reach_cells
  FOR EACH ROW EXECUTE FUNCTION activity_immutable();

-- Attendances by month of the start date, commune ('' = the whole province), activity type,
-- ethnic group and language. In the two code columns '*' means "all" and '' "not broken down":
--   ('*', '*')     every activity and its total
--   (group, '*')   the ethnic-group breakdown; ('', '*') what it left unbroken
--   ('*', lang)    the language breakdown;     ('*', '') what it left unbroken
--   (group, lang)  the cross breakdown;        ('', '') what it left unbroken
-- `activities` counts the activities with attendances in the row.
CREATE TABLE reach_agg (
  month         date NOT NULL,
  commune_code  text NOT NULL,
  activity_type text NOT NULL,
  ethnic_group  text NOT NULL,
  language      text NOT NULL,
  activities    bigint NOT NULL,
  attendances   bigint NOT NULL,
  PRIMARY KEY (month, commune_code, activity_type, ethnic_group, language)
);

-- Places reached by month: commune and register village (village_ref, '' when none).
CREATE TABLE place_agg (
  month        date NOT NULL,
  commune_code text NOT NULL,
  village_ref  text NOT NULL,
  activities   bigint NOT NULL,
  PRIMARY KEY (month, commune_code, village_ref)
);

-- Adds the given activities (written in the calling transaction, with their breakdowns) to
-- both aggregates, set-based. The campaigns store calls it for every write of activities.
CREATE FUNCTION campaigns_aggregate(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  WITH a AS (
    SELECT a.id, date_trunc('month', a.start_date)::date AS month, a.commune_code, a.activity_type,
           a.participants_total AS total FROM activities a WHERE a.id = ANY(ids)),
  parts AS (
    SELECT id, '*' AS g, '*' AS l, total AS n FROM a
    UNION ALL SELECT r.activity_id, r.code, '*', r.participants FROM activity_reach r
      WHERE r.activity_id = ANY(ids) AND r.kind = 'ETHNIC_GROUP'
    UNION ALL SELECT r.activity_id, '*', r.code, r.participants FROM activity_reach r
      WHERE r.activity_id = ANY(ids) AND r.kind = 'LANGUAGE'
    UNION ALL SELECT c.activity_id, c.ethnic_group, c.language, c.participants FROM activity_reach_cells c
      WHERE c.activity_id = ANY(ids)
    UNION ALL SELECT a.id, '', '*', a.total - coalesce((SELECT sum(r.participants) FROM activity_reach r
      WHERE r.activity_id = a.id AND r.kind = 'ETHNIC_GROUP'), 0) FROM a
    UNION ALL SELECT a.id, '*', '', a.total - coalesce((SELECT sum(r.participants) FROM activity_reach r
      WHERE r.activity_id = a.id AND r.kind = 'LANGUAGE'), 0) FROM a
    UNION ALL SELECT a.id, '', '', a.total - coalesce((SELECT sum(c.participants) FROM activity_reach_cells c
      WHERE c.activity_id = a.id), 0) FROM a),
  rows AS (
    SELECT a.month, a.commune_code, a.activity_type, p.g, p.l, p.n FROM parts p JOIN a ON a.id = p.id
     WHERE p.n > 0 OR (p.g = '*' AND p.l = '*')),
  rolled AS (
    SELECT month, commune_code, activity_type, g, l, count(*) AS acts, sum(n) AS n FROM rows GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    SELECT month, '', activity_type, g, l, count(*), sum(n) FROM rows GROUP BY 1, 3, 4, 5),
  reach AS (
    INSERT INTO reach_agg AS r (month, commune_code, activity_type, ethnic_group, language, activities, attendances)
    SELECT * FROM rolled ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (month, commune_code, activity_type, ethnic_group, language) DO UPDATE
      SET activities = r.activities + EXCLUDED.activities, attendances = r.attendances + EXCLUDED.attendances
    RETURNING 1)
  INSERT INTO place_agg AS p (month, commune_code, village_ref, activities)
  SELECT date_trunc('month', x.start_date)::date, x.commune_code, x.village_ref, count(*) FROM activities x
   WHERE x.id = ANY(ids) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (month, commune_code, village_ref) DO UPDATE SET activities = p.activities + EXCLUDED.activities
$$;

SELECT campaigns_aggregate(coalesce(array_agg(id), '{}')) FROM activities;

-- Women and ethnic-minority attendances in the aggregate (on the ('*', '*') rows, the others
-- keep 0), so that a period's statistics read them like the totals instead of scanning the
-- period's activities.
ALTER TABLE reach_agg ADD COLUMN women bigint NOT NULL DEFAULT 0, ADD COLUMN ethnic_minority bigint NOT NULL DEFAULT 0;

WITH x AS (
  SELECT date_trunc('month', start_date)::date AS month, commune_code, activity_type,
         sum(participants_women) AS w, sum(participants_em) AS e
    FROM activities GROUP BY 1, 2, 3),
rolled AS (
  SELECT month, commune_code, activity_type, w, e FROM x
  UNION ALL
  SELECT month, '', activity_type, sum(w), sum(e) FROM x GROUP BY 1, 3)
UPDATE reach_agg r SET women = rolled.w, ethnic_minority = rolled.e FROM rolled
 WHERE r.month = rolled.month AND r.commune_code = rolled.commune_code AND r.activity_type = rolled.activity_type
   AND r.ethnic_group = '*' AND r.language = '*';

CREATE OR REPLACE FUNCTION campaigns_aggregate(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  WITH a AS (
    SELECT a.id, date_trunc('month', a.start_date)::date AS month, a.commune_code, a.activity_type,
           a.participants_total AS total, a.participants_women AS women, a.participants_em AS em, a.village_ref
      FROM activities a WHERE a.id = ANY(ids)),
  r AS (SELECT activity_id, kind, code, participants FROM activity_reach WHERE activity_id = ANY(ids)),
  c AS (SELECT activity_id, ethnic_group, language, participants FROM activity_reach_cells WHERE activity_id = ANY(ids)),
  rs AS (SELECT activity_id, sum(participants) FILTER (WHERE kind = 'ETHNIC_GROUP') AS g,
                sum(participants) FILTER (WHERE kind = 'LANGUAGE') AS l FROM r GROUP BY activity_id),
  cs AS (SELECT activity_id, sum(participants) AS n FROM c GROUP BY activity_id),
  parts AS (
    SELECT a.id, '*' AS g, '*' AS l, a.total AS n, a.women AS w, a.em AS e FROM a
    UNION ALL SELECT activity_id, code, '*', participants, 0, 0 FROM r WHERE kind = 'ETHNIC_GROUP'
    UNION ALL SELECT activity_id, '*', code, participants, 0, 0 FROM r WHERE kind = 'LANGUAGE'
    UNION ALL SELECT activity_id, ethnic_group, language, participants, 0, 0 FROM c
    UNION ALL SELECT a.id, '', '*', a.total - coalesce(rs.g, 0), 0, 0 FROM a LEFT JOIN rs ON rs.activity_id = a.id
    UNION ALL SELECT a.id, '*', '', a.total - coalesce(rs.l, 0), 0, 0 FROM a LEFT JOIN rs ON rs.activity_id = a.id
    UNION ALL SELECT a.id, '', '', a.total - coalesce(cs.n, 0), 0, 0 FROM a LEFT JOIN cs ON cs.activity_id = a.id),
  rows AS (
    SELECT a.month, a.commune_code, a.activity_type, p.g, p.l, p.n, p.w, p.e FROM parts p JOIN a ON a.id = p.id
     WHERE p.n > 0 OR (p.g = '*' AND p.l = '*')),
  rolled AS (
    SELECT month, commune_code, activity_type, g, l, count(*) AS acts, sum(n) AS n, sum(w) AS w, sum(e) AS e
      FROM rows GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    SELECT month, '', activity_type, g, l, count(*), sum(n), sum(w), sum(e) FROM rows GROUP BY 1, 3, 4, 5),
  reach AS (
    INSERT INTO reach_agg AS x (month, commune_code, activity_type, ethnic_group, language, activities, attendances,
                                women, ethnic_minority)
    SELECT * FROM rolled ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (month, commune_code, activity_type, ethnic_group, language) DO UPDATE
      SET activities = x.activities + EXCLUDED.activities, attendances = x.attendances + EXCLUDED.attendances,
          women = x.women + EXCLUDED.women, ethnic_minority = x.ethnic_minority + EXCLUDED.ethnic_minority
    RETURNING 1)
  INSERT INTO place_agg AS p (month, commune_code, village_ref, activities)
  SELECT month, commune_code, village_ref, count(*) FROM a GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (month, commune_code, village_ref) DO UPDATE SET activities = p.activities + EXCLUDED.activities
$$;

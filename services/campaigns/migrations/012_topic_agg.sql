-- Reach by topic: activities and attendances by month, commune ('' = the province), activity
-- type and topic. An activity with several topics counts under each (so topic rows do not add
-- up to the total); one without a topic counts under ''. Kept by campaigns_aggregate with the
-- other aggregates, and filled here for the activities recorded before it.
CREATE TABLE topic_agg (
  month         date NOT NULL,
  commune_code  text NOT NULL,
  activity_type text NOT NULL,
  topic         text NOT NULL,
  activities    bigint NOT NULL,
  attendances   bigint NOT NULL,
  PRIMARY KEY (commune_code, month, activity_type, topic)
);

CREATE FUNCTION campaigns_aggregate_topics(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  WITH t AS (
    SELECT date_trunc('month', a.start_date)::date AS month, a.commune_code, a.activity_type,
           coalesce(x.topic, '') AS topic, a.participants_total AS n
      FROM activities a LEFT JOIN LATERAL unnest(a.topics) AS x(topic) ON true
     WHERE a.id = ANY(ids)),
  rolled AS (
    SELECT month, commune_code, activity_type, topic, count(*) AS acts, sum(n) AS n FROM t GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT month, '', activity_type, topic, count(*), sum(n) FROM t GROUP BY 1, 3, 4)
  INSERT INTO topic_agg AS g (month, commune_code, activity_type, topic, activities, attendances)
  SELECT * FROM rolled ORDER BY 2, 1, 3, 4
  ON CONFLICT (commune_code, month, activity_type, topic) DO UPDATE
    SET activities = g.activities + EXCLUDED.activities, attendances = g.attendances + EXCLUDED.attendances
$$;

SELECT campaigns_aggregate_topics(coalesce(array_agg(id), '{}')) FROM activities;

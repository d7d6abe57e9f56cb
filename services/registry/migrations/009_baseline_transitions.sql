-- A household's first recorded classification is a baseline (BASELINE_POOR,
-- BASELINE_NEAR_POOR), not a flow: until now it counted as NEW_POOR / NEW_NEAR_POOR, so an
-- imported list inflated "phát sinh nghèo". Rows with no class at the start of the year
-- (class_start = '') are those; stats_agg follows by its trigger.
UPDATE household_years
   SET transition = CASE transition WHEN 'NEW_POOR' THEN 'BASELINE_POOR' ELSE 'BASELINE_NEAR_POOR' END
 WHERE class_start = '' AND transition IN ('NEW_POOR', 'NEW_NEAR_POOR');

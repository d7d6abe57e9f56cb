-- An area target names the classifications its units must leave. Until now only region III and
-- especially-difficult villages counted as difficult, so the plan's region-II communes read as
-- already out. Existing targets get every difficult class (region II, region III, villages).
ALTER TABLE movement_targets ADD COLUMN difficult_regions text[] NOT NULL
  DEFAULT '{}' CHECK (difficult_regions <@ ARRAY['REGION_I', 'REGION_II', 'REGION_III', 'ESPECIALLY_DIFFICULT_VILLAGE']);
UPDATE movement_targets SET difficult_regions = '{REGION_II,REGION_III,ESPECIALLY_DIFFICULT_VILLAGE}'
 WHERE kind = 'AREA_LEAVES_DIFFICULT_STATUS';

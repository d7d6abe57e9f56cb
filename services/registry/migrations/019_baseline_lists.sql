-- Past lists as a baseline (brief §1.1, §2.4): the 2021 lists were recognised under the
-- 2016-2020 standard (QĐ 59/2015/QĐ-TTg, kept for 2021), whose rule differs from the one the
-- registry scores. They are loaded with the class they were recognised with, never rescored,
-- and start the household's history (BASELINE_*), so that they never count as a flow.
ALTER TABLE poverty_standards ADD COLUMN scored boolean NOT NULL DEFAULT true;
INSERT INTO poverty_standards (id, legal_doc, valid_from, valid_to, min_deprivations_poor, note, scored) VALUES
  ('PS_2016_2020', 'QĐ 59/2015/QĐ-TTg; kept for 2021 by NĐ 07/2021/NĐ-CP', '2016-01-01', '2021-12-31', 3,
   'poor: income <= 700,000 rural / 900,000 urban, or up to 1,000,000 / 1,300,000 with >= 3 of 10 '
   'deprivations; lists under it are loaded as a baseline with their recognised class, not scored here', false);
-- A baseline review carries the caveat BASELINE_NOT_RESCORED (reviews.caveats): its class is
-- the one recognised, copied, and its indicators are not kept.

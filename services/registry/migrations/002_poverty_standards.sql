-- Poverty standards as reference data (BRIEF §1). Figures marked confirmed=false are
-- UNCONFIRMED in the brief and must be checked against the official text before use in
-- decisions; they are data, so correcting them is a new migration, not a code change.

INSERT INTO poverty_standards (id, legal_doc, valid_from, valid_to, min_deprivations_poor, note) VALUES
  ('PS_2022_2025', 'NĐ 07/2021/NĐ-CP Art. 3; extended to 2026 by NĐ 351/2025/NĐ-CP',
   '2022-01-01', '2026-12-31', 3,
   'poor = income <= line AND >= 3 deprivations; near-poor = income <= line AND < 3'),
  ('PS_2027_2030', 'NĐ 351/2025/NĐ-CP', '2027-01-01', '2030-12-31', 3,
   'same rule structure; indicator list UNCONFIRMED');

INSERT INTO poverty_lines (standard_id, area_type, income_line_vnd, middle_income_cap_vnd, confirmed) VALUES
  ('PS_2022_2025', 'RURAL', 1500000, 2250000, true),
  ('PS_2022_2025', 'URBAN', 2000000, 3000000, true),
  ('PS_2027_2030', 'RURAL', 2200000, NULL, true),   -- middle-income cap UNCONFIRMED: unset
  ('PS_2027_2030', 'URBAN', 2800000, NULL, true);

INSERT INTO deprivation_indicators (standard_id, code, dimension, name, threshold, confirmed) VALUES
  ('PS_2022_2025', 'D01', 'Employment', 'Employment', '>= 1 working-age member unemployed or working for wages without a labour contract (wording UNCONFIRMED)', false),
  ('PS_2022_2025', 'D02', 'Employment', 'Dependants in household', 'dependency ratio > 50% (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D03', 'Health', 'Nutrition', '>= 1 child under 16 stunted or underweight (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D04', 'Health', 'Health insurance', '>= 1 member aged 6 or over without health insurance (age bound UNCONFIRMED)', false),
  ('PS_2022_2025', 'D05', 'Education', 'Adult education level', '>= 1 member aged 16-30 neither in training nor holding the expected qualification (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D06', 'Education', 'Child school attendance', '>= 1 child aged 3 to < 16 not attending school at the appropriate level (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D07', 'Housing', 'Housing quality', 'non-durable house: >= 2 of walls, columns, roof non-durable (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D08', 'Housing', 'Housing area per capita', 'average floor area < 8 m2 per person (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D09', 'Domestic water and sanitation', 'Domestic water source', 'no access to a clean or safe water source (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D10', 'Domestic water and sanitation', 'Hygienic latrine', 'no hygienic latrine (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D11', 'Information', 'Use of telecom services', 'no member uses the internet (UNCONFIRMED)', false),
  ('PS_2022_2025', 'D12', 'Information', 'Means of information access', 'none of the listed information devices (UNCONFIRMED)', false),
  -- 2027-2030: 6 dimensions, 12 indicators; information keeps only telecom use and water/
  -- sanitation/environment adds waste treatment (BRIEF §1.4). Whole list UNCONFIRMED.
  ('PS_2027_2030', 'D01', 'Employment', 'Employment', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D02', 'Employment', 'Dependants in household', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D03', 'Health', 'Nutrition', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D04', 'Health', 'Health insurance', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D05', 'Education', 'Adult education level', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D06', 'Education', 'Child school attendance', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D07', 'Housing', 'Housing quality', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D08', 'Housing', 'Housing area per capita', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D09', 'Water, sanitation and environment', 'Domestic water source', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D10', 'Water, sanitation and environment', 'Hygienic latrine', 'UNCONFIRMED', false),
  ('PS_2027_2030', 'D11', 'Water, sanitation and environment', 'Waste treatment', 'UNCONFIRMED (new in 2027-2030)', false),
  ('PS_2027_2030', 'D12', 'Information', 'Use of telecom services', 'UNCONFIRMED', false);

INSERT INTO refdata_changes (dataset, action, actor, legal_doc, detail) VALUES
  ('poverty_standards', 'seed', 'migration 002', 'NĐ 07/2021/NĐ-CP; NĐ 351/2025/NĐ-CP',
   'PS_2022_2025 and PS_2027_2030 with lines and indicators');

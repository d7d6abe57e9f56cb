-- Which level makes local plans in a year, and which level the year is consolidated on: data
-- with its document, not code. 2025 has both: district plans until the district level ended on
-- 1 July 2025, commune plans after it for the same money. The year is consolidated on one level
-- only, so that nothing is counted twice; the other level's approved plans are reported beside
-- the total (ConsolidatePlansResponse.excluded_*), not added to it.
CREATE TABLE plan_levels (
  year_from      int PRIMARY KEY CHECK (year_from BETWEEN 2000 AND 2100),
  year_to        int NOT NULL CHECK (year_to >= year_from AND year_to <= 2100),
  allowed_levels text[] NOT NULL CHECK (cardinality(allowed_levels) > 0
                                        AND allowed_levels <@ ARRAY['district', 'commune']),
  counted_level  text NOT NULL CHECK (counted_level = ANY (allowed_levels)),
  legal_doc      text NOT NULL
);
INSERT INTO plan_levels VALUES
  (2000, 2024, '{district}', 'district', 'KH 47/KH-BDT: local plans per district'),
  (2025, 2025, '{district,commune}', 'district',
   'Luật 72/2025/QH15 and NQ 202/2025/QH15: districts end on 1 July 2025; 2025 is consolidated on the district plans made for the year'),
  (2026, 2100, '{commune}', 'commune', 'Luật 72/2025/QH15: two-tier local government, plans per commune');

-- The level of a unit from its GSO code (QĐ 124/2004/QĐ-TTg: district 3 digits, commune 5).
CREATE FUNCTION unit_level_of_code(code text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE length(code) WHEN 2 THEN 'province' WHEN 3 THEN 'district' WHEN 5 THEN 'commune' ELSE '' END
$$;

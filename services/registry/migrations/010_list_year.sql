-- The list year a review produces (QĐ 24/2021): the periodic round at the end of a year
-- produces the next year's lists, an ongoing review the current year's. The poverty standard
-- follows it. Earlier reviews get that default.
ALTER TABLE reviews ADD COLUMN list_year int;
UPDATE reviews SET list_year = extract(year FROM review_date)::int + CASE kind WHEN 'PERIODIC' THEN 1 ELSE 0 END;
ALTER TABLE reviews ALTER COLUMN list_year SET NOT NULL;

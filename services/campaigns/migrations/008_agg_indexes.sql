-- Reach for the province (commune_code '') or for a list of communes reads the rows of one
-- commune value over a range of months: index them that way (the primary key leads with the
-- month, which a year's query would scan whole).
CREATE INDEX reach_agg_commune_month ON reach_agg (commune_code, month);

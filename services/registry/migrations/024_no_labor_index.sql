-- Statistics count poor households with no working capacity (brief §2.4) per period: the few
-- flagged households are found by this index instead of a scan of the commune's households.
CREATE INDEX households_no_labor ON households (commune_code) WHERE no_labor_capacity;

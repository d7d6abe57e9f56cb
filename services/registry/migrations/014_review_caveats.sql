-- A review says when its classification rests on data marked UNCONFIRMED (brief §2.3: the B1
-- proxy-score cut-offs come from a third-party source only), so that reports can say so.
ALTER TABLE reviews ADD COLUMN caveats text[] NOT NULL DEFAULT '{}';
UPDATE reviews r SET caveats = '{PROXY_SCORE_CUTOFF_UNCONFIRMED}'
 WHERE r.proxy_score IS NOT NULL
   AND EXISTS (SELECT 1 FROM proxy_score_cutoffs c
                WHERE c.standard_id = r.standard_id AND c.area_type = r.area_type AND NOT c.confirmed);

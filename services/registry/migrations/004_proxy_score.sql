-- Proxy-income scores (B1 part of the TT 07/2021 scoring sheet). The cut-offs below come from
-- a third-party source only (BRIEF §2.3) and are UNCONFIRMED: data, so correcting them is a
-- new migration.
CREATE TABLE proxy_score_cutoffs (
  standard_id text NOT NULL REFERENCES poverty_standards (id),
  area_type   text NOT NULL CHECK (area_type IN ('RURAL', 'URBAN')),
  max_score   int NOT NULL CHECK (max_score > 0),
  legal_doc   text NOT NULL,
  confirmed   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (standard_id, area_type)
);
INSERT INTO proxy_score_cutoffs VALUES
  ('PS_2022_2025', 'RURAL', 140, 'TT 07/2021/TT-BLĐTBXH; TT 02/2022/TT-BLĐTBXH (B1 cut-off UNCONFIRMED)', false),
  ('PS_2022_2025', 'URBAN', 175, 'TT 07/2021/TT-BLĐTBXH; TT 02/2022/TT-BLĐTBXH (B1 cut-off UNCONFIRMED)', false);

ALTER TABLE reviews ADD COLUMN proxy_score int CHECK (proxy_score IS NULL OR proxy_score >= 0);

INSERT INTO refdata_changes (dataset, action, actor, legal_doc, detail) VALUES
  ('proxy_score_cutoffs', 'seed', 'migration 004', 'TT 07/2021/TT-BLĐTBXH',
   'B1 cut-offs 140 rural / 175 urban for PS_2022_2025 (UNCONFIRMED)');

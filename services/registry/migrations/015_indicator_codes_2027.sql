-- One code, one meaning across standards (brief §1.4): in the 2027-2030 set the information
-- dimension keeps only telecom use, which is D11 in 2022-2025 too, and waste treatment is new.
-- The seed had given them D12 and D11, so counting "D11" across years mixed two indicators.
-- Now: telecom use stays D11, waste treatment is D13, and D12 (means of information access)
-- exists only in 2022-2025. Reviews already scored on the 2027 set are recoded alike.
UPDATE deprivation_indicators SET code = 'D13' WHERE standard_id = 'PS_2027_2030' AND code = 'D11';
UPDATE deprivation_indicators SET code = 'D11' WHERE standard_id = 'PS_2027_2030' AND code = 'D12';

UPDATE reviews r
   SET indicators = (SELECT jsonb_agg(CASE e->>'code'
                                        WHEN 'D11' THEN jsonb_set(e, '{code}', '"D13"')
                                        WHEN 'D12' THEN jsonb_set(e, '{code}', '"D11"')
                                        ELSE e END ORDER BY ord)
                       FROM jsonb_array_elements(r.indicators) WITH ORDINALITY AS t(e, ord))
 WHERE r.standard_id = 'PS_2027_2030';

INSERT INTO refdata_changes (dataset, action, actor, legal_doc, detail) VALUES
  ('deprivation_indicators', 'recode', 'migration 015', 'NĐ 351/2025/NĐ-CP',
   'PS_2027_2030: waste treatment D11 -> D13, telecom use D12 -> D11 (same meaning, same code)');

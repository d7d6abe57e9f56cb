-- Seed catalogue from the domain brief (docs/funding.md lists the sources). confirmed=false
-- marks titles, placements and figures the brief flags as UNCONFIRMED; they are data and
-- may be corrected with CreateProgrammeNode / ReparentProgrammeNode or a later migration.

INSERT INTO funding_sources (code, display_name, central, local_counterpart, sort) VALUES
  ('CENTRAL_INVESTMENT', 'Central development-investment capital', true, false, 1),
  ('CENTRAL_RECURRENT', 'Central recurrent capital', true, false, 2),
  ('LOCAL_COUNTERPART', 'Local-budget counterpart funding', false, true, 3),
  ('LOCAL_ADDITIONAL', 'Additional local budget', false, false, 4),
  ('INTEGRATED', 'Integrated funds from other programmes', false, false, 5),
  ('POLICY_CREDIT_VBSP', 'Policy credit (Vietnam Bank for Social Policies)', false, false, 6),
  ('ENTERPRISE', 'Enterprise contributions', false, false, 7),
  ('DONOR', 'Domestic or foreign sponsors', false, false, 8),
  ('BENEFICIARY_CONTRIB', 'Beneficiary contributions (cash, labour, in kind)', false, false, 9),
  ('FUND_FOR_THE_POOR', '"For the Poor" Fund (Fatherland Front)', false, false, 10),
  ('PROVINCIAL_SPECIAL', 'Provincial programme budget (1,000 EM households)', false, false, 11);

INSERT INTO support_contents (code, display_name, eligible_classes) VALUES
  ('HOUSING', 'Housing (new or repaired)', '{POOR,NEAR_POOR}'),
  ('RESIDENTIAL_LAND', 'Residential land', '{POOR,NEAR_POOR}'),
  ('PRODUCTION_LAND', 'Production land', '{POOR,NEAR_POOR}'),
  ('DOMESTIC_WATER', 'Domestic water', '{POOR,NEAR_POOR}'),
  ('DRILLED_WELL', 'Drilled well', '{POOR,NEAR_POOR}'),
  ('TOILET', 'Hygienic toilet', '{POOR,NEAR_POOR}'),
  ('ELECTRICITY', 'Electricity connection', '{POOR,NEAR_POOR}'),
  ('LIVESTOCK_CROPS', 'Livestock or crop support', '{POOR,NEAR_POOR}'),
  ('JOB_CONVERSION', 'Job conversion', '{POOR,NEAR_POOR}'),
  ('VOCATIONAL_TRAINING', 'Vocational training', '{POOR,NEAR_POOR}'),
  ('POLICY_CREDIT_LOAN', 'Policy-credit loan', '{POOR,NEAR_POOR}');

INSERT INTO programme_nodes (code, kind, display_name, legal_doc, confirmed) VALUES
  ('NTP_EM', 'PROGRAMME', 'NTP for socio-economic development of ethnic-minority and mountainous areas 2021-2030', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P1', 'PROJECT', 'Residential land, housing, production land and domestic water', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P2', 'PROJECT', 'Planning, arranging and stabilising population', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P3', 'PROJECT', 'Sustainable agro-forestry and value-chain production', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P3.SP1', 'SUB_PROJECT', 'Sustainable agro-forestry tied to forest protection', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P3.SP2', 'SUB_PROJECT', 'Value-chain production, medicinal herbs, start-ups and investment', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P4', 'PROJECT', 'Essential infrastructure and public service units of the ethnic sector', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P4.SP1', 'SUB_PROJECT', 'Essential infrastructure for production and daily life', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P5', 'PROJECT', 'Education and training, human resources', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P5.SP1', 'SUB_PROJECT', 'Boarding and semi-boarding schools, literacy', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P5.SP2', 'SUB_PROJECT', 'Ethnic-knowledge training, pre-university and university education', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P5.SP3', 'SUB_PROJECT', 'Vocational training and jobs', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P5.SP4', 'SUB_PROJECT', 'Capacity building for communities and cadres', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P6', 'PROJECT', 'Preserving ethnic cultural values linked with tourism', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P7', 'PROJECT', 'Health care, physique and child malnutrition', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P8', 'PROJECT', 'Gender equality and urgent issues for women and children', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P9', 'PROJECT', 'Very-small ethnic groups and groups facing many difficulties', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P9.SP1', 'SUB_PROJECT', 'Livelihoods for very-small ethnic groups', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P9.SP2', 'SUB_PROJECT', 'Reducing child marriage and consanguineous marriage', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_EM.P10', 'PROJECT', 'Communication, propaganda and mobilisation; inspection, supervision and evaluation', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P10.SP1', 'SUB_PROJECT', 'Advanced examples, prestigious persons, legal dissemination, propaganda', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P10.SP2', 'SUB_PROJECT', 'IT application support points for ethnic-minority people', 'QĐ 1719/QĐ-TTg', true),
  ('NTP_EM.P10.SP3', 'SUB_PROJECT', 'Monitoring, supervision, evaluation and training', 'QĐ 1719/QĐ-TTg', false),
  ('NTP_SPR', 'PROGRAMME', 'NTP for sustainable poverty reduction 2021-2025', 'QĐ 90/QĐ-TTg', true),
  ('NTP_SPR.SPR1', 'PROJECT', 'Infrastructure in poor districts and especially difficult coastal and island communes', 'QĐ 90/QĐ-TTg', true),
  ('NTP_SPR.SPR2', 'PROJECT', 'Diversified livelihoods and poverty-reduction models', 'QĐ 90/QĐ-TTg', true),
  ('NTP_SPR.SPR3', 'PROJECT', 'Production support and nutrition', 'QĐ 90/QĐ-TTg', true),
  ('NTP_SPR.SPR4', 'PROJECT', 'Vocational education and sustainable jobs', 'QĐ 90/QĐ-TTg', true),
  ('NTP_SPR.SPR5', 'PROJECT', 'Housing support in poor districts', 'QĐ 90/QĐ-TTg', true),
  ('NTP_SPR.SPR6', 'PROJECT', 'Communication and information-poverty reduction', 'QĐ 90/QĐ-TTg', true),
  ('NTP_SPR.SPR7', 'PROJECT', 'Capacity building, monitoring and evaluation', 'QĐ 90/QĐ-TTg', true),
  ('NTP_NRD', 'PROGRAMME', 'NTP for new rural development 2021-2025', 'QĐ 263/QĐ-TTg', true),
  ('PROG_BP_1000_EM_HH', 'PROGRAMME', 'Bình Phước programme to reduce 1,000 ethnic-minority poor households per year', 'KH 205/KH-UBND; KH 47/KH-BDT', true),
  ('PROG_BP_1000_EM_HH.HOUSING', 'CONTENT_LINE', 'Housing', 'KH 47/KH-BDT', false),
  ('PROG_BP_1000_EM_HH.LAND_WATER', 'CONTENT_LINE', 'Residential land, domestic water, wells and toilets', 'KH 47/KH-BDT', false),
  ('PROG_BP_1000_EM_HH.LIVELIHOOD', 'CONTENT_LINE', 'Livestock, crops and job conversion', 'KH 47/KH-BDT', false),
  ('PROG_BP_1000_EM_HH.ELECTRICITY', 'CONTENT_LINE', 'Electricity connection', 'KH 47/KH-BDT', false),
  ('PROG_BP_1000_EM_HH.CREDIT', 'CONTENT_LINE', 'Policy-credit loans', 'KH 47/KH-BDT', false);

INSERT INTO node_placements (code, parent_code, valid_from, legal_doc)
SELECT code,
       CASE WHEN kind = 'PROGRAMME' THEN NULL
            ELSE regexp_replace(code, '\.[^.]+$', '') END,
       CASE split_part(code, '.', 1)
            WHEN 'NTP_EM' THEN date '2021-10-14'
            WHEN 'NTP_SPR' THEN date '2022-01-18'
            WHEN 'NTP_NRD' THEN date '2022-02-22'
            ELSE date '2019-01-01' END,
       legal_doc
  FROM programme_nodes;

INSERT INTO programme_settings (programme_code, valid_from, counterpart_ratio, target_households, legal_doc, confirmed) VALUES
  ('NTP_EM', '2021-10-14', 0.10, 0, 'NQ 15/2022/NQ-HĐND (ratio UNCONFIRMED)', false),
  ('NTP_SPR', '2022-01-18', 0.10, 0, 'provincial allocation resolution (ratio UNCONFIRMED)', false),
  ('NTP_NRD', '2022-02-22', 0.10, 0, 'provincial allocation resolution (ratio UNCONFIRMED)', false),
  ('PROG_BP_1000_EM_HH', '2019-01-01', 0, 1000, 'KH 47/KH-BDT (1,000 EM poor households a year)', true);

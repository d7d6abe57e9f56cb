-- Who a programme node may support (brief §3.1-3.3), checked when a support line is written,
-- not only flagged later through the registry's feed. A node's own rules apply, else those of
-- its programme (root) on the line's date; a node with none anywhere is unrestricted beyond
-- its content's eligible_classes. A household qualifies when one rule matches all of:
--   classes          its classification on the support date is one of them ({} any)
--   ethnic_minority  NULL any, true an ethnic-minority head, false a majority-group head
--   area_classes     its commune or village has one of these classifications then ({} any)
CREATE TABLE node_eligibility (
  node_code       text NOT NULL REFERENCES programme_nodes (code),
  rule_no         int NOT NULL CHECK (rule_no > 0),
  valid_from      date NOT NULL,
  valid_to        date,
  classes         text[] NOT NULL DEFAULT '{}',
  ethnic_minority boolean,
  area_classes    text[] NOT NULL DEFAULT '{}'
                  CHECK (area_classes <@ ARRAY['REGION_I', 'REGION_II', 'REGION_III', 'ESPECIALLY_DIFFICULT_VILLAGE']),
  description     text NOT NULL,
  legal_doc       text NOT NULL,
  confirmed       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (node_code, rule_no, valid_from),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
INSERT INTO node_eligibility (node_code, rule_no, valid_from, classes, ethnic_minority, area_classes, description, legal_doc, confirmed) VALUES
  ('NTP_EM', 1, '2021-10-14', '{}', true, '{}', 'ethnic-minority households',
   'QĐ 1719/QĐ-TTg, beneficiaries', true),
  ('NTP_EM', 2, '2021-10-14', '{POOR,NEAR_POOR}', false, '{REGION_III,ESPECIALLY_DIFFICULT_VILLAGE}',
   'Kinh poor and near-poor households living in especially difficult communes or villages',
   'QĐ 1719/QĐ-TTg, beneficiaries', true),
  ('NTP_SPR', 1, '2022-01-18', '{POOR,NEAR_POOR}', NULL, '{}', 'poor and near-poor households',
   'QĐ 90/QĐ-TTg (the newly escaped households it also supports are not modelled: UNCONFIRMED)', false),
  ('PROG_BP_1000_EM_HH', 1, '2019-01-01', '{POOR}', true, '{}', 'ethnic-minority poor households',
   'KH 47/KH-BDT (the 1,000 EM poor households a year programme)', false);

-- A line the rules refuse is written only with an explicit reason, and says what it rests on.
ALTER TABLE support_lines
  ADD COLUMN eligibility_basis text NOT NULL DEFAULT '',
  ADD COLUMN eligibility_override_reason text NOT NULL DEFAULT ''
    CHECK (length(eligibility_override_reason) <= 500);

-- A line's free text is stored NFC whichever path writes it (the API and COPY imports alike).
CREATE FUNCTION support_lines_text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.eligibility_override_reason := normalize(NEW.eligibility_override_reason, NFC);
  NEW.review_reason := normalize(NEW.review_reason, NFC);
  NEW.unit_of_measure := normalize(NEW.unit_of_measure, NFC);
  RETURN NEW;
END $$;
CREATE TRIGGER support_lines_text_nfc BEFORE INSERT OR UPDATE OF eligibility_override_reason, review_reason, unit_of_measure
  ON support_lines FOR EACH ROW EXECUTE FUNCTION support_lines_text_nfc();

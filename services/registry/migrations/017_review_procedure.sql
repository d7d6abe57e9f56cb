-- The review procedure in the order QĐ 24/2021/QĐ-TTg runs it (brief §2.2-2.5): a review is
-- surveyed and submitted, its list publicly posted (step 4), the district chair consulted while
-- that step existed (step 5, until 30 June 2025), and only then recognised by the commune chair
-- (step 6). Windows and steps are effective-dated data, so a later procedure is a new row.

-- When reviews may be held. YEARLY windows are MM-DD ranges; MONTHLY windows run from a day of
-- every month to its end (ongoing reviews "monthly, from the 15th").
CREATE TABLE review_windows (
  kind        text NOT NULL CHECK (kind IN ('PERIODIC', 'ONGOING')),
  valid_from  date NOT NULL,
  valid_to    date,
  cadence     text NOT NULL CHECK (cadence IN ('YEARLY', 'MONTHLY')),
  start_md    text NOT NULL,  -- YEARLY: MM-DD; MONTHLY: DD
  end_md      text NOT NULL,  -- YEARLY: MM-DD; MONTHLY: DD or END (the month's last day)
  legal_doc   text NOT NULL,
  confirmed   boolean NOT NULL DEFAULT true,
  PRIMARY KEY (kind, valid_from),
  CHECK (valid_to IS NULL OR valid_to >= valid_from),
  CHECK ((cadence = 'YEARLY' AND start_md ~ '^[0-1][0-9]-[0-3][0-9]$' AND end_md ~ '^[0-1][0-9]-[0-3][0-9]$')
      OR (cadence = 'MONTHLY' AND start_md ~ '^[0-3][0-9]$' AND end_md ~ '^([0-3][0-9]|END)$'))
);
-- Before QĐ 24/2021 took effect (1 Sep 2021) there is no window: older lists are loaded as a
-- baseline (imported approved reviews), never reviewed here.
INSERT INTO review_windows VALUES
  ('PERIODIC', '2021-09-01', NULL, 'YEARLY', '09-01', '12-14', 'QĐ 24/2021/QĐ-TTg Art. 3-4', true),
  ('ONGOING', '2021-09-01', NULL, 'MONTHLY', '15', 'END',
   'QĐ 24/2021/QĐ-TTg (monthly, from the 15th; the end of the monthly window is UNCONFIRMED)', false);
DROP TABLE review_settings;

-- The steps between survey and recognition and who performs them, by date. A step with no row
-- in force on a date is not part of the procedure then (the district consultation after
-- 30 June 2025: its replacement is UNCONFIRMED, an operator adds a row if one is decided).
CREATE TABLE review_steps (
  step        text NOT NULL CHECK (step IN ('VILLAGE_MEETING', 'POSTING', 'DISTRICT_CONSULTATION', 'RECOGNITION')),
  valid_from  date NOT NULL,
  valid_to    date,
  authority   text NOT NULL,
  legal_doc   text NOT NULL,
  PRIMARY KEY (step, valid_from),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
INSERT INTO review_steps VALUES
  ('VILLAGE_MEETING', '2021-09-01', NULL, 'village meeting (họp dân) with the commune steering committee',
   'QĐ 24/2021/QĐ-TTg step 3'),
  ('POSTING', '2021-09-01', NULL, 'People''s Committee of the commune (niêm yết công khai)', 'QĐ 24/2021/QĐ-TTg step 4'),
  ('DISTRICT_CONSULTATION', '2021-09-01', '2025-06-30', 'Chair of the district People''s Committee',
   'QĐ 24/2021/QĐ-TTg step 5; district level abolished 1 Jul 2025 (Resolution 202/2025/QH15)'),
  ('RECOGNITION', '2021-09-01', NULL, 'Chair of the commune People''s Committee', 'QĐ 24/2021/QĐ-TTg step 6');

-- Posting now comes before the decision: a POSTED review awaits recognition, an APPROVED one
-- has its decision and (when made here) the date it was posted. Reviews approved then posted
-- under the earlier order are APPROVED ones that carry a posting date.
ALTER TABLE reviews DROP CONSTRAINT reviews_check;
INSERT INTO review_events (review_id, from_state, to_state, actor, note)
  SELECT id, 'POSTED', 'APPROVED', 'migration 017', 'posted after its decision under the earlier order'
    FROM reviews WHERE state = 'POSTED';
UPDATE reviews SET state = 'APPROVED' WHERE state = 'POSTED';
ALTER TABLE reviews
  ADD COLUMN consulted_on date,
  ADD COLUMN consultation_document text NOT NULL DEFAULT '',
  ADD CONSTRAINT reviews_approved_decision CHECK (state <> 'APPROVED' OR (decision_number <> '' AND decision_date IS NOT NULL)),
  ADD CONSTRAINT reviews_posted_date CHECK (state <> 'POSTED' OR posted_on IS NOT NULL);

-- Review text (reviewer notes, decisions, reasons) is stored NFC like every other free text.
UPDATE reviews SET rejection_reason = normalize(rejection_reason, NFC), decision_number = normalize(decision_number, NFC),
                   reviewer = normalize(reviewer, NFC)
 WHERE rejection_reason IS NOT NFC NORMALIZED OR decision_number IS NOT NFC NORMALIZED OR reviewer IS NOT NFC NORMALIZED;
CREATE FUNCTION reviews_text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.rejection_reason := normalize(NEW.rejection_reason, NFC);
  NEW.decision_number := normalize(NEW.decision_number, NFC);
  NEW.reviewer := normalize(NEW.reviewer, NFC);
  NEW.consultation_document := normalize(NEW.consultation_document, NFC);
  IF NOT (NEW.indicators::text IS NFC NORMALIZED) THEN
    NEW.indicators := normalize(NEW.indicators::text, NFC)::jsonb;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER reviews_text_nfc BEFORE INSERT OR UPDATE ON reviews FOR EACH ROW EXECUTE FUNCTION reviews_text_nfc();
ALTER TABLE reviews
  ADD CONSTRAINT reviews_text_length CHECK (length(rejection_reason) <= 1000 AND length(decision_number) <= 100
                                            AND length(consultation_document) <= 200);

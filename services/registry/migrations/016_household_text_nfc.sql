-- One village never exists under two spellings: a household's free text (village, address, the
-- reason for an area override) is stored in Unicode NFC whichever path writes it, single writes
-- and COPY imports alike (a BEFORE trigger: COPY bypasses the SQL of the single-row path), and
-- has a length limit. Existing rows are normalised first.
UPDATE households
   SET village = normalize(village, NFC), address = normalize(address, NFC),
       area_type_override_reason = normalize(area_type_override_reason, NFC)
 WHERE village IS NOT NFC NORMALIZED OR address IS NOT NFC NORMALIZED
    OR area_type_override_reason IS NOT NFC NORMALIZED;

CREATE FUNCTION households_text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.village IS NOT NFC NORMALIZED THEN NEW.village := normalize(NEW.village, NFC); END IF;
  IF NEW.address IS NOT NFC NORMALIZED THEN NEW.address := normalize(NEW.address, NFC); END IF;
  IF NEW.area_type_override_reason IS NOT NFC NORMALIZED THEN
    NEW.area_type_override_reason := normalize(NEW.area_type_override_reason, NFC);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER households_text_nfc BEFORE INSERT OR UPDATE OF village, address, area_type_override_reason
  ON households FOR EACH ROW EXECUTE FUNCTION households_text_nfc();

ALTER TABLE households
  ADD CONSTRAINT households_text_length CHECK (length(village) <= 200 AND length(address) <= 500
                                               AND length(area_type_override_reason) <= 500);

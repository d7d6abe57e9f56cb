-- Every free text the funding service stores is Unicode NFC, whichever path writes it, so one
-- name or reason never exists under two spellings; lengths have limits (checked by the API,
-- which names the field, and here for every other writer).
CREATE FUNCTION text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  col text;
  patch jsonb := '{}';
BEGIN
  FOREACH col IN ARRAY TG_ARGV LOOP
    IF NOT ((to_jsonb(NEW) ->> col) IS NFC NORMALIZED) THEN
      patch := patch || jsonb_build_object(col, normalize(to_jsonb(NEW) ->> col, NFC));
    END IF;
  END LOOP;
  IF patch <> '{}' THEN
    NEW := jsonb_populate_record(NEW, patch);
  END IF;
  RETURN NEW;
END $$;

UPDATE programme_nodes SET display_name = normalize(display_name, NFC), legal_doc = normalize(legal_doc, NFC)
 WHERE display_name IS NOT NFC NORMALIZED OR legal_doc IS NOT NFC NORMALIZED;
CREATE TRIGGER programme_nodes_text_nfc BEFORE INSERT OR UPDATE ON programme_nodes
  FOR EACH ROW EXECUTE FUNCTION text_nfc('display_name', 'legal_doc');
CREATE TRIGGER node_placements_text_nfc BEFORE INSERT ON node_placements
  FOR EACH ROW EXECUTE FUNCTION text_nfc('legal_doc');
CREATE TRIGGER allocation_revisions_text_nfc BEFORE INSERT ON allocation_revisions
  FOR EACH ROW EXECUTE FUNCTION text_nfc('reason');
CREATE TRIGGER disbursements_text_nfc BEFORE INSERT ON disbursements
  FOR EACH ROW EXECUTE FUNCTION text_nfc('note');
UPDATE plans SET comments = normalize(comments, NFC) WHERE comments IS NOT NFC NORMALIZED;
CREATE TRIGGER plans_text_nfc BEFORE INSERT OR UPDATE ON plans FOR EACH ROW EXECUTE FUNCTION text_nfc('comments');
CREATE TRIGGER plan_events_text_nfc BEFORE INSERT ON plan_events FOR EACH ROW EXECUTE FUNCTION text_nfc('comments');

ALTER TABLE programme_nodes
  ADD CONSTRAINT programme_nodes_text_length CHECK (length(display_name) <= 300 AND length(legal_doc) <= 500);
ALTER TABLE allocation_revisions ADD CONSTRAINT allocation_revisions_reason_length CHECK (length(reason) <= 1000);
ALTER TABLE disbursements ADD CONSTRAINT disbursements_note_length CHECK (length(note) <= 1000);
ALTER TABLE plans ADD CONSTRAINT plans_comments_length CHECK (length(comments) <= 2000);

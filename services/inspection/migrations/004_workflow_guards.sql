-- Guards a review of the workflow asked for: steps in date order and never a repeat of the
-- state an inspection is in (a second appraisal, signature or publication would overwrite
-- the first); protected passages compared in the same normal form as the text; one financial
-- recommendation per finding (a second one would require the same money twice).

CREATE FUNCTION inspection_steps_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev inspection_steps;
BEGIN
  SELECT * INTO prev FROM inspection_steps WHERE inspection_id = NEW.inspection_id ORDER BY seq DESC LIMIT 1;
  IF prev.inspection_id IS NULL THEN
    RETURN NEW;
  END IF;
  IF prev.to_state = NEW.to_state THEN
    RAISE EXCEPTION 'the inspection is % already', NEW.to_state USING ERRCODE = 'P0001';
  END IF;
  IF NEW.day < prev.day THEN
    RAISE EXCEPTION 'date: % is before the previous step (% on %)', NEW.day, prev.to_state, prev.day
      USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER inspection_steps_in_order BEFORE INSERT ON inspection_steps
  FOR EACH ROW EXECUTE FUNCTION inspection_steps_in_order();

CREATE OR REPLACE FUNCTION conclusions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p jsonb;
BEGIN
  NEW.text := normalize(NEW.text, NFC);
  NEW.protected_passages := (
    SELECT coalesce(jsonb_agg(jsonb_set(x, '{text}', to_jsonb(normalize(x ->> 'text', NFC))) ORDER BY n), '[]'::jsonb)
      FROM jsonb_array_elements(NEW.protected_passages) WITH ORDINALITY AS e(x, n));
  IF TG_OP = 'INSERT' THEN
    NEW.signing_due := NEW.draft_date + rule_value('SIGNING_DAYS', NEW.draft_date);
  ELSE
    IF OLD.signer IS NOT NULL AND (NEW.text <> OLD.text OR NEW.protected_passages <> OLD.protected_passages
                                   OR NEW.signer <> OLD.signer OR NEW.drafter <> OLD.drafter) THEN
      RAISE EXCEPTION 'a signed conclusion does not change' USING ERRCODE = 'P0001';
    END IF;
    NEW.signing_due := OLD.signing_due;
  END IF;
  IF NEW.published_from IS NOT NULL THEN
    NEW.published_text := normalize(NEW.published_text, NFC);
    NEW.withdrawable_from := NEW.published_from + rule_value('PUBLICATION_MIN_DAYS', NEW.published_from);
    FOR p IN SELECT * FROM jsonb_array_elements(NEW.protected_passages) LOOP
      IF NEW.published_text IS NULL OR position((p ->> 'text') IN NEW.published_text) > 0 THEN
        RAISE EXCEPTION 'the published text holds a protected passage' USING ERRCODE = 'P0001';
      END IF;
    END LOOP;
  END IF;
  RETURN NEW;
END $$;

CREATE UNIQUE INDEX recommendations_financial_once ON recommendations (finding_id) WHERE kind = 'FINANCIAL';

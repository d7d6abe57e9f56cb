-- Maker-checker, enforced by the database: whoever submitted a review (its latest submission)
-- cannot approve it, whatever roles their token carries. Raised as a check violation of the
-- constraint "maker_checker", which the services report as PERMISSION_DENIED (SELF_APPROVAL).
CREATE FUNCTION review_maker_checker() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  submitter text;
BEGIN
  IF NEW.to_state <> 'APPROVED' THEN
    RETURN NEW;
  END IF;
  SELECT actor INTO submitter FROM review_events
   WHERE review_id = NEW.review_id AND to_state = 'SUBMITTED' ORDER BY id DESC LIMIT 1;
  IF submitter = NEW.actor THEN
    RAISE EXCEPTION 'new row for review_events violates check constraint "maker_checker": % submitted this review and cannot approve it', NEW.actor
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER review_maker_checker BEFORE INSERT ON review_events
  FOR EACH ROW EXECUTE FUNCTION review_maker_checker();

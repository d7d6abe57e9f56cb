-- Maker-checker, enforced by the database: whoever submitted a plan (its latest submission)
-- cannot approve it. Raised as a check violation of the constraint "maker_checker", which the
-- service reports as PERMISSION_DENIED (SELF_APPROVAL).
CREATE FUNCTION plan_maker_checker() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  submitter text;
BEGIN
  IF NEW.to_state <> 'APPROVED' THEN
    RETURN NEW;
  END IF;
  SELECT actor INTO submitter FROM plan_events
   WHERE plan_id = NEW.plan_id AND to_state = 'SUBMITTED' ORDER BY at DESC LIMIT 1;
  IF submitter = NEW.actor THEN
    RAISE EXCEPTION 'new row for plan_events violates check constraint "maker_checker": % submitted this plan and cannot approve it', NEW.actor
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER plan_maker_checker BEFORE INSERT ON plan_events
  FOR EACH ROW EXECUTE FUNCTION plan_maker_checker();

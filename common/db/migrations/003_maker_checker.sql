-- Maker-checker for any workflow whose moves are logged in an events table with columns
-- (<id column>, to_state, actor): a trigger on that table, created by the service's own
-- migration as
--   CREATE TRIGGER ... BEFORE INSERT ON <events> FOR EACH ROW
--     EXECUTE FUNCTION maker_checker('<id column>', '<order column>');
-- refuses an APPROVED move by the actor of the latest SUBMITTED move of the same record. It is
-- raised as a check violation of the constraint "maker_checker", which every service reports
-- as PERMISSION_DENIED (reason SELF_APPROVAL, common/db/sqlstate.cc).
CREATE FUNCTION maker_checker() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  submitter text;
  record_id text := to_jsonb(NEW) ->> TG_ARGV[0];
BEGIN
  IF NEW.to_state <> 'APPROVED' THEN
    RETURN NEW;
  END IF;
  EXECUTE format('SELECT actor FROM %I.%I WHERE %I::text = $1 AND to_state = ''SUBMITTED'' ORDER BY %I DESC LIMIT 1',
                 TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1])
     INTO submitter USING record_id;
  IF submitter = NEW.actor THEN
    RAISE EXCEPTION 'new row for % violates check constraint "maker_checker": % submitted this record and cannot approve it',
                    TG_TABLE_NAME, NEW.actor USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;

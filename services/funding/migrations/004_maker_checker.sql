-- Maker-checker, enforced by the database (common migration 003): whoever last submitted a
-- plan cannot approve it.
CREATE TRIGGER plan_maker_checker BEFORE INSERT ON plan_events
  FOR EACH ROW EXECUTE FUNCTION maker_checker('plan_id', 'at');

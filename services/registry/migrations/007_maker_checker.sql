-- Maker-checker, enforced by the database (common migration 003): whoever last submitted a
-- review cannot approve it, whatever roles their token carries.
CREATE TRIGGER review_maker_checker BEFORE INSERT ON review_events
  FOR EACH ROW EXECUTE FUNCTION maker_checker('review_id', 'id');

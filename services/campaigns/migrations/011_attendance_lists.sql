-- Attendance lists (optional per activity): who was there, as a registry member or a
-- prestigious person. `person_key` identifies the human across lists (a member keeps its id
-- when its household splits or merges; the household part of its name does not), so that
-- unique reach counts each once.
CREATE TABLE activity_attendees (
  activity_id uuid NOT NULL REFERENCES activities (id),
  attendee    text NOT NULL CHECK (attendee ~ '^(persons/[0-9a-f-]{36}|households/[0-9a-f-]{36}/members/[0-9a-f-]{36})$'),
  person_key  text GENERATED ALWAYS AS (
                CASE WHEN attendee LIKE 'persons/%' THEN attendee
                     ELSE 'members/' || split_part(attendee, '/', 4) END) STORED,
  PRIMARY KEY (activity_id, attendee)
);
CREATE TRIGGER activity_attendees_immutable BEFORE UPDATE OR DELETE ON activity_attendees
  FOR EACH ROW EXECUTE FUNCTION activity_immutable();

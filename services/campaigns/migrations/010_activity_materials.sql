-- What an activity produced, delivered and kept as evidence (brief §7's indicators): materials
-- by kind, count and language; equipment delivered; attachments as metadata (the files are
-- stored elsewhere; the SHA-256 lets anyone check a copy). Immutable like the activity.
CREATE TABLE activity_materials (
  activity_id uuid NOT NULL REFERENCES activities (id),
  line_no     int NOT NULL,
  kind        text NOT NULL CHECK (kind ~ '^[A-Z][A-Z0-9_]{1,39}$'),
  count       bigint NOT NULL CHECK (count >= 1),
  language    text NOT NULL REFERENCES languages (code),
  PRIMARY KEY (activity_id, line_no)
);
CREATE TABLE activity_equipment (
  activity_id uuid NOT NULL REFERENCES activities (id),
  line_no     int NOT NULL,
  kind        text NOT NULL CHECK (kind ~ '^[A-Z][A-Z0-9_]{1,39}$'),
  count       bigint NOT NULL CHECK (count >= 1),
  value       bigint NOT NULL DEFAULT 0 CHECK (value >= 0),
  PRIMARY KEY (activity_id, line_no)
);
CREATE TABLE activity_attachments (
  activity_id uuid NOT NULL REFERENCES activities (id),
  line_no     int NOT NULL,
  file_name   text NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 255),
  media_type  text NOT NULL CHECK (media_type ~ '^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$'),
  size_bytes  bigint NOT NULL CHECK (size_bytes >= 0),
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  location    text NOT NULL CHECK (char_length(location) BETWEEN 1 AND 1000),
  PRIMARY KEY (activity_id, line_no)
);
CREATE TRIGGER activity_materials_immutable BEFORE UPDATE OR DELETE ON activity_materials
  FOR EACH ROW EXECUTE FUNCTION activity_immutable();
CREATE TRIGGER activity_equipment_immutable BEFORE UPDATE OR DELETE ON activity_equipment
  FOR EACH ROW EXECUTE FUNCTION activity_immutable();
CREATE TRIGGER activity_attachments_immutable BEFORE UPDATE OR DELETE ON activity_attachments
  FOR EACH ROW EXECUTE FUNCTION activity_immutable();

-- Streaming imports of activities: which rows of which import went in, so that the same
-- import sent again (lnobctl derives its id from the file's content) writes nothing twice.
CREATE TABLE imports (
  id         uuid PRIMARY KEY,
  actor      text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE import_rows (
  import_id   uuid NOT NULL REFERENCES imports (id),
  row_number  bigint NOT NULL,
  activity_id uuid NOT NULL REFERENCES activities (id),
  PRIMARY KEY (import_id, row_number)
);

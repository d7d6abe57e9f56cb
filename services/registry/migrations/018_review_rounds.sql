-- The review procedure around the reviews (brief §2.2-2.5, QĐ 24/2021/QĐ-TTg): Form 01
-- requests with their answer period, the commune's periodic round with its due list, and the
-- recognised lists that the commune chair's decisions freeze.

-- How long the commune has to answer a Form 01 request. QĐ 24/2021 sets a period the brief does
-- not quote: the value is configurable and marked unconfirmed.
CREATE TABLE application_rules (
  valid_from   date PRIMARY KEY,
  valid_to     date,
  answer_days  int NOT NULL CHECK (answer_days > 0),
  working_days boolean NOT NULL,
  legal_doc    text NOT NULL,
  confirmed    boolean NOT NULL DEFAULT false
);
INSERT INTO application_rules VALUES
  ('2021-09-01', NULL, 7, true, 'QĐ 24/2021/QĐ-TTg Art. 4 (answer period UNCONFIRMED)', false);

CREATE TABLE review_applications (
  id             uuid PRIMARY KEY,
  household_id   uuid NOT NULL REFERENCES households (id),
  commune_code   text NOT NULL,  -- the household's commune when it filed
  purpose        text NOT NULL CHECK (purpose IN ('ADD_TO_LIST', 'EXIT_LIST', 'REEXAMINE')),
  filed_on       date NOT NULL,
  reason         text NOT NULL CHECK (length(reason) <= 1000),
  deadline       date NOT NULL CHECK (deadline >= filed_on),
  state          text NOT NULL DEFAULT 'APPLICATION_OPEN'
                 CHECK (state IN ('APPLICATION_OPEN', 'APPLICATION_REVIEWED', 'APPLICATION_REFUSED')),
  review_id      uuid REFERENCES reviews (id),
  refusal_reason text NOT NULL DEFAULT '' CHECK (length(refusal_reason) <= 1000),
  closed_on      date,
  caveats        text[] NOT NULL DEFAULT '{}',
  version        bigint NOT NULL DEFAULT 1,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'APPLICATION_REVIEWED' OR (review_id IS NOT NULL AND closed_on IS NOT NULL)),
  CHECK (state <> 'APPLICATION_REFUSED' OR (refusal_reason <> '' AND closed_on IS NOT NULL))
);
CREATE INDEX review_applications_household ON review_applications (household_id, id);
CREATE INDEX review_applications_open ON review_applications (commune_code, deadline) WHERE state = 'APPLICATION_OPEN';
CREATE INDEX review_applications_commune ON review_applications (commune_code, id);

CREATE TABLE review_rounds (
  id                uuid PRIMARY KEY,
  commune_code      text NOT NULL,
  list_year         int NOT NULL,
  opened_on         date NOT NULL,
  state             text NOT NULL DEFAULT 'ROUND_OPEN'
                    CHECK (state IN ('ROUND_OPEN', 'ROUND_MEETING_HELD', 'ROUND_POSTED', 'ROUND_RECOGNISED')),
  meeting_on        date,
  meeting_attendees int NOT NULL DEFAULT 0,
  meeting_note      text NOT NULL DEFAULT '' CHECK (length(meeting_note) <= 2000),
  posted_on         date,
  version           bigint NOT NULL DEFAULT 1,
  created_by        text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (commune_code, list_year)  -- one periodic round per commune and list year
);

-- The households due in a round: drawn up when it opens (the poor and near-poor lists on that
-- day plus open requests), and households whose request is filed while it runs.
CREATE TABLE round_due (
  round_id         uuid NOT NULL REFERENCES review_rounds (id),
  household_id     uuid NOT NULL REFERENCES households (id),
  reason           text NOT NULL CHECK (reason IN ('ON_POOR_LIST', 'ON_NEAR_POOR_LIST', 'APPLIED')),
  class_at_opening text NOT NULL,
  application_id   uuid REFERENCES review_applications (id),
  PRIMARY KEY (round_id, household_id)
);

ALTER TABLE reviews
  ADD COLUMN round_id uuid REFERENCES review_rounds (id),
  ADD COLUMN application_id uuid REFERENCES review_applications (id);
CREATE INDEX reviews_round ON reviews (round_id, household_id) WHERE round_id IS NOT NULL;

-- Recognised lists: one version per decision, never changed afterwards.
CREATE TABLE recognised_lists (
  round_id        uuid NOT NULL REFERENCES review_rounds (id),
  version         int NOT NULL CHECK (version > 0),
  decision_number text NOT NULL CHECK (decision_number <> '' AND length(decision_number) <= 100),
  decision_date   date NOT NULL,
  recognised_by   text NOT NULL,
  changed_entries int NOT NULL,
  at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (round_id, version)
);
CREATE TABLE recognised_list_entries (
  round_id       uuid NOT NULL,
  version        int NOT NULL,
  household_id   uuid NOT NULL REFERENCES households (id),
  review_id      uuid REFERENCES reviews (id),
  classification text NOT NULL,
  previous_classification text NOT NULL,
  category       text NOT NULL,
  social_assistance boolean NOT NULL,
  changed        boolean NOT NULL,
  PRIMARY KEY (round_id, version, household_id),
  FOREIGN KEY (round_id, version) REFERENCES recognised_lists (round_id, version)
);
INSERT INTO append_only_tables (table_name) VALUES ('recognised_lists'), ('recognised_list_entries')
  ON CONFLICT DO NOTHING;

-- Free text of the procedure is stored NFC, whichever path writes it.
CREATE FUNCTION procedure_text_nfc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'review_applications' THEN
    NEW.reason := normalize(NEW.reason, NFC);
    NEW.refusal_reason := normalize(NEW.refusal_reason, NFC);
  ELSE
    NEW.meeting_note := normalize(NEW.meeting_note, NFC);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER review_applications_text_nfc BEFORE INSERT OR UPDATE ON review_applications
  FOR EACH ROW EXECUTE FUNCTION procedure_text_nfc();
CREATE TRIGGER review_rounds_text_nfc BEFORE INSERT OR UPDATE ON review_rounds
  FOR EACH ROW EXECUTE FUNCTION procedure_text_nfc();

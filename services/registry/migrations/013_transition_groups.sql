-- One definition of "escaped from poverty", as data with its document, for every target, report
-- and RPC: the movement target, funding's cost per escaped household and the 1,000-household
-- programme's progress all read group ESCAPED (they used to count three different things).
CREATE TABLE transition_groups (
  code        text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,40}$'),
  transitions text[] NOT NULL CHECK (cardinality(transitions) > 0),
  legal_doc   text NOT NULL,
  description text NOT NULL
);
INSERT INTO transition_groups VALUES
  ('ESCAPED', '{ESCAPED_POOR,POOR_TO_NEAR_POOR}',
   'QĐ 24/2021/QĐ-TTg (hộ thoát nghèo: a poor household leaves the poor list); KH 47/KH-BDT',
   'Escaped from poverty in the year: poor at its start, near-poor or above at its end.');

-- Tables of this schema that only ever grow (audit trails). lnobctl bootstrap, which grants
-- the service role DML on every table (for tables restored before its default privileges
-- existed), takes UPDATE, DELETE and TRUNCATE back on each table listed here, so running it
-- again never reopens an audit trail.
CREATE TABLE IF NOT EXISTS append_only_tables (
  table_name text PRIMARY KEY
);

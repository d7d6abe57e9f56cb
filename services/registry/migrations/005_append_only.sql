-- The personal-data audit stays append-only across every later bootstrap (see
-- common/db/migrations/001_append_only.sql).
INSERT INTO append_only_tables (table_name) VALUES ('pii_audit') ON CONFLICT DO NOTHING;

-- An activity's village as the registry's register names it (villages/{uuid}), when the
-- commune keeps a register; empty for free text in a commune without one.
ALTER TABLE activities ADD COLUMN village_ref text NOT NULL DEFAULT ''
  CHECK (village_ref = '' OR village_ref ~ '^villages/[0-9a-f-]{36}$');

-- A split or a merge names the other household in the change feed, so that consumers (the
-- funding ledger's double-funding rule, brief §3.5) can keep the history of the households a
-- household came from.
ALTER TABLE change_feed ADD COLUMN related_household_id uuid;

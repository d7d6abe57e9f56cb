-- A household created by a split, or one that absorbed another by a merge, keeps the ledger
-- history of the households it came from for the double-funding rule (brief §3.5). The
-- registry's change feed names the other household of each split and merge; the feed consumer
-- records the closure here (each household with every household it descends from).
CREATE TABLE household_lineage (
  household_id uuid NOT NULL,
  ancestor_id  uuid NOT NULL,
  cursor       bigint NOT NULL,  -- the registry change that created the link
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (household_id, ancestor_id),
  CHECK (household_id <> ancestor_id)
);

-- One policy per household, content and period, over the household and its ancestors. Every
-- insert locks the keys of its family (sorted, so two writers never wait on each other in a
-- cycle), so a line for a household and one for its descendant cannot both pass. The unique
-- index support_one_policy still guards a household's own yearly lines.
CREATE OR REPLACE FUNCTION support_once_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  once boolean;
  family uuid[];
  member uuid;
BEGIN
  IF NEW.state = 'CANCELLED' THEN
    RETURN NEW;
  END IF;
  once := coalesce((SELECT policy_period = 'ONCE' FROM support_contents WHERE code = NEW.content), false);
  SELECT array_agg(m ORDER BY m) INTO family
    FROM (SELECT NEW.household_id AS m UNION SELECT ancestor_id FROM household_lineage WHERE household_id = NEW.household_id) x;
  FOREACH member IN ARRAY family LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended('support_policy:' || member::text || ':' || NEW.content, 0));
  END LOOP;
  IF EXISTS (SELECT 1 FROM support_lines WHERE household_id = ANY(family) AND content = NEW.content
                AND state <> 'CANCELLED' AND id <> NEW.id AND (once OR year = NEW.year)) THEN
    RAISE EXCEPTION 'duplicate key value violates unique constraint "support_one_policy": % already given to this household or one it came from',
                    NEW.content USING ERRCODE = '23505', CONSTRAINT = 'support_one_policy';
  END IF;
  RETURN NEW;
END $$;

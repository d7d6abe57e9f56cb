-- A campaign's target villages (the registry's register, villages/{uuid}) beside its target
-- units; the budget allocated to an activity by source and programme node beside what it spent.
ALTER TABLE campaigns ADD COLUMN target_villages text[] NOT NULL DEFAULT '{}'
  CHECK (cardinality(target_villages) <= 1000);

CREATE TABLE activity_allocated (
  activity_id uuid NOT NULL REFERENCES activities (id),
  line_no     int NOT NULL,
  source      text NOT NULL,
  node_code   text NOT NULL,
  amount      bigint NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (activity_id, line_no)
);
CREATE TRIGGER activity_allocated_immutable BEFORE UPDATE OR DELETE ON activity_allocated
  FOR EACH ROW EXECUTE FUNCTION activity_immutable();

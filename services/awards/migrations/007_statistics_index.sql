-- The statistics read decisions alone: the subject's kind, sex and ethnic group are copied onto
-- the decision when it is taken (the nomination's are fixed by then), and one covering index
-- answers a period's counts without visiting the nominations.
ALTER TABLE decisions
  ADD COLUMN subject_kind text NOT NULL DEFAULT '',
  ADD COLUMN sex text NOT NULL DEFAULT '',
  ADD COLUMN ethnic_group_code text NOT NULL DEFAULT '';

ALTER TABLE decisions DISABLE TRIGGER decisions_guard;
UPDATE decisions d SET subject_kind = n.subject_kind, sex = n.sex, ethnic_group_code = n.ethnic_group_code
  FROM nominations n WHERE n.id = d.nomination_id;
ALTER TABLE decisions ENABLE TRIGGER decisions_guard;

-- Runs before decisions_guard (triggers fire in name order).
CREATE FUNCTION decisions_copy_subject() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT subject_kind, sex, ethnic_group_code INTO NEW.subject_kind, NEW.sex, NEW.ethnic_group_code
    FROM nominations WHERE id = NEW.nomination_id;
  RETURN NEW;
END $$;
CREATE TRIGGER decisions_copy_subject BEFORE INSERT ON decisions
  FOR EACH ROW EXECUTE FUNCTION decisions_copy_subject();

CREATE INDEX decisions_statistics ON decisions (date)
  INCLUDE (form_code, unit_code, subject_kind, sex, ethnic_group_code, nomination_id);
CREATE INDEX nominations_submitted ON nominations (sub_date) WHERE sub_date IS NOT NULL;

-- Households, area classifications and area targets linked to the village register.
--
-- A household is linked to the village version in force today in its commune whose name
-- matches its village text (diacritic-insensitive, fold_name). The link is kept when the village
-- is later renamed or merged: reads follow village_lineage to the version in force on the date
-- they ask about (village_on). A commune without a register keeps free text, unlinked.

-- The commune's village in force on `d` named `name` (folded), or NULL.
CREATE FUNCTION village_named(p_commune text, p_name text, p_day date) RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT v.id FROM villages v
   WHERE v.commune_code = p_commune AND v.name_folded = fold_name(p_name) AND v.validity @> p_day
   LIMIT 1
$$;

-- The version of village `p_village` in force on `p_day`: itself, or the village it was renamed
-- or merged into (transitively); NULL when none is in force then (not yet created).
CREATE FUNCTION village_on(p_village uuid, p_day date) RETURNS uuid
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chain(id, depth) AS (
    SELECT p_village, 0
    UNION ALL
    SELECT l.new_id, c.depth + 1 FROM chain c JOIN village_lineage l ON l.old_id = c.id
     WHERE c.depth < 50
  )
  SELECT c.id FROM chain c JOIN villages v ON v.id = c.id
   WHERE v.validity @> p_day ORDER BY c.depth LIMIT 1
$$;

ALTER TABLE households ADD COLUMN village_id uuid REFERENCES villages (id);
CREATE INDEX households_village ON households (village_id) WHERE village_id IS NOT NULL;

-- Links on the way in. The service refuses a village outside a registered commune's list with a
-- field error first; this is the backstop, so that no write path can skip the register.
CREATE FUNCTION households_village_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.village IS NOT DISTINCT FROM OLD.village
     AND NEW.commune_code IS NOT DISTINCT FROM OLD.commune_code THEN
    RETURN NEW;
  END IF;
  NEW.village_id := NULL;
  IF NEW.village = '' THEN
    RETURN NEW;
  END IF;
  NEW.village_id := village_named(NEW.commune_code, NEW.village, current_date);
  IF NEW.village_id IS NOT NULL THEN
    NEW.village := (SELECT name FROM villages WHERE id = NEW.village_id);  -- the register's spelling
  ELSIF EXISTS (SELECT 1 FROM villages WHERE commune_code = NEW.commune_code AND validity @> current_date) THEN
    RAISE EXCEPTION 'village "%" is not in the register of commune %', NEW.village, NEW.commune_code
      USING ERRCODE = '23514', CONSTRAINT = 'households_village_registered';
  END IF;
  RETURN NEW;
END $$;
-- Named to run after households_text_nfc (triggers fire in name order).
CREATE TRIGGER households_village_link BEFORE INSERT OR UPDATE OF village, commune_code ON households
  FOR EACH ROW EXECUTE FUNCTION households_village_link();

-- Households recorded before the register: link those whose text names a village in force.
UPDATE households h SET village_id = village_named(h.commune_code, h.village, current_date)
 WHERE h.village <> '' AND village_named(h.commune_code, h.village, current_date) IS NOT NULL;

-- An especially-difficult village's classification may name the register's village.
ALTER TABLE area_classifications ADD COLUMN village_id uuid REFERENCES villages (id);

-- Area targets may name villages (the plan's especially-difficult villages) besides communes.
ALTER TABLE movement_targets ADD COLUMN village_ids uuid[] NOT NULL DEFAULT '{}';

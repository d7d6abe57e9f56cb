-- "Ethnic-minority household" means a head who is not of the majority group. Which group that
-- is (Kinh, code 01 of QĐ 1019/QĐ-TCTK) is data with its document, not a literal in queries.
CREATE TABLE ethnic_majority (
  -- No foreign key: the ethnic groups are loaded after the migrations (lnobctl refdata load).
  code      text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  legal_doc text NOT NULL
);
INSERT INTO ethnic_majority VALUES
  ('01', 'NĐ 05/2011/NĐ-CP Art. 4(2) (dân tộc thiểu số: groups other than the majority); QĐ 1019/QĐ-TCTK code 01 Kinh');

-- True for a known head ethnicity that is not the majority's; false for the majority and ''.
CREATE FUNCTION is_ethnic_minority(code text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT $1 <> '' AND NOT EXISTS (SELECT 1 FROM ethnic_majority m WHERE m.code = $1)
$$;

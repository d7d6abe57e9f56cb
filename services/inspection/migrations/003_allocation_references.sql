-- Findings may cite funding's allocations (allocations/{uuid}) too.
ALTER TABLE finding_refs DROP CONSTRAINT finding_refs_kind_check;
ALTER TABLE finding_refs ADD CONSTRAINT finding_refs_kind_check
  CHECK (kind IN ('SUPPORT_LINE', 'SUPPORT_SHARE', 'FUNDING_PLAN', 'HOUSEHOLD', 'REVIEW', 'ACTIVITY', 'SUPPORT_EVENT',
                  'ALLOCATION'));

-- Funding integration: catalogue, sources, allocations, disbursements, plans, support ledger.
-- The invariants of "counted once" live here, not only in code:
--   * a support line's shares sum exactly to its amount (statement triggers below);
--   * one household gets at most one policy per content and year (partial unique index);
--   * disbursements never exceed their allocation (CHECK on the running total);
--   * a plan is submitted only with the local counterpart ratio of each programme met.

CREATE TABLE funding_sources (
  code              text PRIMARY KEY,
  display_name      text NOT NULL,
  central           boolean NOT NULL DEFAULT false,
  local_counterpart boolean NOT NULL DEFAULT false,
  sort              int NOT NULL
);

-- Support contents; eligible_classes: classifications for which planned support still
-- qualifies (a change feed event moving a household outside them flags its planned lines).
CREATE TABLE support_contents (
  code             text PRIMARY KEY,
  display_name     text NOT NULL,
  eligible_classes text[] NOT NULL
);

CREATE TABLE programme_nodes (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_.]{2,64}$'),
  kind         text NOT NULL CHECK (kind IN ('PROGRAMME', 'PROJECT', 'SUB_PROJECT', 'CONTENT_LINE')),
  display_name text NOT NULL,
  legal_doc    text NOT NULL DEFAULT '',
  confirmed    boolean NOT NULL DEFAULT true,
  created_by   text NOT NULL DEFAULT 'seed',
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Where a node sits in the tree over time. Re-parenting closes one placement and opens the
-- next; nothing is rewritten, so the tree can be asked "as of" any date.
CREATE TABLE node_placements (
  code        text NOT NULL REFERENCES programme_nodes (code),
  parent_code text REFERENCES programme_nodes (code),
  valid_from  date NOT NULL,
  valid_to    date,
  legal_doc   text NOT NULL DEFAULT '',
  PRIMARY KEY (code, valid_from),
  CHECK (valid_to IS NULL OR valid_to > valid_from),
  CHECK (parent_code IS NULL OR parent_code <> code)
);
CREATE INDEX node_placements_parent ON node_placements (parent_code);

-- The programme (root) a node belongs to on a date.
CREATE FUNCTION programme_of(node text, d date) RETURNS text
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE up(code, parent_code, depth) AS (
    SELECT p.code, p.parent_code, 0 FROM node_placements p
     WHERE p.code = node AND p.valid_from <= d AND (p.valid_to IS NULL OR p.valid_to > d)
    UNION ALL
    SELECT p.code, p.parent_code, up.depth + 1 FROM up JOIN node_placements p ON p.code = up.parent_code
     WHERE p.valid_from <= d AND (p.valid_to IS NULL OR p.valid_to > d) AND up.depth < 16
  )
  SELECT code FROM up WHERE parent_code IS NULL ORDER BY depth DESC LIMIT 1
$$;

-- Per programme and period: the required local counterpart (share of central funds) and the
-- yearly household target. Both are UNCONFIRMED in the sources: data, never constants.
CREATE TABLE programme_settings (
  programme_code     text NOT NULL REFERENCES programme_nodes (code),
  valid_from         date NOT NULL,
  counterpart_ratio  numeric(6, 4) NOT NULL CHECK (counterpart_ratio >= 0),
  target_households  int NOT NULL DEFAULT 0,
  legal_doc          text NOT NULL,
  confirmed          boolean NOT NULL DEFAULT false,
  PRIMARY KEY (programme_code, valid_from)
);

CREATE TABLE allocations (
  id         uuid PRIMARY KEY,
  year       int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  node_code  text NOT NULL REFERENCES programme_nodes (code),
  source     text NOT NULL REFERENCES funding_sources (code),
  unit_code  text NOT NULL,
  amount     bigint NOT NULL CHECK (amount >= 0),
  disbursed  bigint NOT NULL DEFAULT 0,
  revision   int NOT NULL DEFAULT 1,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (year, node_code, source, unit_code),
  CONSTRAINT allocation_not_exceeded CHECK (disbursed >= 0 AND disbursed <= amount)
);

CREATE TABLE allocation_revisions (
  allocation_id uuid NOT NULL REFERENCES allocations (id),
  revision      int NOT NULL,
  amount        bigint NOT NULL,
  reason        text NOT NULL,
  actor         text NOT NULL,
  at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (allocation_id, revision)
);

CREATE TABLE disbursements (
  id              uuid PRIMARY KEY,
  allocation_id   uuid NOT NULL REFERENCES allocations (id),
  date            date NOT NULL,
  amount          bigint NOT NULL CHECK (amount > 0),
  support_line_id uuid,
  note            text NOT NULL DEFAULT '',
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disbursements_allocation ON disbursements (allocation_id, date);

-- The running total is kept on the allocation row: the UPDATE takes its row lock, so two
-- concurrent disbursements are serialized and the CHECK refuses the one that would exceed.
CREATE FUNCTION disbursement_applied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE allocations SET disbursed = disbursed + NEW.amount WHERE id = NEW.allocation_id;
  RETURN NULL;
END $$;
CREATE TRIGGER disbursement_applied AFTER INSERT ON disbursements
  FOR EACH ROW EXECUTE FUNCTION disbursement_applied();

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER disbursements_append_only BEFORE UPDATE OR DELETE ON disbursements
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER allocation_revisions_append_only BEFORE UPDATE OR DELETE ON allocation_revisions
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE plans (
  id         uuid PRIMARY KEY,
  year       int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  unit_code  text NOT NULL,
  state      text NOT NULL CHECK (state IN ('DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'APPROVED', 'RETURNED')),
  comments   text NOT NULL DEFAULT '',
  version    bigint NOT NULL DEFAULT 1,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (year, unit_code)
);

CREATE TABLE plan_lines (
  plan_id    uuid NOT NULL REFERENCES plans (id),
  line_no    int NOT NULL,
  node_code  text NOT NULL REFERENCES programme_nodes (code),
  source     text NOT NULL REFERENCES funding_sources (code),
  amount     bigint NOT NULL CHECK (amount > 0),
  households bigint NOT NULL DEFAULT 0 CHECK (households >= 0),
  PRIMARY KEY (plan_id, line_no),
  UNIQUE (plan_id, node_code, source)
);

CREATE TABLE plan_events (
  plan_id    uuid NOT NULL REFERENCES plans (id),
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor      text NOT NULL,
  from_state text NOT NULL,
  to_state   text NOT NULL,
  comments   text NOT NULL DEFAULT ''
);
CREATE INDEX plan_events_plan ON plan_events (plan_id, at);

-- Submission requires, per programme in the plan, local counterpart >= ratio x central funds
-- (ratio in force on 1 January of the plan's year). Raised as check_violation with the
-- programme named, so the service can report it as FAILED_PRECONDITION.
CREATE FUNCTION plan_counterpart_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  IF NEW.state <> 'SUBMITTED' OR OLD.state = 'SUBMITTED' THEN
    RETURN NEW;
  END IF;
  FOR r IN
    SELECT t.programme, t.central, t.counterpart, s.counterpart_ratio AS ratio
      FROM (SELECT programme_of(l.node_code, make_date(NEW.year, 1, 1)) AS programme,
                   sum(l.amount) FILTER (WHERE f.central) AS central,
                   coalesce(sum(l.amount) FILTER (WHERE f.local_counterpart), 0) AS counterpart
              FROM plan_lines l JOIN funding_sources f ON f.code = l.source
             WHERE l.plan_id = NEW.id GROUP BY 1) t
      JOIN LATERAL (SELECT counterpart_ratio FROM programme_settings ps
                     WHERE ps.programme_code = t.programme AND ps.valid_from <= make_date(NEW.year, 1, 1)
                     ORDER BY ps.valid_from DESC LIMIT 1) s ON true
     WHERE t.central > 0
  LOOP
    IF r.counterpart < ceil(r.central * r.ratio) THEN
      RAISE EXCEPTION 'counterpart_ratio: programme % needs local counterpart >= % of central % VND (>= % VND), plan has % VND',
        r.programme, r.ratio, r.central, ceil(r.central * r.ratio), r.counterpart
        USING ERRCODE = 'check_violation', CONSTRAINT = 'counterpart_ratio';
    END IF;
  END LOOP;
  RETURN NEW;
END $$;
CREATE TRIGGER plan_counterpart_check BEFORE UPDATE OF state ON plans
  FOR EACH ROW EXECUTE FUNCTION plan_counterpart_check();

CREATE TABLE support_lines (
  id              uuid PRIMARY KEY,
  household_id    uuid NOT NULL,
  content         text NOT NULL REFERENCES support_contents (code),
  date            date NOT NULL,
  year            int NOT NULL,
  quantity        numeric(14, 3) NOT NULL DEFAULT 1 CHECK (quantity > 0),
  unit_of_measure text NOT NULL DEFAULT '',
  amount          bigint NOT NULL CHECK (amount > 0),
  state           text NOT NULL CHECK (state IN ('PLANNED', 'DELIVERED', 'CANCELLED')),
  classification  text NOT NULL,
  commune_code    text NOT NULL,
  ethnic_minority boolean NOT NULL,
  review_flag     boolean NOT NULL DEFAULT false,
  review_reason   text NOT NULL DEFAULT '',
  external_id     text UNIQUE,
  import_id       uuid,
  version         bigint NOT NULL DEFAULT 1,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (year = extract(year FROM date))
);
-- One policy per household, content and year: a second programme must join as a share.
CREATE UNIQUE INDEX support_one_policy ON support_lines (household_id, content, year)
  WHERE state <> 'CANCELLED';
CREATE INDEX support_lines_year_commune ON support_lines (year, commune_code, id);
CREATE INDEX support_lines_flagged ON support_lines (id) WHERE review_flag;

-- Shares are written before their line in the same transaction (the FK waits for commit),
-- so that one statement-level check on the lines sees every share of every new line.
CREATE TABLE funding_shares (
  line_id   uuid NOT NULL REFERENCES support_lines (id) DEFERRABLE INITIALLY DEFERRED,
  share_no  smallint NOT NULL,
  node_code text NOT NULL REFERENCES programme_nodes (code),
  source    text NOT NULL REFERENCES funding_sources (code),
  amount    bigint NOT NULL CHECK (amount > 0),
  PRIMARY KEY (line_id, share_no)
);
CREATE TRIGGER funding_shares_append_only BEFORE UPDATE OR DELETE ON funding_shares
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE FUNCTION shares_balance_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  -- Lines of this statement (new or with a changed amount) whose shares do not add up.
  SELECT l.id, l.amount, coalesce(s.total, 0) AS total INTO bad
    FROM changed_lines l
    LEFT JOIN (SELECT line_id, sum(amount) AS total FROM funding_shares
                WHERE line_id IN (SELECT id FROM changed_lines) GROUP BY line_id) s ON s.line_id = l.id
   WHERE coalesce(s.total, 0) <> l.amount
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'shares_sum: shares of support line % sum to % VND, the line is % VND', bad.id, bad.total, bad.amount
      USING ERRCODE = 'check_violation', CONSTRAINT = 'shares_sum';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER support_lines_balanced_insert AFTER INSERT ON support_lines
  REFERENCING NEW TABLE AS changed_lines FOR EACH STATEMENT EXECUTE FUNCTION shares_balance_check();
CREATE TRIGGER support_lines_balanced_update AFTER UPDATE ON support_lines
  REFERENCING NEW TABLE AS changed_lines FOR EACH STATEMENT EXECUTE FUNCTION shares_balance_check();

-- Shares added later to an existing line must keep it balanced as well.
CREATE FUNCTION late_shares_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT l.id, l.amount, t.total INTO bad
    FROM (SELECT line_id, sum(amount) AS total FROM funding_shares
           WHERE line_id IN (SELECT line_id FROM new_shares) GROUP BY line_id) t
    JOIN support_lines l ON l.id = t.line_id
   WHERE t.total <> l.amount
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'shares_sum: shares of support line % sum to % VND, the line is % VND', bad.id, bad.total, bad.amount
      USING ERRCODE = 'check_violation', CONSTRAINT = 'shares_sum';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER funding_shares_balanced AFTER INSERT ON funding_shares
  REFERENCING NEW TABLE AS new_shares FOR EACH STATEMENT EXECUTE FUNCTION late_shares_check();

-- Support per year x node x source x commune, kept by statement triggers so that reports
-- never scan the ledger. Cancelled lines leave the aggregate.
CREATE TABLE support_agg (
  year         int NOT NULL,
  node_code    text NOT NULL,
  source       text NOT NULL,
  commune_code text NOT NULL,
  amount       bigint NOT NULL,
  lines        bigint NOT NULL,
  PRIMARY KEY (year, node_code, source, commune_code)
);

CREATE FUNCTION support_agg_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO support_agg AS a (year, node_code, source, commune_code, amount, lines)
  SELECT l.year, s.node_code, s.source, l.commune_code, sum(s.amount), count(*)
    FROM changed_lines l JOIN funding_shares s ON s.line_id = l.id
   WHERE l.state <> 'CANCELLED'
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (year, node_code, source, commune_code)
  DO UPDATE SET amount = a.amount + EXCLUDED.amount, lines = a.lines + EXCLUDED.lines;
  RETURN NULL;
END $$;
CREATE TRIGGER support_agg_insert AFTER INSERT ON support_lines
  REFERENCING NEW TABLE AS changed_lines FOR EACH STATEMENT EXECUTE FUNCTION support_agg_insert();

CREATE FUNCTION support_agg_cancel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'CANCELLED' AND OLD.state <> 'CANCELLED' THEN
    UPDATE support_agg a SET amount = a.amount - s.amount, lines = a.lines - 1
      FROM funding_shares s
     WHERE s.line_id = NEW.id AND a.year = NEW.year AND a.node_code = s.node_code
       AND a.source = s.source AND a.commune_code = NEW.commune_code;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER support_agg_cancel AFTER UPDATE OF state ON support_lines
  FOR EACH ROW EXECUTE FUNCTION support_agg_cancel();

CREATE TABLE imports (
  id         uuid PRIMARY KEY,
  actor      text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE import_rows (
  import_id  uuid NOT NULL REFERENCES imports (id),
  row_number bigint NOT NULL,
  PRIMARY KEY (import_id, row_number)
);

-- The registry change feed as consumed by this service: the cursor moves in the same
-- transaction as the flags it causes, so a restart neither misses nor repeats a change.
CREATE TABLE feed_cursors (
  feed       text PRIMARY KEY,
  cursor     bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER support_lines_no_delete BEFORE DELETE ON support_lines
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

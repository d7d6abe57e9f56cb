#!/usr/bin/env bash
# Awards benchmark, two parts in one run:
#   1. A nomination whose evidence cites 10,000 households (demo households, registry) and 1,000
#      activities (demo activities, campaigns): CreateNomination reads them from their owners in
#      batches of 1,000 and freezes them in one transaction; its time next to the owners'
#      batched calls alone (10 BatchGetHouseholdFacts and 1 BatchGetActivities) for the same
#      names (median of 5 each, after a warm-up).
#   2. NOMINATIONS nominations (default 100,000) over the province's communes, 90% decided,
#      loaded with SQL through the same triggers and checks; then the annual statistics and the
#      0602.N report for the year: 100 calls each after a warm-up, p50 and p99 (goal p99 < 200 ms),
#      next to a plain count of the decisions in the same run.
#   bench/awards_bench.sh [NOMINATIONS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:-100000}
trap 'kill ${AWARDS_PID:-} ${CAMPAIGNS_PID:-} ${FUNDING_PID:-} 2>/dev/null || true; bench_stop' EXIT
bench_start
start_funding

# Demo households, villages and activities (what ./lnob up loads).
"$BIN/lnobctl" demo generate --households=30000 --out="$BENCH_TMP/demo.csv" >/dev/null
"$BIN/lnobctl" import households "$BENCH_TMP/demo.csv" --target="$TARGET" --token="$TOKEN" | head -1
"$BIN/lnobctl" demo villages --out="$BENCH_TMP/villages.csv"
"$BIN/lnobctl" import villages "$BENCH_TMP/villages.csv" --target="$TARGET" --token="$TOKEN" | tail -1

start_service campaigns
C_PORT=$SERVICE_PORT; CAMPAIGNS_PID=$SERVICE_PID
"$BIN/lnobctl" demo activities --per_village=1 --out="$BENCH_TMP/all.csv"
head -n 1201 "$BENCH_TMP/all.csv" > "$BENCH_TMP/activities.csv"
"$BIN/lnobctl" import activities "$BENCH_TMP/activities.csv" --target="127.0.0.1:$C_PORT" --token="$TOKEN" | head -1
start_service awards LNOB_CAMPAIGNS_ADDRESS="127.0.0.1:$C_PORT" LNOB_INSPECTION_ADDRESS=127.0.0.1:1
A_PORT=$SERVICE_PORT; AWARDS_PID=$SERVICE_PID
echo "households: $(psql_admin -c "SELECT count(*) FROM registry.households"), activities: $(psql_admin -c "SELECT count(*) FROM campaigns.activities")"

# Part 1: the snapshot next to the owners' batched calls.
psql_admin -c "\\copy (SELECT 'households/' || id FROM registry.households ORDER BY id LIMIT 10000) TO '$BENCH_TMP/households.names'"
psql_admin -c "\\copy (SELECT 'activities/' || id FROM campaigns.activities ORDER BY id LIMIT 1000) TO '$BENCH_TMP/activities.names'"
ROOT="$ROOT" A_TARGET="127.0.0.1:$A_PORT" R_TARGET="$TARGET" C_TARGET="127.0.0.1:$C_PORT" TOKEN="$TOKEN" \
BENCH_TMP="$BENCH_TMP" /usr/bin/python3 - <<'PY'
import os, sys, time, statistics, uuid
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tools/py"))
import lnob_grpc
tok = os.environ["TOKEN"]
aw = lnob_grpc.Client(os.environ["A_TARGET"], token=tok)
reg = lnob_grpc.Client(os.environ["R_TARGET"], token=tok)
camp = lnob_grpc.Client(os.environ["C_TARGET"], token=tok)
tmp = os.environ["BENCH_TMP"]
households = open(f"{tmp}/households.names").read().split()
activities = open(f"{tmp}/activities.names").read().split()
assert len(households) == 10000 and len(activities) == 1000, (len(households), len(activities))
create, owners = [], []
for k in range(6):
    t = time.perf_counter()
    n = aw.call("lnob.awards.v1.AwardsService/CreateNomination", {"requestId": str(uuid.uuid4()), "nomination": {
        "year": 2024, "formCode": "AWARD_BK_PROV_CHAIR", "subjectKind": "COLLECTIVE", "subjectName": f"Bench {k}",
        "unitCode": "70", "achievements": [{"key": "2024/BENCH", "description": "bench"}],
        "evidenceRequest": {"households": households, "activities": activities}}}, timeout=120)
    create.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    for at in range(0, len(households), 1000):
        r = reg.call("lnob.registry.v1.HouseholdService/BatchGetHouseholdFacts",
                     {"queries": [{"household": h, "date": {"year": 2024, "month": 12, "day": 31}}
                                  for h in households[at:at + 1000]]}, timeout=60)
    a = camp.call("lnob.campaigns.v1.CampaignsService/BatchGetActivities", {"names": activities}, timeout=60)
    owners.append((time.perf_counter() - t) * 1000)
assert int(n.evidence.items) == 11000 and all(x.found for x in a.results)
create, owners = create[1:], owners[1:]  # the first of each warms caches
print(f"nomination citing 10,000 households and 1,000 activities (read, checked, frozen, digest {n.evidence.digest[:12]}): "
      f"median {statistics.median(create):.0f} ms; the owners' batched calls for the same names alone "
      f"(10 BatchGetHouseholdFacts + 1 BatchGetActivities): median {statistics.median(owners):.0f} ms")
PY

# Part 2: N nominations, 90% decided, loaded with SQL through the workflow's triggers.
t0=$(now)
psql_admin -v ON_ERROR_STOP=1 -v n="$N" <<'SQL'
SET search_path = awards;
CREATE TEMP TABLE communes AS
  SELECT row_number() OVER (ORDER BY code) AS k, code FROM registry.admin_units
   WHERE level = 'commune' AND valid_to IS NULL AND code ~ '^[0-9]{5}$';
CREATE TEMP TABLE b AS
  SELECT x.n AS g, gen_random_uuid() AS id, c.code AS unit,
         (ARRAY['TITLE_ADVANCED_WORKER', 'AWARD_GK_HEAD', 'TITLE_COLLECTIVE_ADVANCED'])[1 + x.n % 3] AS form
    FROM generate_series(1, :n) AS x(n) JOIN communes c ON c.k = 1 + x.n % (SELECT count(*) FROM communes);
INSERT INTO nominations (id, year, form_code, subject_kind, subject_name, subject_key, unit_code, sex,
                         ethnic_group_code, achievements, creator)
  SELECT id, 2024, form, CASE WHEN form = 'TITLE_COLLECTIVE_ADVANCED' THEN 'COLLECTIVE' ELSE 'INDIVIDUAL' END,
         'Bench ' || g, 'bench ' || g || '|', unit,
         CASE WHEN form = 'TITLE_COLLECTIVE_ADVANCED' THEN '' WHEN g % 2 = 0 THEN 'FEMALE' ELSE 'MALE' END,
         CASE WHEN form = 'TITLE_COLLECTIVE_ADVANCED' THEN '' ELSE lpad((1 + g % 54)::text, 2, '0') END,
         '[{"key": "2024/BENCH", "description": "bench"}]', 'bench-nominator' FROM b;
UPDATE nominations SET state = 'UNIT_REVIEWED', ur_meeting_date = '2025-01-08', ur_attendees = 10, ur_for = 8,
       ur_against = 2, ur_proposed = true WHERE id IN (SELECT id FROM b WHERE g % 10 <> 0);
UPDATE nominations SET state = 'COUNCIL_REVIEW' WHERE id IN (SELECT id FROM b WHERE g % 10 <> 0);
UPDATE nominations SET state = 'COUNCIL_APPROVED' WHERE id IN (SELECT id FROM b WHERE g % 10 <> 0);
INSERT INTO decisions (nomination_id, number, date, authority_level, signer, decider, nominator, form_code, unit_code, year)
  SELECT id, 'QĐ ' || g, date '2025-01-10' + g % 300, 'AGENCY_HEAD', 'bench', 'bench-head', 'bench-nominator',
         form, unit, 2024 FROM b WHERE g % 10 <> 0;
UPDATE nominations SET state = 'DECIDED' WHERE id IN (SELECT id FROM b WHERE g % 10 <> 0);
VACUUM ANALYZE nominations;
VACUUM ANALYZE decisions;
SQL
t1=$(now)
printf 'loaded with SQL in %.0f s: %s\n' "$(echo "$t1 - $t0" | bc)" "$(psql_admin -c "SELECT (SELECT count(*) FROM awards.nominations) || ' nominations, ' || (SELECT count(*) FROM awards.decisions) || ' decisions'")"
t0=$(now)
psql_admin -c "SELECT count(*) FROM awards.decisions" >/dev/null
t1=$(now)
printf 'baseline: a plain count of the decisions: %.0f ms\n' "$(echo "($t1 - $t0) * 1000" | bc)"

ROOT="$ROOT" A_TARGET="127.0.0.1:$A_PORT" TOKEN="$TOKEN" /usr/bin/python3 - <<'PY'
import os, sys, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tools/py"))
import lnob_grpc
c = lnob_grpc.Client(os.environ["A_TARGET"], token=os.environ["TOKEN"])
cases = (
    ("annual statistics 2025 by form, ethnic group and district", "GetStatistics",
     {"period": {"type": "YEAR", "year": 2025}, "byUnit": True},
     lambda r: f"{r.decided} decided, {len(r.by_unit)} units"),
    ("form 0602.N for 2025", "GetAnnualReport", {"year": 2025},
     lambda r: f"{len(r.rows)} rows, {r.total.individuals} individuals"),
)
for label, method, req, size in cases:
    r = c.call(f"lnob.awards.v1.AwardsService/{method}", req, timeout=60)
    ms = []
    for _ in range(100):
        t = time.perf_counter()
        r = c.call(f"lnob.awards.v1.AwardsService/{method}", req, timeout=60)
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    print(f"{label}: {size(r)}; p50 {ms[49]:.1f} ms, p99 {ms[98]:.1f} ms (goal p99 < 200 ms)")
PY

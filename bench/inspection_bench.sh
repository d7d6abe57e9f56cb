#!/usr/bin/env bash
# Inspection benchmark, two parts in one run:
#   1. A finding citing 1,000 real support lines (demo households, lines imported into funding):
#      CreateFinding validates and freezes them with one batched funding call; its time next to
#      funding's BatchGetSupportLines of the same 1,000 names alone (median of 5 each).
#   2. FINDINGS findings with 10 references each (default 100,000 and 1,000,000), spread over
#      1,000 decisions in the province's pre-2025 communes, two programme nodes of money each,
#      one recommendation each (about a third open and past their deadline), loaded with SQL;
#      then the findings report by programme node and unit for the year, and the first page of
#      the overdue list: 100 calls each after a warm-up, p50 and p99 (goal p99 < 200 ms), next
#      to a plain count of the references in the same run.
#   bench/inspection_bench.sh [FINDINGS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:-100000}
trap 'kill ${INSPECTION_PID:-} ${FUNDING_PID:-} 2>/dev/null || true; bench_stop' EXIT
bench_start
start_funding

# Demo households, and housing lines for 1,000 poor ethnic-minority ones (what ./lnob up does).
"$BIN/lnobctl" demo generate --households=130000 --out="$BENCH_TMP/demo.csv" >/dev/null
"$BIN/lnobctl" import households "$BENCH_TMP/demo.csv" --target="$TARGET" --token="$TOKEN" | head -1
YEAR=$(date +%Y)
psql_admin -c "\\copy (SELECT id FROM registry.households WHERE classification = 'POOR' AND head_ethnicity <> ''
  AND head_ethnicity NOT IN (SELECT code FROM registry.ethnic_majority) ORDER BY id LIMIT 1000) TO '$BENCH_TMP/poor.ids'"
awk -v y="$YEAR" 'BEGIN { print "external_id,household,content,date,quantity,unit_of_measure,amount_vnd,state,shares" }
  { printf "B-%d,%s,HOUSING,%s-01-15,1,house,40000000,PLANNED,NTP_EM.P1:CENTRAL_RECURRENT:30000000;PROG_BP_1000_EM_HH.HOUSING:PROVINCIAL_SPECIAL:10000000\n", NR, $1, y }' \
  "$BENCH_TMP/poor.ids" > "$BENCH_TMP/support.csv"
"$BIN/lnobctl" import support "$BENCH_TMP/support.csv" --target="127.0.0.1:$F_PORT" --token="$TOKEN" | head -1
LINES=$(psql_admin -c "SELECT count(*) FROM funding.support_lines")
echo "support lines in funding: $LINES"

I_OWNER="${ADMIN_URL/user=lnob_admin/user=lnob_inspection_owner}"; I_OWNER="${I_OWNER/password=*/password=owner dbname=lnob}"
I_SVC="${ADMIN_URL/user=lnob_admin/user=lnob_inspection}"; I_SVC="${I_SVC/password=*/password=svc dbname=lnob}"
"$BIN/lnobctl" bootstrap --admin_url="$ADMIN_URL" --service=inspection --owner_password=owner --service_password=svc >/dev/null
"$BIN/lnobctl" migrate --service=inspection --database_url="$I_OWNER" >/dev/null
I_PORT=$(free_port)
LNOB_DATABASE_URL="$I_SVC" LNOB_JWT_PUBLIC_KEYS="$BENCH_TMP/jwt_public.pem" \
LNOB_PAGE_TOKEN_SECRET=bench-secret-0123456789 LNOB_GRPC_PORT=$I_PORT LNOB_METRICS_PORT=0 \
LNOB_LISTEN_HOST=127.0.0.1 LNOB_LOG_LEVEL=warning LNOB_REGISTRY_ADDRESS="$TARGET" \
LNOB_FUNDING_ADDRESS="127.0.0.1:$F_PORT" LNOB_CAMPAIGNS_ADDRESS=127.0.0.1:1 \
LNOB_SERVICE_SIGNING_KEY="$BENCH_TMP/jwt_private.pem" \
  "$BIN/inspection" --ready_file="$BENCH_TMP/inspection.ready" >"$BENCH_TMP/inspection.log" 2>&1 &
INSPECTION_PID=$!
for _ in $(seq 1 100); do [ -f "$BENCH_TMP/inspection.ready" ] && break; sleep 0.1; done

# Part 1: the batched owner call.
LEAD=$("$BIN/lnobctl" token --private_key="$BENCH_TMP/jwt_private.pem" --roles=PROVINCE_ADMIN --subject=bench-lead --ttl=4h)
ROOT="$ROOT" YEAR="$YEAR" I_TARGET="127.0.0.1:$I_PORT" F_TARGET="127.0.0.1:$F_PORT" LEAD="$LEAD" TOKEN="$TOKEN" \
  /usr/bin/python3 - <<'PY'
import os, sys, time, statistics
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tools/py"))
import lnob_grpc
year = int(os.environ["YEAR"])
fund = lnob_grpc.Client(os.environ["F_TARGET"], token=os.environ["TOKEN"])
ins = lnob_grpc.Client(os.environ["I_TARGET"], token=os.environ["LEAD"])
names, token = [], ""
while len(names) < 1000:
    page = fund.call("lnob.funding.v1.SupportService/ListSupportLines",
                     {"year": year, "pageSize": 1000, "pageToken": token})
    names += [l.name for l in page.lines]
    token = page.next_page_token
    if not token:
        break
names = names[:1000]
d = lambda m, day: {"year": year, "month": m, "day": day}
i = ins.call("lnob.inspection.v1.InspectionService/CreateInspection", {"inspection": {
    "kind": "CHECK", "agencyCode": "DEPARTMENT", "decisionNumber": "BENCH-1", "decisionDate": d(1, 20),
    "origin": "AD_HOC", "decider": "bench-director", "leader": "bench-lead", "durationDays": 30,
    "subjects": [{"unitCode": "70"}], "scope": "bench", "periodFrom": d(1, 1), "periodTo": d(1, 31)}})
i = ins.call("lnob.inspection.v1.InspectionService/AdvanceInspection",
             {"name": i.name, "etag": i.etag, "to": "ANNOUNCED", "date": d(1, 21)})
refs = [{"kind": "SUPPORT_LINE", "resource": n} for n in names]
create, batch = [], []
for k in range(6):
    t = time.perf_counter()
    f = ins.call("lnob.inspection.v1.InspectionService/CreateFinding", {"finding": {
        "inspection": i.name, "category": "WRONG_AMOUNT", "severity": "MINOR", "description": f"bench {k}",
        "date": d(1, 25), "references": refs}}, timeout=60)
    create.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    r = fund.call("lnob.funding.v1.SupportService/BatchGetSupportLines", {"names": names}, timeout=60)
    batch.append((time.perf_counter() - t) * 1000)
assert len(f.references) == len(names) and all(x.found for x in r.results)
create, batch = create[1:], batch[1:]  # the first of each warms caches
print(f"finding citing {len(names)} support lines (validated, frozen, {f.to_recover_vnd} VND to recover): "
      f"median {statistics.median(create):.0f} ms; funding BatchGetSupportLines of the same {len(names)} names "
      f"alone: median {statistics.median(batch):.0f} ms")
PY

# Part 2: N findings with 10 references each, loaded with SQL (the same triggers and checks).
t0=$(now)
psql_admin -v ON_ERROR_STOP=1 -v n="$N" <<'SQL'
SET search_path = inspection;
CREATE TEMP TABLE communes AS
  SELECT row_number() OVER (ORDER BY code) AS k, code FROM registry.admin_units
   WHERE level = 'commune' AND valid_to IS NOT NULL AND valid_to < '2025-07-01' AND code ~ '^[0-9]{5}$';
CREATE TEMP TABLE w AS
  SELECT x.n AS g, gen_random_uuid() AS id, c.code AS unit
    FROM generate_series(1, 1000) AS x(n) JOIN communes c ON c.k = 1 + x.n % (SELECT count(*) FROM communes);
INSERT INTO inspections (id, kind, agency_code, decision_number, decision_date, origin, decider, leader,
                         duration_days, scope, period_from, period_to, overlap_reason, creator)
  SELECT id, 'CHECK', 'DEPARTMENT', 'BENCH-W' || g, date '2024-01-10' + g % 300, 'AD_HOC', 'bench-director',
         'bench-lead', 20, 'bench', '2023-01-01', '2023-12-31', 'bench', 'bench' FROM w;
INSERT INTO subjects (owner, unit_code, agency_code, kind, year, period_from, period_to, overlap_reason)
  SELECT 'inspections/' || id, unit, 'DEPARTMENT', 'CHECK', 2024, '2023-01-01', '2023-12-31', 'bench' FROM w;
UPDATE inspections SET state = 'ANNOUNCED' WHERE id IN (SELECT id FROM w);
CREATE TEMP TABLE f AS
  SELECT x.n AS g, gen_random_uuid() AS id, w.id AS inspection_id, w.unit
    FROM generate_series(1, :n) AS x(n) JOIN w ON w.g = 1 + x.n % 1000;
INSERT INTO findings (id, inspection_id, category, severity, description, unit_code, found_date, misused_vnd,
                      to_recover_vnd, creator)
  SELECT id, inspection_id, (ARRAY['WRONG_BENEFICIARY','WRONG_AMOUNT','UNDELIVERED','PROCEDURE'])[1 + g % 4],
         (ARRAY['MINOR','MODERATE','SERIOUS'])[1 + g % 3], 'bench finding', unit, date '2024-01-15' + g % 330,
         4000000, 4000000, 'bench' FROM f;
INSERT INTO finding_refs (finding_id, seq, kind, resource, amount_vnd, commune_code, record_date, facts, fetched_at)
  SELECT f.id, s, CASE WHEN s = 10 THEN 'HOUSEHOLD' ELSE 'SUPPORT_LINE' END,
         CASE WHEN s = 10 THEN 'households/' ELSE 'supportLines/' END || gen_random_uuid(),
         CASE WHEN s = 10 THEN 0 ELSE 444444 END, f.unit, '2024-01-01', '{"bench": true}', now()
    FROM f CROSS JOIN generate_series(1, 10) s;
INSERT INTO finding_money (finding_id, source, node_code, amount_vnd)
  SELECT id, 'CENTRAL_RECURRENT', (ARRAY['NTP_EM.P1','NTP_EM.P3','NTP_EM.P5','NTP_EM.P10'])[1 + g % 4], 3000000 FROM f
  UNION ALL
  SELECT id, 'LOCAL_COUNTERPART', 'PROG_BP_1000_EM_HH.HOUSING', 1000000 FROM f;
UPDATE inspections SET state = 'REPORTED' WHERE id IN (SELECT id FROM w);
INSERT INTO recommendations (id, inspection_id, finding_id, kind, description, owner_unit, deadline, status,
                             done_date, creator)
  SELECT gen_random_uuid(), inspection_id, id, 'ADMINISTRATIVE', 'bench', unit, date '2025-01-01' + g % 700,
         CASE WHEN g % 3 = 0 THEN 'OPEN' ELSE 'DONE' END, CASE WHEN g % 3 = 0 THEN NULL ELSE date '2025-06-01' END,
         'bench' FROM f;
VACUUM ANALYZE findings;
VACUUM ANALYZE finding_refs;
VACUUM ANALYZE finding_money;
VACUUM ANALYZE recommendations;
SQL
t1=$(now)
printf 'loaded with SQL in %.0f s: %s\n' "$(echo "$t1 - $t0" | bc)" "$(psql_admin -c "SELECT (SELECT count(*) FROM inspection.findings) || ' findings, ' || (SELECT count(*) FROM inspection.finding_refs) || ' references, ' || (SELECT count(*) FROM inspection.recommendations) || ' recommendations'")"
t0=$(now)
psql_admin -c "SELECT count(*) FROM inspection.finding_refs" >/dev/null
t1=$(now)
printf 'baseline: a plain count of the references: %.0f ms\n' "$(echo "($t1 - $t0) * 1000" | bc)"

ROOT="$ROOT" I_TARGET="127.0.0.1:$I_PORT" TOKEN="$TOKEN" /usr/bin/python3 - <<'PY'
import os, sys, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tools/py"))
import lnob_grpc
c = lnob_grpc.Client(os.environ["I_TARGET"], token=os.environ["TOKEN"])
cases = (
    ("findings report by programme node x unit, province-year 2024", "GetFindingsReport",
     {"period": {"type": "YEAR", "year": 2024}, "groupBy": ["BY_NODE", "BY_UNIT"]},
     lambda r: f"{len(r.rows)} rows, {r.findings} findings"),
    ("overdue list, first page of 100", "ListRecommendations", {"overdueOnly": True, "pageSize": 100},
     lambda r: f"{len(r.recommendations)} recommendations"),
)
for label, method, req, size in cases:
    r = c.call(f"lnob.inspection.v1.InspectionService/{method}", req, timeout=60)
    ms = []
    for _ in range(100):
        t = time.perf_counter()
        r = c.call(f"lnob.inspection.v1.InspectionService/{method}", req, timeout=60)
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    print(f"{label}: {size(r)}; p50 {ms[49]:.1f} ms, p99 {ms[98]:.1f} ms (goal p99 < 200 ms)")
PY

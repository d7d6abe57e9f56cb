#!/usr/bin/env bash
# Reporting benchmark: the annual province report (ETHNIC_WORK_PERIODIC of this year, every section)
# composed from the five owners at the demo scale (four calls in flight at a time), next to the
# owners' statistics calls alone (the very requests the report stored, sent directly one after
# another, summed), and the
# report's XLSX export. Data: HOUSEHOLDS demo households (default 1,000,000), up to LINES
# support-ledger lines this year (default 200,000), ACTIVITIES activities (default 1,000,000),
# and the demo inspection and awards rounds (what ./lnob up loads).
#   bench/reporting_bench.sh [HOUSEHOLDS] [LINES] [ACTIVITIES]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
H=${1:-1000000}; L=${2:-200000}; A=${3:-1000000}
trap 'kill ${PIDS:-} 2>/dev/null || true; bench_stop' EXIT
bench_start
start_funding
PIDS="$FUNDING_PID"

"$BIN/lnobctl" demo generate --households="$H" --out="$BENCH_TMP/demo.csv"
"$BIN/lnobctl" demo villages --out="$BENCH_TMP/villages.csv"
"$BIN/lnobctl" import villages "$BENCH_TMP/villages.csv" --target="$TARGET" --token="$TOKEN" | tail -1
"$BIN/lnobctl" import households "$BENCH_TMP/demo.csv" --target="$TARGET" --token="$TOKEN" --progress=plain 2>/dev/null | tail -1

# Support lines this year (the demo inspection checks this year's housing lines): each support
# content once (housing, land, water, toilet, electricity, livelihoods, training, credit) under
# NTP 1719 project 1 for ethnic-minority households poor or near-poor on the day, up to LINES.
YEAR=$(date +%Y)
CONTENTS="HOUSING RESIDENTIAL_LAND PRODUCTION_LAND DOMESTIC_WATER TOILET ELECTRICITY LIVESTOCK_CROPS JOB_CONVERSION VOCATIONAL_TRAINING POLICY_CREDIT_LOAN"
CLASS_ON="SELECT c.classification FROM registry.classification_history c WHERE c.household_id = h.id AND c.effective_date <= date '$YEAR-03-15' ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1"
psql_admin -c "\\copy (SELECT h.id FROM registry.households h WHERE h.head_ethnicity <> '' AND h.head_ethnicity NOT IN (SELECT code FROM registry.ethnic_majority) AND ($CLASS_ON) IN ('POOR', 'NEAR_POOR') ORDER BY h.id LIMIT $(( (L + 9) / 10 ))) TO '$BENCH_TMP/ids'"
awk -v y="$YEAR" -v contents="$CONTENTS" 'BEGIN { n = split(contents, c, " "); print "external_id,household,content,date,quantity,unit_of_measure,amount_vnd,state,shares" }
     { for (i = 1; i <= n; i++)
         printf "R%d-%d,%s,%s,%s-03-15,1,unit,10000000,%s,NTP_EM.P1:CENTRAL_RECURRENT:8000000;NTP_EM.P1:LOCAL_COUNTERPART:2000000\n", NR, i, $1, c[i], y, (i % 2 ? "DELIVERED" : "PLANNED") }' \
  "$BENCH_TMP/ids" > "$BENCH_TMP/support.csv"
"$BIN/lnobctl" import support "$BENCH_TMP/support.csv" --target="127.0.0.1:$F_PORT" --token="$TOKEN" --progress=plain 2>/dev/null | tail -1

start_service campaigns
C_PORT=$SERVICE_PORT; PIDS="$PIDS $SERVICE_PID"
PER_VILLAGE=$(( (A + 1549) / 1550 ))
"$BIN/lnobctl" demo activities --per_village="$PER_VILLAGE" --out="$BENCH_TMP/all.csv"
head -n $((A + 1)) "$BENCH_TMP/all.csv" > "$BENCH_TMP/activities.csv"
"$BIN/lnobctl" import activities "$BENCH_TMP/activities.csv" --target="127.0.0.1:$C_PORT" --token="$TOKEN" \
  --progress=plain 2>/dev/null | head -1

start_service inspection
I_PORT=$SERVICE_PORT; PIDS="$PIDS $SERVICE_PID"
"$BIN/lnobctl" demo inspection --private_key="$BENCH_TMP/jwt_private.pem" --target="127.0.0.1:$I_PORT" \
  --funding_target="127.0.0.1:$F_PORT" >/dev/null
start_service awards LNOB_CAMPAIGNS_ADDRESS="127.0.0.1:$C_PORT" LNOB_INSPECTION_ADDRESS="127.0.0.1:$I_PORT"
AW_PORT=$SERVICE_PORT; PIDS="$PIDS $SERVICE_PID"
"$BIN/lnobctl" demo awards --private_key="$BENCH_TMP/jwt_private.pem" --target="127.0.0.1:$AW_PORT" \
  --registry_target="$TARGET" --campaigns_target="127.0.0.1:$C_PORT" >/dev/null
start_service reporting LNOB_CAMPAIGNS_ADDRESS="127.0.0.1:$C_PORT" LNOB_INSPECTION_ADDRESS="127.0.0.1:$I_PORT" \
  LNOB_AWARDS_ADDRESS="127.0.0.1:$AW_PORT"
RP_PORT=$SERVICE_PORT; PIDS="$PIDS $SERVICE_PID"
psql_admin -c "VACUUM ANALYZE" >/dev/null
psql_admin -c "CHECKPOINT" >/dev/null
echo "data: $(psql_admin -c "SELECT (SELECT count(*) FROM registry.households) || ' households, ' ||
  (SELECT count(*) FROM funding.support_lines) || ' ledger lines, ' || (SELECT count(*) FROM campaigns.activities) ||
  ' activities, ' || (SELECT count(*) FROM inspection.findings) || ' findings, ' ||
  (SELECT count(*) FROM awards.nominations) || ' nominations'")"

ROOT="$ROOT" RP="127.0.0.1:$RP_PORT" TOKEN="$TOKEN" YEAR="$YEAR" \
OWNERS="registry=$TARGET funding=127.0.0.1:$F_PORT campaigns=127.0.0.1:$C_PORT inspection=127.0.0.1:$I_PORT awards=127.0.0.1:$AW_PORT" \
/usr/bin/python3 - <<'PY'
import json, os, statistics, sys, time, uuid
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tools/py"))
import lnob_grpc
tok = os.environ["TOKEN"]
rp = lnob_grpc.Client(os.environ["RP"], token=tok)
owners = {k: lnob_grpc.Client(v, token=tok) for k, v in (x.split("=") for x in os.environ["OWNERS"].split())}
year = int(os.environ["YEAR"])
compose, direct, export = [], [], []
for k in range(6):
    # Each run its own report: the same year and province, the geography one day earlier each time.
    t = time.perf_counter()
    r = rp.call("lnob.reporting.v1.ReportingService/CreateReport", {"requestId": str(uuid.uuid4()), "report": {
        "definition": "reportDefinitions/ETHNIC_WORK_PERIODIC", "period": {"type": "YEAR", "year": year},
        "geography": {"year": year, "month": 12, "day": 31 - k}}}, timeout=120)
    compose.append((time.perf_counter() - t) * 1000)
    # The owners alone: the very requests stored with the report, one after another.
    t = time.perf_counter()
    for i in r.inputs:
        owners[i.owner].call(i.method, json.loads(i.request_json), timeout=120)
    direct.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    f = rp.call("lnob.reporting.v1.ReportingService/ExportReport", {"name": r.name, "format": "XLSX"}, timeout=120)
    export.append((time.perf_counter() - t) * 1000)
compose, direct, export = compose[1:], direct[1:], export[1:]  # the first of each warms caches
print(f"annual province report ({len(r.inputs)} indicators from 5 owners, composed, frozen, digest): "
      f"median {statistics.median(compose):.0f} ms (max {max(compose):.0f}); goal < 1000 ms")
print(f"the owners' statistics calls alone (the same {len(r.inputs)} requests, one after another): "
      f"median {statistics.median(direct):.0f} ms; composition minus that sum "
      f"{statistics.median(compose) - statistics.median(direct):.0f} ms (the composition asks 4 owners at a time)")
print(f"XLSX export ({len(f.content)} bytes, {f.filename}): median {statistics.median(export):.0f} ms "
      f"(max {max(export):.0f}); goal < 1000 ms")
PY

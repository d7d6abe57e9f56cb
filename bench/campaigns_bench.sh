#!/usr/bin/env bash
# Campaigns benchmark: N communication activities with their breakdowns (by ethnic group, by
# language, crossed) through ImportActivities (lnobctl, streaming gRPC, every village checked
# against the registry's register) versus raw COPY of the very same rows into the same tables
# (same indexes, constraints and triggers) in one run; then, on that data, reach by ethnic
# group x language for the province-year and coverage for a quarter.
#   bench/campaigns_bench.sh [ACTIVITIES]   (default 1000000; the demo province's ~2,000
#   villages, a year of activities each)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
trap 'kill ${CAMPAIGNS_PID:-} ${FUNDING_PID:-} 2>/dev/null || true; bench_stop' EXIT
bench_start
# Funding, for its programme catalogue (spending lines name its nodes and sources).
start_funding
"$BIN/lnobctl" demo villages --out="$BENCH_TMP/villages.csv"
"$BIN/lnobctl" import villages "$BENCH_TMP/villages.csv" --target="$TARGET" --token="$TOKEN" | tail -1

C_OWNER="${ADMIN_URL/user=lnob_admin/user=lnob_campaigns_owner}"; C_OWNER="${C_OWNER/password=*/password=owner dbname=lnob}"
C_SVC="${ADMIN_URL/user=lnob_admin/user=lnob_campaigns}"; C_SVC="${C_SVC/password=*/password=svc dbname=lnob}"
"$BIN/lnobctl" bootstrap --admin_url="$ADMIN_URL" --service=campaigns --owner_password=owner --service_password=svc >/dev/null
"$BIN/lnobctl" migrate --service=campaigns --database_url="$C_OWNER" >/dev/null
C_PORT=$(free_port)
LNOB_DATABASE_URL="$C_SVC" LNOB_JWT_PUBLIC_KEYS="$BENCH_TMP/jwt_public.pem" \
LNOB_PAGE_TOKEN_SECRET=bench-secret-0123456789 LNOB_GRPC_PORT=$C_PORT LNOB_METRICS_PORT=0 \
LNOB_LISTEN_HOST=127.0.0.1 LNOB_LOG_LEVEL=warning LNOB_REGISTRY_ADDRESS="$TARGET" \
LNOB_FUNDING_ADDRESS="127.0.0.1:$F_PORT" LNOB_SERVICE_SIGNING_KEY="$BENCH_TMP/jwt_private.pem" \
  "$BIN/campaigns" --ready_file="$BENCH_TMP/campaigns.ready" >"$BENCH_TMP/campaigns.log" 2>&1 &
CAMPAIGNS_PID=$!
for _ in $(seq 1 100); do [ -f "$BENCH_TMP/campaigns.ready" ] && break; sleep 0.1; done

# About 80% of the 1,998 demo villages get activities (the rest are left out on purpose).
PER_VILLAGE=$(( (N + 1549) / 1550 ))
"$BIN/lnobctl" demo activities --per_village="$PER_VILLAGE" --out="$BENCH_TMP/all.csv"
head -n $((N + 1)) "$BENCH_TMP/all.csv" > "$BENCH_TMP/activities.csv"
rows=$(($(wc -l < "$BENCH_TMP/activities.csv") - 1))
echo "activity file: $rows activities ($(du -h "$BENCH_TMP/activities.csv" | cut -f1))"

t0=$(now)
"$BIN/lnobctl" import activities "$BENCH_TMP/activities.csv" --target="127.0.0.1:$C_PORT" --token="$TOKEN" \
  --progress=plain 2>/dev/null | head -1
t1=$(now)
rpc=$(echo "$t1 - $t0" | bc)

# Baseline: the same rows copied out and loaded with COPY, activities then their breakdowns
# and spending, in one transaction, into an empty copy of the schema.
TABLES="activities activity_reach activity_reach_cells activity_spent"
for t in $TABLES; do
  cols=$(psql_admin -c "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position)
                        FROM information_schema.columns WHERE table_schema = 'campaigns' AND table_name = '$t'")
  psql_admin -c "\\copy campaigns.$t ($cols) TO '$BENCH_TMP/$t.copy'"
  echo "$cols" > "$BENCH_TMP/$t.cols"
done
psql_admin -c "CREATE DATABASE baseline"
"$BIN/lnobctl" bootstrap --admin_url="${ADMIN_URL/dbname=lnob/dbname=baseline}" --service=campaigns >/dev/null
"$BIN/lnobctl" migrate --service=campaigns --database_url="${C_OWNER/dbname=lnob/dbname=baseline}" >/dev/null
copy_args=()
for t in $TABLES; do copy_args+=(-c "\\copy campaigns.$t ($(cat "$BENCH_TMP/$t.cols")) FROM '$BENCH_TMP/$t.copy'"); done
t0=$(now)
psql "${C_SVC/dbname=lnob/dbname=baseline}" -qAt -v ON_ERROR_STOP=1 -c "BEGIN" "${copy_args[@]}" -c "COMMIT"
t1=$(now)
copy=$(echo "$t1 - $t0" | bc)
# What the aggregates cost by themselves (the import adds them batch by batch; here at once).
t0=$(now)
psql "${C_SVC/dbname=lnob/dbname=baseline}" -qAt -v ON_ERROR_STOP=1 \
  -c "SELECT campaigns.campaigns_aggregate(coalesce(array_agg(id), '{}')) FROM campaigns.activities" >/dev/null
t1=$(now)
agg=$(echo "$t1 - $t0" | bc)
printf 'import via ImportActivities: %.1f s (%.0f activities/s)\n' "$rpc" "$(echo "$rows / $rpc" | bc -l)"
printf 'raw COPY of the same rows:   %.1f s (%.0f activities/s)\n' "$copy" "$(echo "$rows / $copy" | bc -l)"
printf 'ratio (COPY time / import time): %.2f (goal >= 0.6)\n' "$(echo "$copy / $rpc" | bc -l)"
printf 'the aggregates alone, over the copied rows at once: %.1f s\n' "$agg"
printf 'campaigns RSS after import: %s kB, CPU %s s\n' "$(rss_kb "$CAMPAIGNS_PID")" \
  "$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$CAMPAIGNS_PID/stat")"
printf 'rows: %s\n' "$(psql_admin -c "SELECT 'reach_agg ' || (SELECT count(*) FROM campaigns.reach_agg) || ', place_agg ' || (SELECT count(*) FROM campaigns.place_agg) || ', activity_reach ' || (SELECT count(*) FROM campaigns.activity_reach) || ', cells ' || (SELECT count(*) FROM campaigns.activity_reach_cells)")"

# Reach and coverage on that data: 100 calls each after one warm-up; p50 and p99.
YEAR=$(psql_admin -c "SELECT extract(year FROM max(start_date))::int FROM campaigns.activities")
ROOT="$ROOT" YEAR="$YEAR" LNOB_BENCH_TARGET="127.0.0.1:$C_PORT" LNOB_BENCH_TOKEN="$TOKEN" /usr/bin/python3 - <<'PY'
import os, sys, time
sys.path.insert(0, os.path.join(os.environ.get("ROOT", "."), "tools/py"))
import lnob_grpc
c = lnob_grpc.Client(os.environ["LNOB_BENCH_TARGET"], token=os.environ["LNOB_BENCH_TOKEN"])
year = int(os.environ["YEAR"])
cases = (
    ("reach ethnic group x language, province-year", "GetReach",
     {"period": {"type": "YEAR", "year": year}, "groupBy": ["BY_ETHNIC_GROUP", "BY_LANGUAGE"]}),
    ("reach by commune x activity type, province-year", "GetReach",
     {"period": {"type": "YEAR", "year": year}, "groupBy": ["BY_COMMUNE", "BY_ACTIVITY_TYPE"]}),
    ("coverage, province-quarter", "GetCoverage",
     {"period": {"type": "QUARTER", "year": year, "index": 2}}),
)
for label, method, req in cases:
    r = c.call(f"lnob.campaigns.v1.CampaignsService/{method}", req)
    ms = []
    for _ in range(100):
        t = time.perf_counter()
        r = c.call(f"lnob.campaigns.v1.CampaignsService/{method}", req)
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    size = f"{len(r.rows)} rows, {r.attendances} attendances" if method == "GetReach" else \
        f"{r.villages} villages, {len(r.villages_without_activity)} without activity"
    print(f"{label}: {size}; p50 {ms[49]:.1f} ms, p99 {ms[98]:.1f} ms (goal p99 < 100 ms)")
PY

#!/usr/bin/env bash
# Policy-simulation benchmark: the 2027 standard (PS_2027_2030) applied to the province's
# HOUSEHOLDS demo households (default 1,000,000) by commune and ethnic group, as an operation
# through the registry (scan, classification with ranges, summaries, costs, and the snapshot
# with its changing households stored), next to a plain scan of the same latest reviews in the
# same run: the simulation's own query (households, their class on the day, the review it rests
# on, the head) copied out by PostgreSQL to /dev/null.
#   bench/simulation_bench.sh [HOUSEHOLDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
H=${1:-1000000}
trap 'bench_stop' EXIT
bench_start

"$BIN/lnobctl" demo generate --households="$H" --out="$BENCH_TMP/demo.csv"
"$BIN/lnobctl" import households "$BENCH_TMP/demo.csv" --target="$TARGET" --token="$TOKEN" --progress=plain 2>/dev/null | tail -1
psql_admin -c "VACUUM ANALYZE" >/dev/null
psql_admin -c "CHECKPOINT" >/dev/null
AS_OF=$(date +%F)
echo "data: $(psql_admin -c "SELECT (SELECT count(*) FROM registry.households) || ' households, ' ||
  (SELECT count(*) FROM registry.reviews) || ' reviews, ' || (SELECT count(*) FROM registry.classification_history) ||
  ' classification records'"); basis day $AS_OF"

# The plain scan: the same rows the simulation reads, for every commune, in one statement.
SCAN="SELECT h.id, h.commune_code, h.head_ethnicity, coalesce(hm.sex, ''), coalesce(c.classification, ''), h.area_type,
  r.id IS NOT NULL, coalesce(r.income_per_capita, 0), r.proxy_score, coalesce(r.indicators::text, '[]')
  FROM registry.households h LEFT JOIN registry.members hm ON hm.id = h.head_member_id
  LEFT JOIN LATERAL (SELECT c.classification, c.review_id FROM registry.classification_history c
    WHERE c.household_id = h.id AND c.effective_date <= date '$AS_OF'
    ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1) c ON true
  LEFT JOIN registry.reviews r ON r.id = c.review_id
  WHERE h.status = 'HOUSEHOLD_ACTIVE' AND (h.registered_on <= date '$AS_OF' OR c.classification IS NOT NULL)"

ROOT="$ROOT" TARGET="$TARGET" TOKEN="$TOKEN" AS_OF="$AS_OF" SCAN="$SCAN" ADMIN_URL="$ADMIN_URL" /usr/bin/python3 - <<'PY'
import os, statistics, subprocess, sys, time, uuid
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tools/py"))
import lnob_grpc
reg = lnob_grpc.Client(os.environ["TARGET"], token=os.environ["TOKEN"])
y, m, d = (int(x) for x in os.environ["AS_OF"].split("-"))
scan = " ".join(os.environ["SCAN"].split())
scans, sims, result = [], [], None
for k in range(4):
    t = time.perf_counter()
    subprocess.run(["psql", os.environ["ADMIN_URL"], "-qAt", "-c", f"\\copy ({scan}) TO '/dev/null'"], check=True)
    scans.append(time.perf_counter() - t)
    t = time.perf_counter()
    op = reg.call("lnob.registry.v1.SimulationService/StartSimulation", {
        "requestId": str(uuid.uuid4()), "standard": "povertyStandards/PS_2027_2030", "unitCode": "75",
        "byChildUnit": True, "asOf": {"year": y, "month": m, "day": d}}, timeout=60)
    while op.state == "RUNNING":
        time.sleep(0.05)
        op = reg.call("lnob.registry.v1.SimulationService/GetSimulationOperation", {"name": op.name}, timeout=60)
    sims.append(time.perf_counter() - t)
    if op.state != "SUCCEEDED":
        sys.exit(f"simulation {op.state}: {op.error_message}")
    result = reg.call("lnob.registry.v1.SimulationService/GetSimulation", {"name": op.simulation}, timeout=60)
# The first pair warms the caches; medians of the rest.
scan_s, sim_s = statistics.median(scans[1:]), statistics.median(sims[1:])
total = result.units[-1]
print(f"simulated: {int(result.households)} households, {int(result.exact_households)} with one class, "
      f"{int(result.changing_households)} whose list (poor, near-poor, neither) may change, {len(result.cells)} cells, "
      f"{len(result.by_commune)} communes; entering poverty {int(total.entering_poverty_best)}-"
      f"{int(total.entering_poverty_worst)}")
print(f"plain scan of the same latest reviews (COPY to /dev/null): median {scan_s:.2f} s  max {max(scans[1:]):.2f} s")
print(f"simulation (operation, start to stored snapshot):          median {sim_s:.2f} s  max {max(sims[1:]):.2f} s"
      f"  ({sim_s / scan_s:.1f}x the scan)")
PY

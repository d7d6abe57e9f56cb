#!/usr/bin/env bash
# Funding benchmark: N support lines (two shares each) through ImportSupportLines (lnobctl,
# streaming gRPC, every household checked with the registry) versus raw COPY of the very
# same rows into the same tables (same indexes, constraints and triggers), in one run; then
# the province-year disbursement report on that data.
#   bench/funding_bench.sh [LINES]   (default 500000; households = LINES / 2, drawn from a demo
#   province eight times that size: only households the eligibility rules accept on the support
#   dates are used, as a real import would be)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:-500000}
H=$((N / 2))
trap 'kill ${FUNDING_PID:-} 2>/dev/null || true; bench_stop' EXIT
bench_start
"$BIN/lnobctl" demo generate --households="$((H * 8))" --out="$BENCH_TMP/demo.csv"
"$BIN/lnobctl" import households "$BENCH_TMP/demo.csv" --target="$TARGET" --token="$TOKEN" --progress=plain 2>/dev/null | tail -1

start_funding

# Two lines per household: housing integrated from two programmes, a toilet from one. Both
# programmes support ethnic-minority poor households (funding node_eligibility), so those are
# the households drawn.
CLASS_ON="SELECT c.classification FROM registry.classification_history c WHERE c.household_id = h.id AND c.effective_date <= date '%s' ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1"
ELIGIBLE="SELECT h.id FROM registry.households h WHERE h.head_ethnicity <> '' AND h.head_ethnicity NOT IN (SELECT code FROM registry.ethnic_majority) AND ($(printf "$CLASS_ON" 2023-03-15)) = 'POOR' AND ($(printf "$CLASS_ON" 2023-04-01)) = 'POOR' ORDER BY h.id LIMIT $H"
psql_admin -c "\\copy ($ELIGIBLE) TO '$BENCH_TMP/ids'"
awk 'BEGIN { print "external_id,household,content,date,quantity,unit_of_measure,amount_vnd,state,shares" }
     { printf "B%d-h,%s,HOUSING,2023-03-15,1,house,40000000,PLANNED,NTP_EM.P1:CENTRAL_RECURRENT:30000000;PROG_BP_1000_EM_HH.HOUSING:PROVINCIAL_SPECIAL:10000000\n", NR, $1
       printf "B%d-t,%s,TOILET,2023-04-01,1,unit,6000000,DELIVERED,NTP_EM.P1:CENTRAL_RECURRENT:4000000;NTP_EM.P1:LOCAL_COUNTERPART:2000000\n", NR, $1 }' \
  "$BENCH_TMP/ids" > "$BENCH_TMP/support.csv"
lines=$(($(wc -l < "$BENCH_TMP/support.csv") - 1))
echo "support file: $lines lines for $H households"

t0=$(now)
"$BIN/lnobctl" import support "$BENCH_TMP/support.csv" --target="127.0.0.1:$F_PORT" --token="$TOKEN" --progress=plain 2>/dev/null | tail -1
t1=$(now)
rpc=$(echo "$t1 - $t0" | bc)

# Baseline: the same rows copied out and loaded with COPY (shares then lines, one
# transaction, as the deferred foreign key requires) into an empty copy of the schema.
for t in funding_shares support_lines; do
  cols=$(psql_admin -c "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position)
                        FROM information_schema.columns WHERE table_schema = 'funding' AND table_name = '$t'")
  psql_admin -c "\\copy funding.$t ($cols) TO '$BENCH_TMP/$t.copy'"
  echo "$cols" > "$BENCH_TMP/$t.cols"
done
psql_admin -c "CREATE DATABASE baseline"
"$BIN/lnobctl" bootstrap --admin_url="${ADMIN_URL/dbname=lnob/dbname=baseline}" --service=funding >/dev/null
"$BIN/lnobctl" migrate --service=funding --database_url="${F_OWNER/dbname=lnob/dbname=baseline}" >/dev/null
t0=$(now)
psql "${F_SVC/dbname=lnob/dbname=baseline}" -qAt -v ON_ERROR_STOP=1 -c "BEGIN" \
  -c "\\copy funding.funding_shares ($(cat "$BENCH_TMP/funding_shares.cols")) FROM '$BENCH_TMP/funding_shares.copy'" \
  -c "\\copy funding.support_lines ($(cat "$BENCH_TMP/support_lines.cols")) FROM '$BENCH_TMP/support_lines.copy'" \
  -c "COMMIT"
t1=$(now)
copy=$(echo "$t1 - $t0" | bc)
printf 'import via ImportSupportLines: %.1f s (%.0f lines/s)\n' "$rpc" "$(echo "$lines / $rpc" | bc -l)"
printf 'raw COPY of the same rows:     %.1f s (%.0f lines/s)\n' "$copy" "$(echo "$lines / $copy" | bc -l)"
printf 'ratio (COPY time / import time): %.2f\n' "$(echo "$copy / $rpc" | bc -l)"
printf 'funding RSS after import: %s kB\n' "$(rss_kb "$FUNDING_PID")"

# The province-year disbursement report on that data (20 calls each, after one warm-up).
ROOT="$ROOT" LNOB_BENCH_TARGET="127.0.0.1:$F_PORT" LNOB_BENCH_TOKEN="$TOKEN" /usr/bin/python3 - <<'PY'
import os, sys, time
sys.path.insert(0, os.path.join(os.environ.get("ROOT", "."), "tools/py"))
import lnob_grpc
c = lnob_grpc.Client(os.environ["LNOB_BENCH_TARGET"], token=os.environ["LNOB_BENCH_TOKEN"])
# The last one is a quarter: read from the ledger by date, not from the yearly aggregate.
for group, period in ((["BY_SOURCE"], None), (["BY_PROGRAMME", "BY_SOURCE"], None), (["BY_UNIT", "BY_SOURCE"], None),
                      (["BY_UNIT", "BY_SOURCE"], {"type": "QUARTER", "year": 2023, "index": 2})):
    req = {"year": 2023, "groupBy": group} if period is None else {"period": period, "groupBy": group}
    c.call("lnob.funding.v1.FundingService/GetDisbursementReport", req)
    ms = []
    for _ in range(20):
        t = time.perf_counter()
        r = c.call("lnob.funding.v1.FundingService/GetDisbursementReport", req)
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    label = '+'.join(group) + (" Q2" if period else "")
    print(f"disbursement report {label}: {len(r.rows)} rows, supported {r.total.supported_vnd} VND,"
          f" p50 {ms[10]:.1f} ms, max {ms[-1]:.1f} ms (goal < 200 ms)")
PY

#!/usr/bin/env bash
# Import benchmark: N demo households through ImportHouseholds (lnobctl, streaming gRPC)
# versus raw COPY of the very same rows into the same indexed tables, in one run.
#   bench/import_bench.sh [HOUSEHOLDS]   (default 1000000)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
trap bench_stop EXIT
bench_start
"$BIN/lnobctl" demo generate --households="$N" --out="$BENCH_TMP/demo.csv"
members=$(grep -c '^M,' "$BENCH_TMP/demo.csv")
reviews=$(grep -c '^R,' "$BENCH_TMP/demo.csv")
echo "demo: $N households, $members members, $reviews approved reviews"

t0=$(now)
"$BIN/lnobctl" import households "$BENCH_TMP/demo.csv" --target="$TARGET" --token="$TOKEN" --progress=plain 2>/dev/null | tail -1
t1=$(now)
rpc=$(echo "$t1 - $t0" | bc)

# Baseline: the same rows, copied out and loaded with COPY into an empty copy of the schema
# with the same indexes, constraints and triggers.
tables="households members reviews classification_history household_years"
for t in $tables; do
  cols=$(psql_admin -c "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position)
                        FROM information_schema.columns WHERE table_schema = 'registry' AND table_name = '$t'
                        AND is_generated = 'NEVER'")
  psql_admin -c "\\copy registry.$t ($cols) TO '$BENCH_TMP/$t.copy'"
  echo "$cols" > "$BENCH_TMP/$t.cols"
done
psql_admin -c "CREATE DATABASE baseline" 
BASE_URL="${ADMIN_URL/dbname=lnob/dbname=baseline}"
"$BIN/lnobctl" bootstrap --admin_url="$BASE_URL" --service=registry >/dev/null
"$BIN/lnobctl" migrate --service=registry --database_url="${OWNER_URL/dbname=lnob/dbname=baseline}" >/dev/null
"$BIN/lnobctl" refdata load --database_url="${SVC_URL/dbname=lnob/dbname=baseline}" >/dev/null
t0=$(now)
for t in $tables; do
  psql "${SVC_URL/dbname=lnob/dbname=baseline}" -qAt -c "\\copy registry.$t ($(cat "$BENCH_TMP/$t.cols")) FROM '$BENCH_TMP/$t.copy'"
done
t1=$(now)
copy=$(echo "$t1 - $t0" | bc)
printf 'import via ImportHouseholds: %.1f s (%.0f households/s)\n' "$rpc" "$(echo "$N / $rpc" | bc -l)"
printf 'raw COPY of the same rows:   %.1f s (%.0f households/s)\n' "$copy" "$(echo "$N / $copy" | bc -l)"
printf 'ratio (COPY time / import time): %.2f (goal >= 0.60)\n' "$(echo "$copy / $rpc" | bc -l)"
printf 'registry RSS after import: %s kB\n' "$(rss_kb "$REGISTRY_PID")"

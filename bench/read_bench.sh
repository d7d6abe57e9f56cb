#!/usr/bin/env bash
# Read benchmark on N imported demo households: GetHousehold and ListHouseholds p50/p99 at a
# fixed rate, statistics latency, and the registry's RSS idle and under load.
#   bench/read_bench.sh [HOUSEHOLDS=1000000] [RATE=200] [SECONDS=20]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}; RATE=${2:-200}; SECS=${3:-20}
trap bench_stop EXIT
bench_start
"$BIN/lnobctl" demo generate --households="$N" --out="$BENCH_TMP/demo.csv"
"$BIN/lnobctl" import households "$BENCH_TMP/demo.csv" --target="$TARGET" --token="$TOKEN" --progress=plain 2>/dev/null | tail -1
psql_admin -c "VACUUM ANALYZE" >/dev/null
psql_admin -c "CHECKPOINT" >/dev/null  # do not measure the load's write-back
MASKED=$("$BIN/lnobctl" token --private_key="$BENCH_TMP/jwt_private.pem" --roles=INSPECTOR --ttl=1h)
echo "registry RSS idle: $(rss_kb "$REGISTRY_PID") kB"
( sleep $((SECS / 2)); echo "registry RSS under load: $(rss_kb "$REGISTRY_PID") kB" ) &
RSS_PID=$!
echo "-- caller with registry.personal_data.read (every read unmasked and audited):"
"$BIN/read_bench" --target="$TARGET" --token="$TOKEN" --rate="$RATE" --seconds="$SECS"
wait "$RSS_PID"
echo "-- caller without it (masked reads, nothing to audit):"
"$BIN/read_bench" --target="$TARGET" --token="$MASKED" --rate="$RATE" --seconds="$SECS"

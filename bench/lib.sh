# Shared setup for the benchmarks: a private PostgreSQL and a registry on free ports.
# Source it; call bench_start and bench_stop. Everything stays on 127.0.0.1.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${LNOB_BUILD_DIR:-$ROOT/build}
BIN=$BUILD/bin

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bench_start() {
  BENCH_TMP=$(mktemp -d /tmp/lnob-bench.XXXXXX)
  chmod 755 "$BENCH_TMP"
  mkdir -p "$BENCH_TMP/pg"
  local port; port=$(free_port)
  "$ROOT/tools/pg.sh" init "$BENCH_TMP/pg" "$port"
  # Benchmarks measure the database as a durable server would run it: fsync stays on.
  "$ROOT/tools/pg.sh" start "$BENCH_TMP/pg"
  ADMIN_URL=$("$ROOT/tools/pg.sh" url "$BENCH_TMP/pg")
  OWNER_URL="${ADMIN_URL/user=lnob_admin/user=lnob_registry_owner}"
  OWNER_URL="${OWNER_URL/password=*/password=owner dbname=lnob}"
  SVC_URL="${ADMIN_URL/user=lnob_admin/user=lnob_registry}"
  SVC_URL="${SVC_URL/password=*/password=svc dbname=lnob}"
  "$BIN/lnobctl" bootstrap --admin_url="$ADMIN_URL" --service=registry --owner_password=owner --service_password=svc >/dev/null
  "$BIN/lnobctl" migrate --service=registry --database_url="$OWNER_URL" >/dev/null
  "$BIN/lnobctl" refdata load --database_url="$SVC_URL" >/dev/null
  "$BIN/lnobctl" keys --dir="$BENCH_TMP" >/dev/null
  TOKEN=$("$BIN/lnobctl" token --private_key="$BENCH_TMP/jwt_private.pem" --roles=PROVINCE_ADMIN --ttl=4h)
  GRPC_PORT=$(free_port)
  LNOB_DATABASE_URL="$SVC_URL" LNOB_JWT_PUBLIC_KEYS="$BENCH_TMP/jwt_public.pem" \
  LNOB_PAGE_TOKEN_SECRET=bench-secret-0123456789 LNOB_GRPC_PORT=$GRPC_PORT LNOB_METRICS_PORT=0 \
  LNOB_LISTEN_HOST=127.0.0.1 LNOB_LOG_LEVEL=warning \
    "$BIN/registry" --ready_file="$BENCH_TMP/ready" >"$BENCH_TMP/registry.log" 2>&1 &
  REGISTRY_PID=$!
  for _ in $(seq 1 100); do [ -f "$BENCH_TMP/ready" ] && break; sleep 0.1; done
  TARGET=127.0.0.1:$GRPC_PORT
}

# Funding on a free port with its schema, pointed at the registry of bench_start (its own
# token signed with the bench key). Sets F_OWNER, F_SVC, F_PORT and FUNDING_PID.
start_funding() {
  F_OWNER="${ADMIN_URL/user=lnob_admin/user=lnob_funding_owner}"; F_OWNER="${F_OWNER/password=*/password=owner dbname=lnob}"
  F_SVC="${ADMIN_URL/user=lnob_admin/user=lnob_funding}"; F_SVC="${F_SVC/password=*/password=svc dbname=lnob}"
  "$BIN/lnobctl" bootstrap --admin_url="$ADMIN_URL" --service=funding --owner_password=owner --service_password=svc >/dev/null
  "$BIN/lnobctl" migrate --service=funding --database_url="$F_OWNER" >/dev/null
  F_PORT=$(free_port)
  LNOB_DATABASE_URL="$F_SVC" LNOB_JWT_PUBLIC_KEYS="$BENCH_TMP/jwt_public.pem" \
  LNOB_PAGE_TOKEN_SECRET=bench-secret-0123456789 LNOB_GRPC_PORT=$F_PORT LNOB_METRICS_PORT=0 \
  LNOB_LISTEN_HOST=127.0.0.1 LNOB_LOG_LEVEL=warning LNOB_REGISTRY_ADDRESS="$TARGET" \
  LNOB_SERVICE_SIGNING_KEY="$BENCH_TMP/jwt_private.pem" \
    "$BIN/funding" --ready_file="$BENCH_TMP/funding.ready" >"$BENCH_TMP/funding.log" 2>&1 &
  FUNDING_PID=$!
  for _ in $(seq 1 100); do [ -f "$BENCH_TMP/funding.ready" ] && break; sleep 0.1; done
}

# Another service NAME on a free port with its schema, pointed at the registry of bench_start
# and at funding (start_funding first) under the bench key; extra KEY=VALUE settings follow.
# Sets SERVICE_PID and SERVICE_PORT.
start_service() {  # NAME [KEY=VALUE...]
  local name=$1 owner svc port
  owner="${ADMIN_URL/user=lnob_admin/user=lnob_${name}_owner}"; owner="${owner/password=*/password=owner dbname=lnob}"
  svc="${ADMIN_URL/user=lnob_admin/user=lnob_${name}}"; svc="${svc/password=*/password=svc dbname=lnob}"
  "$BIN/lnobctl" bootstrap --admin_url="$ADMIN_URL" --service="$name" --owner_password=owner --service_password=svc >/dev/null
  "$BIN/lnobctl" migrate --service="$name" --database_url="$owner" >/dev/null
  port=$(free_port)
  shift
  env LNOB_DATABASE_URL="$svc" LNOB_JWT_PUBLIC_KEYS="$BENCH_TMP/jwt_public.pem" \
    LNOB_PAGE_TOKEN_SECRET=bench-secret-0123456789 LNOB_GRPC_PORT="$port" LNOB_METRICS_PORT=0 \
    LNOB_LISTEN_HOST=127.0.0.1 LNOB_LOG_LEVEL=warning LNOB_REGISTRY_ADDRESS="$TARGET" \
    LNOB_FUNDING_ADDRESS="127.0.0.1:$F_PORT" LNOB_SERVICE_SIGNING_KEY="$BENCH_TMP/jwt_private.pem" "$@" \
    "$BIN/$name" --ready_file="$BENCH_TMP/$name.ready" >"$BENCH_TMP/$name.log" 2>&1 &
  SERVICE_PID=$!
  SERVICE_PORT=$port
  for _ in $(seq 1 100); do [ -f "$BENCH_TMP/$name.ready" ] && break; sleep 0.1; done
}

bench_stop() {
  [ -n "${REGISTRY_PID:-}" ] && kill "$REGISTRY_PID" 2>/dev/null && wait "$REGISTRY_PID" 2>/dev/null
  "$ROOT/tools/pg.sh" stop "$BENCH_TMP/pg" || true
  rm -rf "$BENCH_TMP"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
psql_admin() { psql "$ADMIN_URL" -qAt "$@"; }

#!/usr/bin/env bash
# Drives tests/ops/prometheus_smoke.sh end to end with the real registry: prepares a database,
# starts the registry on loopback, sends a bounded burst of calls, runs the smoke test against
# its metrics endpoint, and stops everything it started.
#
#   bash tests/ops/registry_smoke.sh BIN_DIR
#
#   BIN_DIR   folder with the built registry and lnobctl (e.g. build/bin)
#
# PostgreSQL: under `./lnob test` (LNOB_TEST_ADMIN_URL set) a fresh database and roles are
# created in that server and dropped afterwards; otherwise a private PostgreSQL is started with
# tools/pg.sh in a temporary folder on a free loopback port and removed afterwards.
# Needs: tools/deps.sh packages (postgresql, python3-grpcio, prometheus, curl). About 20 seconds.
#
# Traffic (all to 127.0.0.1, 48 calls): successful calls of four methods, calls ending in
# NotFound (a database error), InvalidArgument and Unauthenticated.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${1:?usage: registry_smoke.sh BIN_DIR}" && pwd)
for b in registry lnobctl; do
  [ -x "$BIN/$b" ] || { echo "registry_smoke: $BIN/$b not found" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/lnob-registry-smoke.XXXXXX)
chmod 755 "$tmp"
reg_pid=""
own_pg=""
admin=""
suffix=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
db=lnob
owner=lnob_registry_owner
svc=lnob_registry

dsn() {  # key=value overrides applied to the admin connection string
  /usr/bin/python3 - "$admin" "$@" <<'PY'
import sys
kv = dict(p.split("=", 1) for p in sys.argv[1].split())
kv.update(dict(a.split("=", 1) for a in sys.argv[2:]))
print(" ".join(f"{k}={v}" for k, v in kv.items()))
PY
}

cleanup() {
  if [ -n "$reg_pid" ] && kill -0 "$reg_pid" 2>/dev/null; then
    kill -TERM "$reg_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$reg_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$reg_pid" 2>/dev/null || true
    wait "$reg_pid" 2>/dev/null || true
  fi
  if [ -n "$own_pg" ]; then
    "$ROOT/tools/pg.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
  elif [ -n "$admin" ]; then
    psql "$(dsn dbname=postgres)" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    psql "$(dsn dbname=postgres)" -qc "DROP ROLE IF EXISTS $svc" >/dev/null 2>&1 || true
    psql "$(dsn dbname=postgres)" -qc "DROP ROLE IF EXISTS $owner" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "${LNOB_TEST_ADMIN_URL:-}" ]; then
  admin=$LNOB_TEST_ADMIN_URL
  db=ops_smoke_$suffix owner=lnob_registry_owner_$suffix svc=lnob_registry_$suffix
  psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
else
  own_pg=1
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$tmp/pg"
  "$ROOT/tools/pg.sh" init "$tmp/pg" "$port" >/dev/null
  "$ROOT/tools/pg.sh" start "$tmp/pg" >/dev/null
  admin=$("$ROOT/tools/pg.sh" url "$tmp/pg")
fi

"$BIN/lnobctl" bootstrap --admin_url="$(dsn dbname=$db)" --service=registry \
  --owner_role="$owner" --service_role="$svc" \
  --owner_password="o-$suffix" --service_password="s-$suffix" >/dev/null
"$BIN/lnobctl" migrate --service=registry \
  --database_url="$(dsn dbname=$db user=$owner password=o-$suffix)" >/dev/null
service_url=$(dsn dbname=$db user=$svc password=s-$suffix)
"$BIN/lnobctl" refdata load --database_url="$service_url" >/dev/null
"$BIN/lnobctl" keys --dir="$tmp" >/dev/null
"$BIN/lnobctl" token --private_key="$tmp/jwt_private.pem" --roles=VIEWER,REVIEWER --ttl=10m >"$tmp/token"

LNOB_DATABASE_URL=$service_url LNOB_JWT_PUBLIC_KEYS=$tmp/jwt_public.pem \
LNOB_PAGE_TOKEN_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n') \
LNOB_GRPC_PORT=0 LNOB_METRICS_PORT=0 LNOB_LISTEN_HOST=127.0.0.1 LNOB_METRICS_HOST=127.0.0.1 \
  "$BIN/registry" --ready_file="$tmp/ready.json" >"$tmp/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 1 150); do [ -s "$tmp/ready.json" ] && break; kill -0 "$reg_pid" 2>/dev/null || break; sleep 0.1; done
if [ ! -s "$tmp/ready.json" ]; then
  echo "registry_smoke: registry did not start:" >&2
  tail -20 "$tmp/registry.log" >&2
  exit 1
fi
read -r grpc_port metrics_port < <(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["grpc_port"], d["metrics_port"])' "$tmp/ready.json")

PYTHONPATH=$ROOT/tools/py /usr/bin/python3 - "127.0.0.1:$grpc_port" "$tmp/token" <<'PY'
import sys
import grpc
import lnob_grpc

target, token_file = sys.argv[1], sys.argv[2]
svc = "lnob.registry.v1.ReferenceDataService"
client = lnob_grpc.Client(target, token=open(token_file).read().strip())
anon = lnob_grpc.Client(target)
calls = []
for _ in range(10):
    calls.append((client, "ListEthnicGroups", {}))
    calls.append((client, "ListPovertyStandards", {}))
    calls.append((client, "TraceAdminUnit", {"name": "adminUnits/25198"}))
    calls.append((client, "ClassifyProfile", {"date": {"year": 2025, "month": 6, "day": 1}, "unitCode": "25195",
                                              "incomePerCapitaVnd": "1400000", "deprivedIndicators": ["D01", "D04", "D09"]}))
for _ in range(3):
    calls.append((client, "GetAdminUnit", {"name": "adminUnits/99999"}))    # NotFound (database error)
    calls.append((client, "GetAdminUnit", {"name": "adminUnits/x"}))        # InvalidArgument
for _ in range(2):
    calls.append((anon, "ListEthnicGroups", {}))                           # Unauthenticated
codes = {}
for c, method, req in calls:
    try:
        c.call(f"{svc}/{method}", req, timeout=10)
        code = "OK"
    except grpc.RpcError as e:
        code = e.code().name
    codes[code] = codes.get(code, 0) + 1
print("registry_smoke: traffic", ", ".join(f"{k} {v}" for k, v in sorted(codes.items())))
if codes.get("OK", 0) < 30 or "NOT_FOUND" not in codes:
    sys.exit("registry_smoke: unexpected answers from the registry")
PY

bash "$ROOT/tests/ops/prometheus_smoke.sh" "registry=127.0.0.1:$metrics_port"

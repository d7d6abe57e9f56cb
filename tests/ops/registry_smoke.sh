#!/usr/bin/env bash
# Drives tests/ops/prometheus_smoke.sh end to end with the real registry, funding, campaigns,
# inspection, awards and reporting services: prepares one database with their schemas, starts
# the registry, then funding, campaigns, inspection, awards and reporting (pointed at the
# services before them, signing their own tokens with the test's key) on loopback, sends a
# bounded burst of calls to each, runs the smoke test against the six metrics endpoints, and
# stops everything it started.
#
#   bash tests/ops/registry_smoke.sh BIN_DIR
#
#   BIN_DIR   folder with the built registry, funding, campaigns, inspection, awards, reporting and lnobctl (e.g. build/bin)
#
# PostgreSQL: under `./lnob test` (LNOB_TEST_ADMIN_URL set) a fresh database and roles are
# created in that server and dropped afterwards; otherwise a private PostgreSQL is started with
# tools/pg.sh in a temporary folder on a free loopback port and removed afterwards.
# Needs: tools/deps.sh packages (postgresql, python3-grpcio, prometheus, curl). About 20 seconds.
#
# Traffic (all to 127.0.0.1): to the registry 48 calls (successful calls of four methods, calls
# ending in NotFound (a database error), InvalidArgument and Unauthenticated); to funding an
# allocation and a disbursement of the current year (so that lnob_disbursement_ratio has a
# series, refreshed every second here) plus catalogue reads and a NotFound. Funding also
# follows the registry's change feed (lnob_change_feed_lag_seconds). Campaigns records one
# activity of this month (so that lnob_campaign_attendances has a series).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "${1:?usage: registry_smoke.sh BIN_DIR}" && pwd)
for b in registry funding campaigns inspection awards reporting lnobctl; do
  [ -x "$BIN/$b" ] || { echo "registry_smoke: $BIN/$b not found" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/lnob-registry-smoke.XXXXXX)
chmod 755 "$tmp"
pids=()
own_pg=""
admin=""
suffix=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
db=lnob
owner=lnob_registry_owner
svc=lnob_registry
fowner=lnob_funding_owner
fsvc=lnob_funding
cowner=lnob_campaigns_owner
csvc=lnob_campaigns
iowner=lnob_inspection_owner
isvc=lnob_inspection
aowner=lnob_awards_owner
asvc=lnob_awards
rowner=lnob_reporting_owner
rsvc=lnob_reporting

dsn() {  # key=value overrides applied to the admin connection string
  /usr/bin/python3 - "$admin" "$@" <<'PY'
import sys
kv = dict(p.split("=", 1) for p in sys.argv[1].split())
kv.update(dict(a.split("=", 1) for a in sys.argv[2:]))
print(" ".join(f"{k}={v}" for k, v in kv.items()))
PY
}

stop_pid() {  # pid: SIGTERM, up to 10 s, then SIGKILL
  local p=$1
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}

cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done  # the last started first
  if [ -n "$own_pg" ]; then
    "$ROOT/tools/pg.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
  elif [ -n "$admin" ]; then
    psql "$(dsn dbname=postgres)" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    for role in "$svc" "$owner" "$fsvc" "$fowner" "$csvc" "$cowner" "$isvc" "$iowner" "$asvc" "$aowner" "$rsvc" "$rowner"; do
      psql "$(dsn dbname=postgres)" -qc "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "${LNOB_TEST_ADMIN_URL:-}" ]; then
  admin=$LNOB_TEST_ADMIN_URL
  db=ops_smoke_$suffix owner=lnob_registry_owner_$suffix svc=lnob_registry_$suffix
  fowner=lnob_funding_owner_$suffix fsvc=lnob_funding_$suffix
  cowner=lnob_campaigns_owner_$suffix csvc=lnob_campaigns_$suffix
  iowner=lnob_inspection_owner_$suffix isvc=lnob_inspection_$suffix
  aowner=lnob_awards_owner_$suffix asvc=lnob_awards_$suffix
  rowner=lnob_reporting_owner_$suffix rsvc=lnob_reporting_$suffix
  psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
else
  own_pg=1
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$tmp/pg"
  "$ROOT/tools/pg.sh" init "$tmp/pg" "$port" >/dev/null
  "$ROOT/tools/pg.sh" start "$tmp/pg" >/dev/null
  admin=$("$ROOT/tools/pg.sh" url "$tmp/pg")
fi

# Each service's schema in the one database, as its own owner and service role; sets NAME_url
# to the service role's connection string.
prepare_schema() {  # NAME OWNER_ROLE SERVICE_ROLE PASSWORD_PREFIX
  local name=$1 owner_role=$2 service_role=$3 pw=$4
  "$BIN/lnobctl" bootstrap --admin_url="$(dsn dbname=$db)" --service="$name" \
    --owner_role="$owner_role" --service_role="$service_role" \
    --owner_password="${pw}o-$suffix" --service_password="${pw}s-$suffix" >/dev/null
  "$BIN/lnobctl" migrate --service="$name" \
    --database_url="$(dsn dbname=$db user=$owner_role password=${pw}o-$suffix)" >/dev/null
  printf -v "${name}_url" %s "$(dsn dbname=$db user=$service_role password=${pw}s-$suffix)"
}
prepare_schema registry "$owner" "$svc" ""
service_url=$registry_url
"$BIN/lnobctl" refdata load --database_url="$service_url" >/dev/null
prepare_schema funding "$fowner" "$fsvc" f
prepare_schema campaigns "$cowner" "$csvc" c
prepare_schema inspection "$iowner" "$isvc" i
prepare_schema awards "$aowner" "$asvc" a
prepare_schema reporting "$rowner" "$rsvc" r
"$BIN/lnobctl" keys --dir="$tmp" >/dev/null
"$BIN/lnobctl" token --private_key="$tmp/jwt_private.pem" --roles=VIEWER,REVIEWER --ttl=10m >"$tmp/token"
"$BIN/lnobctl" token --private_key="$tmp/jwt_private.pem" --roles=PROVINCE_ADMIN --ttl=10m >"$tmp/admin_token"
page_secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

# Starts service NAME on database URL with loopback ports chosen by the process (unless ARGS
# pin one), the test's keys and page secret; waits for its ready file and sets NAME_grpc and
# NAME_metrics to its ports.
start_service() {  # NAME URL ARGS...
  local name=$1 url=$2
  shift 2
  LNOB_DATABASE_URL=$url LNOB_JWT_PUBLIC_KEYS=$tmp/jwt_public.pem \
  LNOB_PAGE_TOKEN_SECRET=$page_secret \
  LNOB_GRPC_PORT=0 LNOB_METRICS_PORT=0 LNOB_LISTEN_HOST=127.0.0.1 LNOB_METRICS_HOST=127.0.0.1 \
    "$BIN/$name" --ready_file="$tmp/$name.ready.json" "$@" >"$tmp/$name.log" 2>&1 &
  local pid=$!
  pids=("$pid" "${pids[@]}")
  for _ in $(seq 1 150); do [ -s "$tmp/$name.ready.json" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if [ ! -s "$tmp/$name.ready.json" ]; then
    echo "registry_smoke: $name did not start:" >&2
    tail -20 "$tmp/$name.log" >&2
    exit 1
  fi
  local g m
  read -r g m < <(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["grpc_port"], d["metrics_port"])' "$tmp/$name.ready.json")
  printf -v "${name}_grpc" %s "$g"
  printf -v "${name}_metrics" %s "$m"
}

start_service registry "$service_url"
grpc_port=$registry_grpc metrics_port=$registry_metrics
# Funding and inspection follow each other (funding reads inspection's feed; inspection checks
# the support lines findings cite): inspection's port is chosen before either starts.
inspection_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Funding: its own role, the registry just started, and the test's private key as its service
# signing key (its public half is the registry's LNOB_JWT_PUBLIC_KEYS). Business gauges every
# second so that the disbursement below shows up at once.
start_service funding "$funding_url" --registry_address="127.0.0.1:$grpc_port" \
  --inspection_address="127.0.0.1:$inspection_port" \
  --service_signing_key="$tmp/jwt_private.pem" --business_metrics_interval=1s
fgrpc_port=$funding_grpc fmetrics_port=$funding_metrics
# Campaigns: the registry and funding just started, the same signing key, gauges every second.
start_service campaigns "$campaigns_url" --registry_address="127.0.0.1:$grpc_port" \
  --funding_address="127.0.0.1:$fgrpc_port" --service_signing_key="$tmp/jwt_private.pem" \
  --business_metrics_interval=1s
cgrpc_port=$campaigns_grpc cmetrics_port=$campaigns_metrics
# Inspection: on the port funding follows, the others as peers, gauges every second.
start_service inspection "$inspection_url" --grpc_port="$inspection_port" --registry_address="127.0.0.1:$grpc_port" \
  --funding_address="127.0.0.1:$fgrpc_port" --campaigns_address="127.0.0.1:$cgrpc_port" \
  --service_signing_key="$tmp/jwt_private.pem" --business_metrics_interval=1s
# Awards: the owners of evidence as peers, gauges every second (they exist from the first
# refresh, zero included).
start_service awards "$awards_url" --registry_address="127.0.0.1:$grpc_port" \
  --funding_address="127.0.0.1:$fgrpc_port" --campaigns_address="127.0.0.1:$cgrpc_port" \
  --inspection_address="127.0.0.1:$inspection_port" --service_signing_key="$tmp/jwt_private.pem" \
  --business_metrics_interval=1s
# Reporting: every owner as a peer, the deadline gauges every second.
start_service reporting "$reporting_url" --registry_address="127.0.0.1:$grpc_port" \
  --funding_address="127.0.0.1:$fgrpc_port" --campaigns_address="127.0.0.1:$cgrpc_port" \
  --inspection_address="127.0.0.1:$inspection_port" --awards_address="127.0.0.1:$awards_grpc" \
  --service_signing_key="$tmp/jwt_private.pem" --business_metrics_interval=1s

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

PYTHONPATH=$ROOT/tools/py /usr/bin/python3 - "127.0.0.1:$fgrpc_port" "$tmp/admin_token" <<'PY'
import datetime
import sys
import grpc
import lnob_grpc

target, token_file = sys.argv[1], sys.argv[2]
client = lnob_grpc.Client(target, token=open(token_file).read().strip())
# "Today" and the current year as the services count them: the province's time zone (UTC+7).
today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).date()
key = {"year": today.year, "nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "unitCode": "75"}
fund = "lnob.funding.v1.FundingService"
cat = "lnob.funding.v1.CatalogueService"
try:
    client.call(f"{fund}/SetAllocation", {"allocation": dict(key, amountVnd="1000")}, timeout=10)
    client.call(f"{fund}/RecordDisbursement", {"disbursement": dict(
        key, date={"year": today.year, "month": today.month, "day": today.day}, amountVnd="250")}, timeout=10)
except grpc.RpcError as e:
    sys.exit(f"registry_smoke: funding refused the allocation or disbursement: {e.code().name} {e.details()}")
codes = {}
calls = [(f"{cat}/ListProgrammeNodes", {"parentCode": "NTP_EM"})] * 10 + \
        [(f"{cat}/GetProgrammeNode", {"name": "programmeNodes/NO_SUCH_NODE"})] * 2   # NotFound
for method, req in calls:
    try:
        client.call(method, req, timeout=10)
        code = "OK"
    except grpc.RpcError as e:
        code = e.code().name
    codes[code] = codes.get(code, 0) + 1
print("registry_smoke: funding traffic: allocation, disbursement,", ", ".join(f"{k} {v}" for k, v in sorted(codes.items())))
if codes.get("OK", 0) < 10:
    sys.exit("registry_smoke: unexpected answers from funding")
PY

# The gauges appear within a refresh (1 s); wait for them so that Prometheus scrapes them.
ratio=""
metrics=""
for _ in $(seq 1 100); do
  metrics=$(curl -fsS --noproxy '*' "http://127.0.0.1:$fmetrics_port/metrics" 2>/dev/null || true)
  ratio=$(sed -n 's/^lnob_disbursement_ratio{source="CENTRAL_RECURRENT"} \(.*\)$/\1/p' <<<"$metrics")
  # A refresh between the allocation and the disbursement shows 0 for a moment: wait for the
  # value, not just the series.
  [ "$ratio" = "0.25" ] && break
  sleep 0.1
done
if [ "$ratio" != "0.25" ]; then
  echo "registry_smoke: funding exports lnob_disbursement_ratio{source=\"CENTRAL_RECURRENT\"} '${ratio}', expected 0.25:" >&2
  tail -20 "$tmp/funding.log" >&2
  exit 1
fi
if ! grep -q '^lnob_change_feed_lag_seconds{consumer="funding",feed="registry"} ' <<<"$metrics"; then
  echo "registry_smoke: funding exports no lnob_change_feed_lag_seconds{consumer=\"funding\",feed=\"registry\"}" >&2
  exit 1
fi
echo "registry_smoke: funding exports lnob_disbursement_ratio{source=\"CENTRAL_RECURRENT\"} $ratio"

# An activity of this month in ward 25195, heard in Vietnamese, so that the campaigns row of the
# movement dashboard has data.
PYTHONPATH=$ROOT/tools/py /usr/bin/python3 - "127.0.0.1:$cgrpc_port" "$tmp/admin_token" <<'PY'
import datetime
import sys
import grpc
import lnob_grpc

target, token_file = sys.argv[1], sys.argv[2]
client = lnob_grpc.Client(target, token=open(token_file).read().strip())
today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).date()
try:
    client.call("lnob.campaigns.v1.CampaignsService/CreateActivity", {"activity": {
        "activityType": "VILLAGE_MEETING", "startDate": {"year": today.year, "month": today.month, "day": 1},
        "communeCode": "25195", "sessions": 1, "participantsTotal": "30",
        "byLanguage": [{"code": "VI", "participants": "30"}]}}, timeout=10)
except grpc.RpcError as e:
    sys.exit(f"registry_smoke: campaigns refused the activity: {e.code().name} {e.details()}")
print("registry_smoke: campaigns traffic: an activity")
PY
attendances=""
for _ in $(seq 1 100); do
  cmetrics=$(curl -fsS --noproxy '*' "http://127.0.0.1:$cmetrics_port/metrics" 2>/dev/null || true)
  attendances=$(sed -n 's/^lnob_campaign_attendances{language="VI"} \(.*\)$/\1/p' <<<"$cmetrics")
  [ "$attendances" = "30" ] && break
  sleep 0.1
done
if [ "$attendances" != "30" ]; then
  echo "registry_smoke: campaigns exports lnob_campaign_attendances{language=\"VI\"} '${attendances}', expected 30:" >&2
  tail -20 "$tmp/campaigns.log" >&2
  exit 1
fi
echo "registry_smoke: campaigns exports lnob_campaign_attendances{language=\"VI\"} $attendances"

bash "$ROOT/tests/ops/prometheus_smoke.sh" "registry=127.0.0.1:$metrics_port" "funding=127.0.0.1:$fmetrics_port" \
  "campaigns=127.0.0.1:$cmetrics_port" "inspection=127.0.0.1:$inspection_metrics" "awards=127.0.0.1:$awards_metrics" \
  "reporting=127.0.0.1:$reporting_metrics"

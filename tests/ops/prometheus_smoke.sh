#!/usr/bin/env bash
# Smoke test of the rules and dashboards against a REAL Prometheus scraping running services.
#
#   bash tests/ops/prometheus_smoke.sh [NAME=]HOST:PORT...
#
#   HOST:PORT   metrics endpoints to scrape (/metrics), loopback only (127.x.x.x, localhost,
#               [::1]); NAME sets the scrape job to lnob-NAME, as Kubernetes would name it
#               after the Service (default lnob-target1, lnob-target2, ...).
#
# Needs: /usr/bin/prometheus (Debian package "prometheus", installed by tools/deps.sh),
# /usr/bin/python3 with python3-yaml (a dependency of yamllint), curl. The caller must have
# sent some traffic to the services first, including at least one call that ends with a
# database error such as NotFound, and funding must hold an allocation of the current year
# (tests/ops/registry_smoke.sh does all of this for the registry and funding). This script
# sends no traffic to the services itself.
#
# Starts Prometheus on 127.0.0.1 with a free port, a temporary data folder and a config that
# scrapes the endpoints every second and loads deploy/monitoring/rules.yaml; then
# tests/ops/promql_smoke.py checks that every rule is healthy, that every PromQL expression of
# the rules and dashboards parses, and that every panel query of the "lnob-services",
# "lnob-postgres" and "lnob-movement" dashboards returns data (queries of the few metrics listed
# in promql_smoke.py's ABSENT_OK are reported as skipped while no target exports them).
# Prometheus is stopped and its files removed on exit. About 10 seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
[ $# -gt 0 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
[ -x "$PROMETHEUS" ] || { echo "prometheus_smoke: $PROMETHEUS not found (tools/deps.sh installs it)" >&2; exit 2; }
/usr/bin/python3 -c 'import yaml' 2>/dev/null || { echo "prometheus_smoke: python3-yaml missing" >&2; exit 2; }

# Targets: loopback only.
jobs_yaml=""
i=0
for arg in "$@"; do
  i=$((i + 1))
  name="target$i"
  hostport=$arg
  if [[ $arg == *=* ]]; then name=${arg%%=*}; hostport=${arg#*=}; fi
  host=${hostport%:*}
  case "$host" in
    127.*|localhost|\[::1\]) ;;
    *) echo "prometheus_smoke: $hostport is not a loopback address" >&2; exit 2 ;;
  esac
  [[ $name =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "prometheus_smoke: bad name $name" >&2; exit 2; }
  jobs_yaml+="  - job_name: lnob-$name
    static_configs:
      - targets: ['$hostport']
"
done

tmp=$(mktemp -d /tmp/lnob-prom-smoke.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$ROOT/deploy/monitoring/rules.yaml" "$tmp/rules.yaml"
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $tmp/rules.yaml
scrape_configs:
$jobs_yaml
EOF

"$PROMETHEUS" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=1h --log.level=warn \
  >"$tmp/prometheus.log" 2>&1 &
pid=$!

ready=0
for _ in $(seq 1 100); do
  if curl -fsS --noproxy '*' "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if [ "$ready" -ne 1 ]; then
  echo "prometheus_smoke: Prometheus did not start:" >&2
  tail -20 "$tmp/prometheus.log" >&2
  exit 1
fi
echo "prometheus_smoke: Prometheus $("$PROMETHEUS" --version 2>&1 | head -1 | awk '{print $3}') on 127.0.0.1:$port scraping $*"

rc=0
/usr/bin/python3 "$ROOT/tests/ops/promql_smoke.py" --url "http://127.0.0.1:$port" \
  --rules "$ROOT/deploy/monitoring/rules.yaml" --dashboards "$ROOT/deploy/monitoring/dashboards" \
  --targets "$#" --require-data lnob-services,lnob-postgres,lnob-movement || rc=$?
if [ "$rc" -ne 0 ] && [ -s "$tmp/prometheus.log" ]; then
  echo "prometheus_smoke: Prometheus log:" >&2
  tail -20 "$tmp/prometheus.log" >&2
fi
exit "$rc"

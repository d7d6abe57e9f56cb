#!/usr/bin/env bash
# Gateway benchmark, one run on one machine, on N imported demo households:
#   * GetHousehold over REST through the gateway vs the same call made directly over gRPC to
#     the registry: p50/p99 at a fixed rate, and maximum throughput;
#   * gRPC through the gateway's passthrough vs through Debian's nginx with grpc_pass in
#     front of the same registry: maximum throughput;
#   * the gateway's RSS idle and under load.
#   bench/gateway_bench.sh [HOUSEHOLDS=20000] [RATE=500] [SECONDS=20] [WORKERS=16]
# Needs nginx (Debian package nginx-core or nginx-light; installed on demand).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:-20000}; RATE=${2:-500}; SECS=${3:-20}; WORKERS=${4:-16}
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  # Install without starting the system service.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nginx-core >/dev/null
  $SUDO rm -f /usr/sbin/policy-rc.d
fi
trap 'kill ${GW_PID:-} ${NGINX_PID:-} 2>/dev/null || true; bench_stop' EXIT
bench_start
"$BIN/lnobctl" demo generate --households="$N" --out="$BENCH_TMP/demo.csv"
"$BIN/lnobctl" import households "$BENCH_TMP/demo.csv" --target="$TARGET" --token="$TOKEN" --progress=plain 2>/dev/null | tail -1
psql_admin -c "VACUUM ANALYZE" >/dev/null
psql_admin -c "CHECKPOINT" >/dev/null
psql_admin -c "\\copy (SELECT id FROM registry.households ORDER BY random() LIMIT 5000) TO '$BENCH_TMP/ids'"
READER=$("$BIN/lnobctl" token --private_key="$BENCH_TMP/jwt_private.pem" --roles=INSPECTOR --ttl=1h)

HTTP_PORT=$(free_port); GW_GRPC=$(free_port)
"$BIN/gateway" --listen_host=127.0.0.1 --http_port="$HTTP_PORT" --grpc_port="$GW_GRPC" --metrics_host=127.0.0.1 \
  --metrics_port=0 --backends="lnob.registry.v1.HouseholdService=$TARGET" \
  --jwt_public_keys="$BENCH_TMP/jwt_public.pem" --rate_limit_rps=0 --log_level=warning \
  --ready_file="$BENCH_TMP/gw.ready" >"$BENCH_TMP/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 100); do [ -f "$BENCH_TMP/gw.ready" ] && break; sleep 0.1; done

NGINX_PORT=$(free_port)
mkdir -p "$BENCH_TMP/nginx/logs"
cat > "$BENCH_TMP/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $BENCH_TMP/nginx/nginx.pid;
error_log $BENCH_TMP/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $BENCH_TMP/nginx/body;
  proxy_temp_path $BENCH_TMP/nginx/proxy;
  fastcgi_temp_path $BENCH_TMP/nginx/fastcgi;
  uwsgi_temp_path $BENCH_TMP/nginx/uwsgi;
  scgi_temp_path $BENCH_TMP/nginx/scgi;
  upstream registry { server $TARGET; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT http2;
    location / { grpc_pass grpc://registry; }
  }
}
CONF
/usr/sbin/nginx -p "$BENCH_TMP/nginx" -c "$BENCH_TMP/nginx/nginx.conf" &
NGINX_PID=$!
sleep 1

B() { "$BIN/gateway_bench" --token="$READER" --ids="$BENCH_TMP/ids" --workers="$WORKERS" "$@"; }
echo "gateway RSS idle: $(rss_kb "$GW_PID") kB"
echo "-- fixed rate ($RATE/s, $SECS s)"
B --mode=grpc --target="$TARGET" --rate="$RATE" --seconds="$SECS" --label="direct gRPC (registry)" | tee "$BENCH_TMP/r_direct"
( sleep $((SECS / 2)); echo "gateway RSS under load: $(rss_kb "$GW_PID") kB" ) &
RSS_PID=$!
B --mode=rest --target="127.0.0.1:$HTTP_PORT" --rate="$RATE" --seconds="$SECS" --label="REST via gateway" | tee "$BENCH_TMP/r_rest"
wait "$RSS_PID"
echo "-- maximum throughput ($WORKERS workers, $((SECS / 2)) s each)"
B --mode=grpc --target="$TARGET" --max --seconds=$((SECS / 2)) --label="direct gRPC (registry)" | tee "$BENCH_TMP/m_direct"
B --mode=rest --target="127.0.0.1:$HTTP_PORT" --max --seconds=$((SECS / 2)) --label="REST via gateway" | tee "$BENCH_TMP/m_rest"
B --mode=grpc --target="127.0.0.1:$GW_GRPC" --max --seconds=$((SECS / 2)) --label="gRPC via gateway passthrough" | tee "$BENCH_TMP/m_pass"
B --mode=grpc --target="127.0.0.1:$NGINX_PORT" --max --seconds=$((SECS / 2)) --label="gRPC via nginx grpc_pass" | tee "$BENCH_TMP/m_nginx"
echo "gateway RSS after load: $(rss_kb "$GW_PID") kB"
p50() { sed -E 's/.*p50 ([0-9.]+) ms.*/\1/' "$1"; }
rps() { sed -E 's/.*: ([0-9.]+) req\/s.*/\1/' "$1"; }
printf 'REST p50 / direct p50: %.2f (goal <= 1.3)\n' "$(echo "$(p50 "$BENCH_TMP/r_rest") / $(p50 "$BENCH_TMP/r_direct")" | bc -l)"
printf 'REST throughput / direct: %.2f (goal >= 0.6)\n' "$(echo "$(rps "$BENCH_TMP/m_rest") / $(rps "$BENCH_TMP/m_direct")" | bc -l)"
printf 'passthrough throughput / nginx: %.2f (goal >= 1.0)\n' "$(echo "$(rps "$BENCH_TMP/m_pass") / $(rps "$BENCH_TMP/m_nginx")" | bc -l)"

#!/usr/bin/env bash
# tools/new_service.sh, end to end, on a scratch copy of this checkout: generate the service
# "pilot", check that every place that must know it agrees (services/services.list), then
# ./lnob up builds, migrates, starts it and the gateway routes it (REST with curl, gRPC
# passthrough with python3-grpcio), and ./lnob test runs its generated tests.
# It uses ./lnob up's fixed ports (8080, 9090, 50051-50053, 9100-9103): stop a running
# `./lnob up` first. The copy's build reuses this checkout's objects through ccache.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "${LNOB_TEST_TMP:-/tmp}/new-service.XXXXXX")
COPY=$WORK/src
STATE=$WORK/state
# The copy is a checkout of its own: none of this test run's settings may leak into it.
clean_env() { env -u LNOB_BUILD_DIR -u LNOB_BIN_DIR -u LNOB_DESCRIPTOR_SET -u LNOB_TEST_ADMIN_URL \
  -u LNOB_TEST_PG_DIR -u LNOB_TEST_PG_SH -u LNOB_TEST_TMP -u LNOB_STATE_DIR "$@"; }
cleanup() {
  [ -x "$COPY/lnob" ] && clean_env LNOB_STATE_DIR="$STATE" "$COPY/lnob" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "new_service_e2e: FAIL: $*" >&2; exit 1; }

for port in 8080 9090 9100 50051 50052 50053 9101 9102 9103; do
  if /usr/bin/python3 -c "import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(('127.0.0.1',$port)) else 1)"; then
    :
  else
    fail "port $port is in use (is ./lnob up running? stop it with ./lnob down)"
  fi
done

mkdir -p "$COPY"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$SRC" ls-files -co --exclude-standard | tar -C "$SRC" -cf - -T - | tar -C "$COPY" -xf -
else
  tar -C "$SRC" --exclude=./build --exclude=./.lnob --exclude=node_modules -cf - . | tar -C "$COPY" -xf -
fi
cd "$COPY"

echo "== generate"
tools/new_service.sh pilot
/usr/bin/python3 tests/layout/check_service_list.py || fail "the generated service is not known everywhere"
/usr/bin/python3 tests/layout/check_layering.py || fail "the generated service breaks the layering"
grep -q "^pilot " services/services.list || fail "services/services.list lacks pilot"

echo "== ./lnob up (build, migrate, start, route)"
start=$(date +%s)
clean_env LNOB_STATE_DIR="$STATE" LNOB_PG_PORT="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')" \
  LNOB_DEMO_HOUSEHOLDS=0 LNOB_DETACH=1 ./lnob up </dev/null >"$WORK/up.log" 2>&1 || { tail -40 "$WORK/up.log"; fail "./lnob up"; }
echo "   up in $(( $(date +%s) - start )) s"
[ -f "$STATE/run/pilot.ready" ] || fail "pilot did not start under ./lnob up"
TOKEN=$(cat "$STATE/secrets/dev_token")

echo "== API conventions of the generated proto (buf lint, tests/api)"
bash tests/api/lint.sh build/lnob_api.pb || fail "the generated proto breaks the API conventions"

echo "== REST through the gateway (curl)"
created=$(curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"title":"Họp thôn tháng 12","body":"first note"}' http://127.0.0.1:8080/v1/pilotNotes) \
  || fail "POST /v1/pilotNotes: $created"
name=$(printf '%s' "$created" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')
case "$name" in pilotNotes/*) ;; *) fail "created note has name '$name'";; esac
got=$(curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:8080/v1/$name") || fail "GET $name: $got"
printf '%s' "$got" | grep -q '"title":"Họp thôn tháng 12"' || fail "GET $name returned $got"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"title":"x"}' \
  http://127.0.0.1:8080/v1/pilotNotes)
[ "$code" = 401 ] || fail "a call without a token got $code, not 401"
code=$(curl -s -o "$WORK/bad.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"title":""}' http://127.0.0.1:8080/v1/pilotNotes)
[ "$code" = 400 ] && grep -q 'note.title' "$WORK/bad.json" || fail "an empty title got $code: $(cat "$WORK/bad.json")"

echo "== gRPC through the gateway (python3-grpcio)"
echo "$TOKEN" > "$WORK/token"
listed=$(clean_env /usr/bin/python3 tools/py/grpc_call.py 127.0.0.1:9090 lnob.pilot.v1.PilotService/ListNotes '{}' \
  --token-file "$WORK/token") || fail "ListNotes over the gRPC passthrough"
printf '%s' "$listed" | grep -q "$name" || fail "ListNotes returned $listed"

echo "== its generated tests (./lnob test)"
clean_env ./lnob test -R '^PilotTest\.' >"$WORK/test.log" 2>&1 || { tail -40 "$WORK/test.log"; fail "./lnob test -R PilotTest"; }
grep -q "100% tests passed, 0 tests failed out of 4" "$WORK/test.log" || { tail -20 "$WORK/test.log"; fail "expected 4 passing PilotTest tests"; }
echo "new_service_e2e: OK"

#!/usr/bin/env bash
# The gateway's generated OpenAPI document passes `redocly lint` (recommended rules).
#   bash tests/gateway/openapi_lint.sh BIN_DIR
# Installs the pinned @redocly/cli into tests/gateway/node_modules on first run (npm registry).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:?bin dir}
stamp=$HERE/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$HERE/package-lock.json" -nt "$stamp" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
out=$(mktemp /tmp/lnob-openapi.XXXXXX.json)
trap 'rm -f "$out"' EXIT
"$BIN/gateway" --openapi_out="$out"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
paths = doc["paths"]
assert "/v1/adminUnits/{adminUnits_id}" in paths, sorted(paths)[:5]
assert "patch" in paths["/v1/households/{households_id}"] and "get" in paths["/v1/households/{households_id}"]
assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
ops = [op for item in paths.values() for op in item.values()]
assert len(ops) >= 30, len(ops)
print(f"openapi: {len(paths)} paths, {len(ops)} operations")
PY
cd "$HERE" && node_modules/.bin/redocly lint "$out"

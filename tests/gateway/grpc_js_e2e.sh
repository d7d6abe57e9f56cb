#!/usr/bin/env bash
# The gateway's gRPC passthrough, end to end, called by Node's @grpc/grpc-js.
#   bash tests/gateway/grpc_js_e2e.sh BUILD_DIR
# Needs LNOB_TEST_ADMIN_URL (./lnob test provides it). Installs the pinned npm packages into
# tests/gateway/node_modules on first run (npm registry).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LNOB_BUILD_DIR=${1:?build dir}
stamp=$HERE/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$HERE/package-lock.json" -nt "$stamp" ] || [ ! -d "$HERE/node_modules/@grpc/grpc-js" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
exec node --test-reporter=spec "$HERE/grpc_js_e2e.mjs"

#!/usr/bin/env bash
# The API conventions, checked on the descriptor set the build writes (build/lnob_api.pb):
# `buf lint` with the rule set in tests/api/buf.yaml, then lnob's own conventions
# (check_conventions.py). buf comes from npm (@bufbuild/buf, pinned in package-lock.json),
# installed into tests/api/node_modules on first run (needs the npm registry once).
#
#   bash tests/api/lint.sh [DESCRIPTOR_SET]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SET=${1:-${LNOB_DESCRIPTOR_SET:-$HERE/../../build/lnob_api.pb}}
[ -f "$SET" ] || { echo "api lint: no descriptor set at $SET (build first)" >&2; exit 2; }
stamp=$HERE/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$HERE/package-lock.json" -nt "$stamp" ]; then
  echo "api lint: npm ci in tests/api" >&2
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
# Only lnob's own files: the set also holds the googleapis and protobuf imports.
"$HERE/node_modules/.bin/buf" lint "$SET#format=binpb" --path lnob --config "$HERE/buf.yaml"
echo "buf lint: clean"
/usr/bin/python3 "$HERE/check_conventions.py"

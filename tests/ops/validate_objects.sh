#!/usr/bin/env bash
# Renders every overlay (tests/ops/render.sh) and validates each rendered object against the
# published Kubernetes, Prometheus-operator and CloudNativePG schemas, plus the cross-object
# checks described at the top of tests/ops/validate_objects.mjs.
#
#   bash tests/ops/validate_objects.sh
#
# Needs: kubectl, Node.js (18 or later) and npm. The npm packages pinned in
# tests/ops/package-lock.json are installed into tests/ops/node_modules with `npm ci` when that
# folder is missing or older than the lock file (needs the npm registry once; afterwards
# offline). Takes about 2 seconds once installed (npm ci: about 5 more).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in node npm kubectl; do
  command -v "$tool" >/dev/null || { echo "validate_objects: $tool not found" >&2; exit 2; }
done

stamp=$HERE/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$HERE/package-lock.json" -nt "$stamp" ]; then
  echo "validate_objects: npm ci in tests/ops" >&2
  # The packages declare node >= 22 but run on Debian's/this machine's node 20 (tested).
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false >&2)
fi

out=$(mktemp -d /tmp/lnob-validate.XXXXXX)
trap 'rm -rf "$out"' EXIT
bash "$HERE/render.sh" "$out" >/dev/null
node "$HERE/validate_objects.mjs" "$out"/*.yaml

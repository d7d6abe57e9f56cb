#!/usr/bin/env bash
# Renders every kustomize overlay of deploy/k8s/overlays with `kubectl kustomize`, plus the
# gateway-ingress component on top of the dev overlay (no overlay includes it by default).
#
#   bash tests/ops/render.sh [OUT_DIR]
#
#   OUT_DIR   where to write <overlay>.yaml (default: a temporary folder, removed at exit)
#
# Needs: kubectl (with its built-in kustomize, v5). Offline; takes about 2 seconds.
# Fails when an overlay does not render, renders nothing, or when a default overlay contains
# an Ingress (the gateway does not exist yet; the Ingress lives in components/gateway-ingress).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
K8S=$ROOT/deploy/k8s
command -v kubectl >/dev/null || { echo "render: kubectl not found" >&2; exit 2; }

work=$(mktemp -d /tmp/lnob-render.XXXXXX)
trap 'rm -rf "$work"' EXIT
OUT=${1:-$work/out}
mkdir -p "$OUT"

fail=0
render() {  # name dir
  local name=$1 dir=$2 err
  if ! kubectl kustomize "$dir" >"$OUT/$name.yaml" 2>"$work/$name.err"; then
    err=$(cat "$work/$name.err")
    echo "render: $name FAILED: $err" >&2
    fail=1
    return
  fi
  local n; n=$(grep -c '^kind:' "$OUT/$name.yaml" || true)
  if [ "$n" -eq 0 ]; then
    echo "render: $name rendered no object" >&2
    fail=1
    return
  fi
  echo "render: $name: $n objects -> $OUT/$name.yaml"
}

overlays=()
for d in "$K8S"/overlays/*/; do
  [ -f "$d/kustomization.yaml" ] || continue
  name=$(basename "$d")
  overlays+=("$name")
  render "$name" "$d"
  if [ -s "$OUT/$name.yaml" ] && grep -q '^kind: Ingress$' "$OUT/$name.yaml"; then
    echo "render: $name contains an Ingress; the gateway Ingress must stay in components/gateway-ingress" >&2
    fail=1
  fi
done
[ ${#overlays[@]} -gt 0 ] || { echo "render: no overlay in $K8S/overlays" >&2; exit 1; }

# The optional component, rendered on top of the dev overlay from a throw-away kustomization
# (kustomize wants relative paths).
extra=$work/dev-with-gateway-ingress
mkdir -p "$extra"
rel=$(realpath --relative-to="$extra" "$K8S")
cat >"$extra/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: lnob-dev
resources:
  - $rel/overlays/dev
components:
  - $rel/components/gateway-ingress
EOF
render dev-with-gateway-ingress "$extra"
if [ -s "$OUT/dev-with-gateway-ingress.yaml" ] && ! grep -q '^kind: Ingress$' "$OUT/dev-with-gateway-ingress.yaml"; then
  echo "render: components/gateway-ingress added no Ingress" >&2
  fail=1
fi

if [ "$fail" -ne 0 ]; then
  echo "render: FAILED" >&2
  exit 1
fi
echo "render: ${#overlays[@]} overlays (${overlays[*]}) and the gateway-ingress component render"

#!/usr/bin/env bash
# Renders every kustomize overlay of deploy/k8s/overlays with `kubectl kustomize`.
#
#   bash tests/ops/render.sh [OUT_DIR]
#
#   OUT_DIR   where to write <overlay>.yaml (default: a temporary folder, removed at exit)
#
# Needs: kubectl (with its built-in kustomize, v5). Offline; takes about 2 seconds.
# Fails when an overlay does not render, renders nothing, or lacks the gateway's Ingress
# (components/gateway-ingress, included by every overlay).
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
  if [ -s "$OUT/$name.yaml" ] && ! grep -q '^kind: Ingress$' "$OUT/$name.yaml"; then
    echo "render: $name has no Ingress; include components/gateway-ingress" >&2
    fail=1
  fi
done
[ ${#overlays[@]} -gt 0 ] || { echo "render: no overlay in $K8S/overlays" >&2; exit 1; }

if [ "$fail" -ne 0 ]; then
  echo "render: FAILED" >&2
  exit 1
fi
echo "render: ${#overlays[@]} overlays (${overlays[*]}) render"

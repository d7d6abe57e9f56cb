#!/usr/bin/env bash
# Writes the PrometheusRule object that deploy/k8s/components/monitoring installs, from
# rules.yaml (the single source of the rules):
#
#   bash deploy/monitoring/generate-prometheusrule.sh            rewrite prometheusrule.yaml
#   bash deploy/monitoring/generate-prometheusrule.sh --stdout   print it instead
#
# kustomize cannot embed a file as structured YAML, so the object is generated and committed;
# tests/ops/check_rules.sh fails when it is out of date.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

render() {
  cat <<'HEAD'
# GENERATED from deploy/monitoring/rules.yaml by deploy/monitoring/generate-prometheusrule.sh.
# Do not edit: change rules.yaml and run the script again.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: lnob
  labels:
    app.kubernetes.io/name: lnob-rules
    app.kubernetes.io/part-of: lnob
spec:
HEAD
  # Everything of rules.yaml except its leading comment block, indented under spec:
  # (blank lines stay empty so that no line ends with spaces).
  awk 'started || !/^(#|$)/ { started = 1; print }' "$HERE/rules.yaml" | sed -e '/^$/!s/^/  /'
}

if [ "${1:-}" = "--stdout" ]; then
  render
else
  render > "$HERE/prometheusrule.yaml"
  echo "wrote $HERE/prometheusrule.yaml"
fi

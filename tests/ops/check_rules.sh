#!/usr/bin/env bash
# Prometheus rules: syntax and unit tests with promtool, plus two consistency checks.
#
#   bash tests/ops/check_rules.sh
#
# Needs: promtool (Debian package "prometheus", installed by tools/deps.sh). Offline; takes
# about 15 seconds (the multi-day burn-rate tests dominate).
#   1. promtool check rules deploy/monitoring/rules.yaml
#   2. promtool test rules deploy/monitoring/tests/*.yaml (every alert has tests)
#   3. deploy/monitoring/prometheusrule.yaml is what generate-prometheusrule.sh makes of rules.yaml
#   4. every alert's runbook link (docs/operations.md#anchor) names a heading of that page
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MON=$ROOT/deploy/monitoring
command -v promtool >/dev/null || { echo "check_rules: promtool not found (tools/deps.sh installs it)" >&2; exit 2; }
fail=0

promtool check rules "$MON/rules.yaml" || fail=1

shopt -s nullglob
tests=("$MON"/tests/*.yaml)
[ ${#tests[@]} -gt 0 ] || { echo "check_rules: no tests in $MON/tests" >&2; fail=1; }
[ ${#tests[@]} -eq 0 ] || promtool test rules "${tests[@]}" || fail=1

# Every alert is exercised by at least one test file.
for alert in $(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$MON/rules.yaml"); do
  if ! grep -q "alertname: *$alert\$" "${tests[@]}"; then
    echo "check_rules: alert $alert has no promtool test" >&2
    fail=1
  fi
done

if ! diff -u "$MON/prometheusrule.yaml" <(bash "$MON/generate-prometheusrule.sh" --stdout) >/dev/null; then
  echo "check_rules: deploy/monitoring/prometheusrule.yaml is out of date; run deploy/monitoring/generate-prometheusrule.sh" >&2
  fail=1
fi

# GitHub-style heading anchors of docs/operations.md.
anchors=$( (grep -E '^#{1,6} ' "$ROOT/docs/operations.md" || true) | sed -E 's/^#+ +//' | tr 'A-Z' 'a-z' \
  | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g')
for link in $(sed -n 's/^ *runbook: *docs\/operations\.md#\([a-z0-9_-]*\).*/\1/p' "$MON/rules.yaml" | sort -u); do
  if ! grep -qx "$link" <<<"$anchors"; then
    echo "check_rules: runbook anchor #$link has no heading in docs/operations.md" >&2
    fail=1
  fi
done

if [ "$fail" -ne 0 ]; then
  echo "check_rules: FAILED" >&2
  exit 1
fi
echo "check_rules: rules valid, ${#tests[@]} test files pass, PrometheusRule up to date, runbook links resolve"

#!/usr/bin/env bash
# yamllint over every YAML source in deploy/ with deploy/.yamllint; warnings fail too (-s).
#
#   bash tests/ops/lint_yaml.sh
#
# Needs: yamllint (Debian package, installed by tools/deps.sh). Offline; about 1 second.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v yamllint >/dev/null || { echo "lint_yaml: yamllint not found (tools/deps.sh installs it)" >&2; exit 2; }
n=$(find "$ROOT/deploy" -name node_modules -prune -o \( -name '*.yaml' -o -name '*.yml' \) -print | wc -l)
yamllint -s -f parsable -c "$ROOT/deploy/.yamllint" "$ROOT/deploy"
echo "lint_yaml: $n YAML files in deploy/ are clean"

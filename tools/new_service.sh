#!/usr/bin/env bash
# tools/new_service.sh NAME [--grpc_port=N --metrics_port=N]
# Creates the service NAME from tools/service_template/ (proto, services/NAME, tests,
# migrations) and registers it everywhere a service must be known: services/services.list,
# roles, Kubernetes base and gateway routes, network policies, monitoring, secrets and the
# CloudNativePG roles. Afterwards `./lnob up` builds, starts and routes it, `./lnob test` runs
# its tests, and tests/layout/check_service_list.py confirms every place agrees.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/py/new_service.py" "$@"

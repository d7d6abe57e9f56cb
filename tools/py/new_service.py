#!/usr/bin/env python3
"""Creates a service from tools/service_template/ and registers it (see tools/new_service.sh)."""
import argparse
import json
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATE = os.path.join(ROOT, "tools", "service_template")


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def write(rel, text, new=True):
    path = os.path.join(ROOT, rel)
    if new and os.path.exists(path):
        sys.exit(f"new_service: {rel} exists already")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def insert_before(rel, marker, text):
    """Inserts text before the first line that starts with marker (after stripping)."""
    lines = read(rel).splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip().startswith(marker):
            lines[i:i] = [text]
            write(rel, "".join(lines), new=False)
            return
    sys.exit(f"new_service: {rel}: no line starting with {marker!r}")


def main():
    ap = argparse.ArgumentParser(description="Create a new lnob service from the template.")
    ap.add_argument("name", help="lower-case letters, e.g. campaigns")
    ap.add_argument("--grpc_port", type=int, default=0, help="default: the next after the listed services")
    ap.add_argument("--metrics_port", type=int, default=0, help="default: the next after the listed services")
    a = ap.parse_args()
    name = a.name
    if not re.fullmatch(r"[a-z]{3,20}", name):
        sys.exit("new_service: NAME must be 3-20 lower-case letters")

    listed = []
    for line in read("services/services.list").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            listed.append(line.split())
    if any(f[0] == name for f in listed) or os.path.exists(os.path.join(ROOT, "services", name)):
        sys.exit(f"new_service: {name} exists already")
    services = [f for f in listed if f[1] == "service"]
    grpc = a.grpc_port or max(int(f[2]) for f in services) + 1
    metrics = a.metrics_port or max(int(f[3]) for f in services) + 1
    used = {int(f[2]) for f in listed} | {int(f[3]) for f in listed}
    if grpc in used or metrics in used:
        sys.exit(f"new_service: port {grpc} or {metrics} is taken in services/services.list")

    camel = name[0].upper() + name[1:]
    subst = {"{{name}}": name, "{{Name}}": camel, "{{NAME}}": name.upper(),
             "{{grpc}}": str(grpc), "{{metrics}}": str(metrics)}

    def render(template):
        with open(os.path.join(TEMPLATE, template), encoding="utf-8") as f:
            text = f.read()
        for k, v in subst.items():
            text = text.replace(k, v)
        return text

    # The code: proto, service folder, tests.
    files = {
        f"proto/lnob/{name}/v1/{name}.proto": "proto.tmpl",
        f"services/{name}/CMakeLists.txt": "CMakeLists.txt.tmpl",
        f"services/{name}/main.cc": "main.cc.tmpl",
        f"services/{name}/domain/{name}_logic.h": "logic.h.tmpl",
        f"services/{name}/domain/{name}_logic.cc": "logic.cc.tmpl",
        f"services/{name}/store/{name}_store.h": "store.h.tmpl",
        f"services/{name}/store/pg_{name}_store.h": "pg_store.h.tmpl",
        f"services/{name}/store/pg_{name}_store.cc": "pg_store.cc.tmpl",
        f"services/{name}/migrations/001_{name}.sql": "migration.sql.tmpl",
        f"tests/services/{name}/CMakeLists.txt": "tests_CMakeLists.txt.tmpl",
        f"tests/services/{name}/{name}_test.cc": "test.cc.tmpl",
        f"deploy/k8s/base/{name}/kustomization.yaml": "kustomization.yaml.tmpl",
        f"deploy/k8s/components/network-policies/{name}.yaml": "netpol.yaml.tmpl",
        f"deploy/k8s/components/monitoring/servicemonitor-{name}.yaml": "servicemonitor.yaml.tmpl",
    }
    for rel, template in files.items():
        write(rel, render(template))

    # The one list: the service, and the gateway's route to it.
    lines = read("services/services.list").splitlines(keepends=True)
    last_service = max(i for i, l in enumerate(lines) if l.split()[1:2] == ["service"])
    lines.insert(last_service + 1, f"{name:<12} service   {grpc:<6} {metrics:<8} -\n")
    for i, l in enumerate(lines):
        f = l.split()
        if len(f) == 5 and f[1] == "gateway":
            peers = [] if f[4] == "-" else f[4].split(",")
            lines[i] = l.replace(f[4], ",".join(peers + [name])) if peers else l.replace(" -", f" {name}")
    write("services/services.list", "".join(lines), new=False)

    # Roles: province officers do everything in the new service, viewers read it.
    roles = json.loads(read("common/auth/roles.json"))
    roles["roles"]["PROVINCE_OFFICER"].append(f"{name}.*")
    if "VIEWER" in roles["roles"]:
        roles["roles"]["VIEWER"].append(f"{name}.notes.read")
    write("common/auth/roles.json", json.dumps(roles, indent=2, ensure_ascii=False) + "\n", new=False)

    # Kubernetes base: the registry's objects with the name and ports of this service.
    for f in ("deployment", "hpa", "job-bootstrap", "job-migrate", "pdb", "service", "serviceaccount"):
        text = read(f"deploy/k8s/base/registry/{f}.yaml")
        text = text.replace("registry", name).replace("50051", str(grpc)).replace("9101", str(metrics))
        write(f"deploy/k8s/base/{name}/{f}.yaml", text)
    insert_before("deploy/k8s/base/kustomization.yaml", "- gateway", f"  - {name}\n")
    backends = read("deploy/k8s/base/gateway/kustomization.yaml")
    m = re.search(r'(\n\s*)(lnob\.[a-z]+\.v1\.\w+=lnob-[a-z]+:\d+)"', backends)
    if not m:
        sys.exit("new_service: deploy/k8s/base/gateway/kustomization.yaml: LNOB_BACKENDS not found")
    backends = backends.replace(m.group(0), f'{m.group(1)}{m.group(2)},\\{m.group(1)}'
                                f'lnob.{name}.v1.{camel}Service=lnob-{name}:{grpc}"', 1)
    write("deploy/k8s/base/gateway/kustomization.yaml", backends, new=False)

    # Network policies: its own, and the gateway's egress to it.
    insert_before("deploy/k8s/components/network-policies/kustomization.yaml", "- gateway.yaml", f"  - {name}.yaml\n")
    insert_before("deploy/k8s/components/network-policies/gateway.yaml", "# DNS.",
                  f"    - to:\n        - podSelector:\n            matchLabels:\n"
                  f"              app.kubernetes.io/name: lnob-{name}\n"
                  f"              app.kubernetes.io/component: server\n"
                  f"      ports:\n        - protocol: TCP\n          port: {grpc}\n")
    insert_before("deploy/k8s/components/monitoring/kustomization.yaml", "- servicemonitor-gateway.yaml",
                  f"  - servicemonitor-{name}.yaml\n")

    # Secrets and database roles.
    secrets = read("deploy/k8s/create-secrets.sh")
    secrets = re.sub(r"^SERVICES=\(([^)]*)\bgateway\)", lambda m: f"SERVICES=({m.group(1)}{name} gateway)", secrets,
                     count=1, flags=re.M)
    write("deploy/k8s/create-secrets.sh", secrets, new=False)
    insert_before("deploy/k8s/overlays/prod/cluster.yaml", "# The gateway's schema", render("cluster_roles.yaml.tmpl"))
    # Every Secret an object mounts is documented (tests/ops/validate_objects.sh checks it).
    insert_before("docs/operations.md", "| `lnob-gateway-db-owner`",
                  f"| `lnob-{name}-db-owner` | basic-auth `username` (`lnob_{name}_owner`), `password` |"
                  f" `lnob-{name}-bootstrap` and `lnob-{name}-migrate` Jobs; prod: managed role |\n"
                  f"| `lnob-{name}-db` | basic-auth `username` (`lnob_{name}`), `password` |"
                  f" the {name} pods (`LNOB_DATABASE_URL`); prod: managed role |\n")

    print(f"new_service: created {name} (gRPC {grpc}, metrics {metrics}).")
    print("  ./lnob up       builds it, migrates its schema, starts it and routes it through the gateway")
    print(f"  ./lnob test -R {name}   runs its tests")
    print(f"  then replace the example resource Note in proto/lnob/{name}/v1/{name}.proto")


if __name__ == "__main__":
    main()

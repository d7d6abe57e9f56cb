#!/usr/bin/env python3
"""Checks every place that must know a service against services/services.list, the one list:
the build and main.cc, the proto package, roles, Kubernetes objects (base folder and ports),
network policies in both directions of every peer link, ServiceMonitor, secrets and the
CloudNativePG roles. ./lnob, lnobctl and the gateway's default routes read the list itself.
Each problem names the file to edit; tools/new_service.sh writes all of them for a new service.
"""
import json
import os
import re
import sys

ROOT = os.path.abspath(os.environ.get("LNOB_ROOT", os.path.join(os.path.dirname(__file__), "..", "..")))


def read(rel):
    try:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def services():
    out = []
    for line in read("services/services.list").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, kind, grpc, metrics, peers = line.split()
        out.append({"name": name, "kind": kind, "grpc": int(grpc), "metrics": int(metrics),
                    "peers": [] if peers == "-" else peers.split(",")})
    return out


def main():
    problems = []

    def need(cond, file, what):
        if not cond:
            problems.append(f"{file}: {what}")

    svcs = services()
    names = {s["name"] for s in svcs}
    roles = json.loads(read("common/auth/roles.json"))["roles"]
    grants = [g for perms in roles.values() for g in perms]
    base = read("deploy/k8s/base/kustomization.yaml")
    monitoring = read("deploy/k8s/components/monitoring/kustomization.yaml")
    policies = read("deploy/k8s/components/network-policies/kustomization.yaml")
    secrets = read("deploy/k8s/create-secrets.sh")
    cluster = read("deploy/k8s/overlays/prod/cluster.yaml")
    m = re.search(r"^SERVICES=\(([^)]*)\)", secrets, re.M)
    secret_services = m.group(1).split() if m else []

    for s in svcs:
        n = s["name"]
        for p in s["peers"]:
            need(p in names, "services/services.list", f"{n} calls unknown service {p}")
        if s["kind"] == "service":
            need(f"lnob_service({n}" in (read(f"services/{n}/CMakeLists.txt") or ""),
                 f"services/{n}/CMakeLists.txt", f"must declare lnob_service({n} ...)")
            flags = f'LNOB_SERVER_FLAGS("{n}", {s["grpc"]}, {s["metrics"]})'
            need(flags in (read(f"services/{n}/main.cc") or ""), f"services/{n}/main.cc", f"must expand {flags}")
            protos = os.path.join(ROOT, "proto/lnob", n, "v1")
            need(os.path.isdir(protos) and any(f.endswith(".proto") for f in os.listdir(protos)),
                 f"proto/lnob/{n}/v1/", "must hold the service's API")
            need(any(g.startswith(n + ".") for g in grants), "common/auth/roles.json",
                 f"no role grants a {n}.* permission")
        need(re.search(rf"^\s*-\s*{n}\s*$", base, re.M), "deploy/k8s/base/kustomization.yaml", f"must list {n}")
        deployment = read(f"deploy/k8s/base/{n}/deployment.yaml") or ""
        for port in (s["grpc"], s["metrics"]):
            need(f"containerPort: {port}" in deployment, f"deploy/k8s/base/{n}/deployment.yaml",
                 f"must expose containerPort {port}")
        need(read(f"deploy/k8s/components/monitoring/servicemonitor-{n}.yaml") is not None
             and f"servicemonitor-{n}.yaml" in monitoring,
             "deploy/k8s/components/monitoring/", f"servicemonitor-{n}.yaml must exist and be listed")
        policy = read(f"deploy/k8s/components/network-policies/{n}.yaml")
        need(policy is not None and f"- {n}.yaml" in policies, "deploy/k8s/components/network-policies/",
             f"{n}.yaml must exist and be listed")
        policy = policy or ""
        for port in (s["grpc"], s["metrics"]):
            need(f"port: {port}" in policy, f"deploy/k8s/components/network-policies/{n}.yaml",
                 f"must admit port {port}")
        for p in s["peers"]:
            need(f"app.kubernetes.io/name: lnob-{p}" in policy,
                 f"deploy/k8s/components/network-policies/{n}.yaml", f"egress to lnob-{p} (a peer) is missing")
            peer_policy = read(f"deploy/k8s/components/network-policies/{p}.yaml") or ""
            need(f"app.kubernetes.io/name: lnob-{n}" in peer_policy,
                 f"deploy/k8s/components/network-policies/{p}.yaml", f"ingress from lnob-{n} (its caller) is missing")
        need(n in secret_services, "deploy/k8s/create-secrets.sh", f"SERVICES must list {n}")
        if s["kind"] == "gateway":
            routes = read(f"deploy/k8s/base/{n}/kustomization.yaml") or ""
            for p in s["peers"]:
                peer = {x["name"]: x for x in svcs}.get(p)
                if peer is None:
                    continue
                need(re.search(rf"lnob\.{p}\.v1\.\w+=lnob-{p}:{peer['grpc']}", routes),
                     f"deploy/k8s/base/{n}/kustomization.yaml", f"LNOB_BACKENDS must route lnob.{p}.v1 to lnob-{p}:{peer['grpc']}")
        for role in (f"lnob_{n}", f"lnob_{n}_owner"):
            need(re.search(rf"name: {role}\s*$", cluster, re.M), "deploy/k8s/overlays/prod/cluster.yaml",
                 f"managed role {role} is missing")

    # The gateway's signing-key policy in create-secrets.sh: exactly the roles an API key may
    # carry (ApiKeyMayCarry: neither key management nor a service's own role).
    may_carry = sorted(r for r, perms in roles.items()
                       if "*" not in perms and not any(g.startswith("gateway.") for g in perms)
                       and not r.startswith("SERVICE_"))
    m = re.search(r"gateway\) echo \"lnob-key-policy: subjects=apikey:\* roles=([A-Z_,]+)\"", secrets)
    need(m and m.group(1).split(",") == may_carry, "deploy/k8s/create-secrets.sh",
         f"the gateway's key policy must list the roles an API key may carry: {','.join(may_carry)}")

    # The other direction: nothing built or deployed that the list does not know.
    for d in sorted(os.listdir(os.path.join(ROOT, "services"))):
        if os.path.isfile(os.path.join(ROOT, "services", d, "CMakeLists.txt")):
            need(d in names, "services/services.list", f"services/{d}/ exists but is not listed")
    for d in sorted(os.listdir(os.path.join(ROOT, "proto/lnob"))):
        need(d == "common" or d in names, "services/services.list", f"proto package lnob.{d}.v1 has no service")

    for p in problems:
        print(p)
    print(f"check_service_list: {len(svcs)} services, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

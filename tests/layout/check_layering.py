#!/usr/bin/env python3
"""Fails when a layer includes what it must not (docs/architecture.md, "who includes what"):

- libpqxx (<pqxx/...>) only in stores (services/*/store/pg_*), common/db/, and the composition
  roots that open the connection pool (main.cc files, common/server/service_main.cc, the
  gateway's api_keys_wiring.cc, lnobctl); tests and benchmarks are not checked;
- gRPC (grpcpp, generated *.grpc.pb.h stubs and *.lnob.h adapters, the gRPC side of
  common/server) never in domain code (services/*/domain) nor in the gRPC-free parts of common/.

Includes are followed transitively through the repository's own headers, so a domain header
that includes a header that includes <pqxx/pqxx> is caught too.
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
GRPC_HEADERS = ("common/server/handler.h", "common/server/grpc_stream.h", "common/server/runner.h",
                "common/server/service_main.h", "common/server/downstream.h", "common/status/grpc_status.h")


def includes_of(path, cache={}):
    if path not in cache:
        try:
            with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                cache[path] = INCLUDE.findall(f.read())
        except FileNotFoundError:
            cache[path] = []
    return cache[path]


def closure(path):
    """(include, via) for every include reachable from path through repository headers."""
    seen, out, stack = set(), [], [(path, path)]
    while stack:
        cur, via = stack.pop()
        for inc in includes_of(cur):
            if inc in seen:
                continue
            seen.add(inc)
            out.append((inc, via))
            if os.path.exists(os.path.join(ROOT, inc)):
                stack.append((inc, inc if via == path else via))
    return out


def is_pqxx(inc):
    return inc.startswith("pqxx/")


def is_grpc(inc):
    return (inc.startswith("grpcpp/") or inc.startswith("grpc/") and not inc.startswith("grpc/health")
            or inc.endswith(".grpc.pb.h") or inc.endswith(".lnob.h") or inc in GRPC_HEADERS)


def sources():
    for top in ("common", "services", "tools"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".h", ".cc")):
                    yield os.path.relpath(os.path.join(dirpath, name), ROOT)


def main():
    problems = []
    for src in sorted(sources()):
        parts = src.split("/")
        store = len(parts) >= 3 and parts[0] == "services" and parts[2] == "store" and parts[-1].startswith("pg_")
        root = (parts[-1] == "main.cc" or src in ("common/server/service_main.cc", "services/gateway/api_keys_wiring.cc")
                or src.startswith("tools/lnobctl/"))
        pqxx_ok = store or root or src.startswith("common/db/") or "/fuzz/" in src
        domain = len(parts) >= 3 and parts[0] == "services" and parts[2] == "domain"
        grpc_free_common = (src.startswith(("common/api/", "common/auth/", "common/util/", "common/log/",
                                            "common/metrics/", "common/db/"))
                            or src in ("common/status/status.h", "common/status/status.cc",
                                       "common/server/call.h", "common/server/stream.h"))
        for inc, via in closure(src):
            where = f" (through {via})" if via != src else ""
            if is_pqxx(inc) and not pqxx_ok:
                problems.append(f"{src}: includes <{inc}>{where}; libpqxx belongs in stores and common/db")
            if is_grpc(inc) and (domain or grpc_free_common):
                problems.append(f"{src}: includes {inc}{where}; domain code and common/{parts[1]} stay free of gRPC")
    for p in problems:
        print(p)
    print(f"check_layering: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

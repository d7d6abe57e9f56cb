#!/usr/bin/python3
"""Evaluates every PromQL expression of lnob's rules and dashboards against a running Prometheus.

Called by tests/ops/prometheus_smoke.sh, which starts that Prometheus on 127.0.0.1:

  promql_smoke.py --url http://127.0.0.1:PORT --rules RULES.yaml --dashboards DIR \
                  --targets N --require-data lnob-services,lnob-postgres,lnob-movement

1. waits until every scrape target is up and has at least 3 samples (so that rate() works);
2. waits until every rule group has been evaluated once and fails on any rule whose health is
   "err" (bad PromQL at run time, e.g. many-to-many matching);
3. sends every expression of the rules and of every dashboard panel to /api/v1/query: each must
   come back with status "success";
4. for the dashboards named by --require-data, each panel query must return data. A query that
   reads a metric of ABSENT_OK below is reported as skipped instead, as long as no target
   exports that metric; once one does, the query must return data like the others. Funding's
   gauges (lnob_disbursement_ratio, lnob_allocated_vnd, lnob_disbursed_vnd) and the change-feed
   lag are not in that list: their panels must show data.

Grafana variables are replaced as Grafana would for "All": a variable's allValue (or .*),
$__rate_interval by 1m, $__interval by 15s, $__range by 5m.
Only the given URL is contacted; proxies from the environment are ignored.
"""
import argparse
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request

import yaml

# Metrics whose panels may be empty here: the gateway's HTTP metrics (the smoke test does not
# start the gateway), the registry's lnob_households (series only once households carry an
# approved classification; the test creates none) and lnob_simulation_entering_poverty (series
# only once a simulation has run; the test runs none).
ABSENT_OK = [
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_count",
    "http_request_duration_seconds_sum",
    "lnob_households",
    "lnob_simulation_entering_poverty",
]

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def api(base, path, **params):
    url = f"{base}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        with OPENER.open(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:  # 400/422 carry a JSON error body
        try:
            return json.load(e)
        except ValueError:
            return {"status": "error", "error": f"HTTP {e.code}"}


def wait(what, pred, timeout):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            ok, last = pred()
            if ok:
                return True
        except (OSError, ValueError) as e:
            last = str(e)
        time.sleep(0.5)
    print(f"prometheus_smoke: timed out waiting for {what}: {last}", file=sys.stderr)
    return False


def substitute(expr, variables):
    out = expr
    builtins = {"__rate_interval": "1m", "__interval": "15s", "__range": "5m"}
    names = sorted(list(variables) + list(builtins), key=len, reverse=True)
    for name in names:
        value = builtins.get(name, variables.get(name))
        out = out.replace("${" + name + "}", value).replace("$" + name, value)
    return out


def dashboard_queries(path):
    with open(path) as f:
        d = json.load(f)
    variables = {}
    for v in d.get("templating", {}).get("list", []):
        if v.get("type") == "datasource":
            continue
        variables[v["name"]] = v.get("allValue") or ".*"
    out = []

    def walk(panels):
        for p in panels:
            walk(p.get("panels", []))
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append((f'{d["uid"]}: {p.get("title", "")} [{t.get("refId", "")}]',
                                substitute(t["expr"], variables)))
    walk(d.get("panels", []))
    return d["uid"], out


def rule_queries(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    out = []
    for g in doc.get("groups", []):
        for r in g.get("rules", []):
            name = r.get("alert") or r.get("record")
            out.append((f'rules: {g["name"]}: {name}', r["expr"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--dashboards", required=True)
    ap.add_argument("--targets", type=int, required=True)
    ap.add_argument("--require-data", default="")
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    base = a.url.rstrip("/")
    host = urllib.parse.urlparse(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"prometheus_smoke: refusing non-loopback URL {base}", file=sys.stderr)
        return 2

    def targets_ready():
        r = api(base, "/api/v1/query", query="count_over_time(up[5m]) >= 3 and up == 1")
        n = len(r.get("data", {}).get("result", [])) if r.get("status") == "success" else 0
        t = api(base, "/api/v1/targets")
        errors = [x.get("lastError") for x in t.get("data", {}).get("activeTargets", []) if x.get("lastError")]
        return n >= a.targets, f"{n}/{a.targets} targets up with 3 samples; {errors}"

    if not wait("scrapes", targets_ready, a.timeout):
        return 1

    def rules_evaluated():
        r = api(base, "/api/v1/rules")
        groups = r.get("data", {}).get("groups", [])
        pending = [g["name"] for g in groups if g.get("lastEvaluation", "").startswith("0001-")]
        return bool(groups) and not pending, f"not evaluated yet: {pending}"

    if not wait("rule evaluation", rules_evaluated, a.timeout):
        return 1
    # One more evaluation, so that alert rules have seen the recording rules' output.
    time.sleep(2)

    passed = failed = skipped = 0
    r = api(base, "/api/v1/rules")
    for g in r["data"]["groups"]:
        for rule in g["rules"]:
            if rule.get("health") != "ok":
                print(f"FAIL rule health: {g['name']}: {rule['name']}: {rule.get('health')} {rule.get('lastError', '')}")
                failed += 1
            else:
                passed += 1

    names = set(api(base, "/api/v1/label/__name__/values").get("data", []))
    require = {u for u in a.require_data.split(",") if u}
    queries = [(label, expr, False) for label, expr in rule_queries(a.rules)]
    seen_uids = set()
    for f in sorted(os.listdir(a.dashboards)):
        if f.endswith(".json"):
            uid, qs = dashboard_queries(os.path.join(a.dashboards, f))
            seen_uids.add(uid)
            queries += [(label, expr, uid in require) for label, expr in qs]
    missing_uids = require - seen_uids
    if missing_uids:
        print(f"FAIL dashboards not found: {', '.join(sorted(missing_uids))}")
        failed += 1

    for label, expr, need_data in queries:
        res = api(base, "/api/v1/query", query=expr)
        short = " ".join(expr.split())
        if res.get("status") != "success":
            print(f"FAIL {label}: {res.get('errorType', '')} {res.get('error', '')}\n     {short}")
            failed += 1
            continue
        if not need_data:
            passed += 1
            continue
        data = res["data"]
        empty = data["resultType"] in ("vector", "matrix") and not data["result"]
        if not empty:
            passed += 1
            continue
        absent = [m for m in ABSENT_OK if re.search(r"\b" + re.escape(m) + r"\b", expr) and m not in names]
        if absent:
            print(f"skip {label}: no target exports {', '.join(absent)} yet")
            skipped += 1
        else:
            print(f"FAIL {label}: no data\n     {short}")
            failed += 1

    print(f"prometheus_smoke: {len(queries)} expressions from rules and dashboards, "
          f"{sum(1 for q in queries if q[2])} of them must return data")
    print(f"prometheus_smoke: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

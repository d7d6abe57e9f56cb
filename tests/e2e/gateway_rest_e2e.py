#!/usr/bin/python3
"""End-to-end: every REST route of the registry, funding, campaigns, inspection, awards and reporting APIs through
the real gateway, called with curl only (a client we did not write).

Run by ctest through ./lnob test, which provides a PostgreSQL (LNOB_TEST_*). Starts the real
registry, funding and gateway binaries on a temporary database, then:

- calls every method that has a google.api.http rule (the list comes from the descriptor set
  build/lnob_api.pb, so a newly annotated method without a call here fails the last test),
  each with an assertion on the JSON it returns;
- produces through REST every gRPC code the services return and checks the HTTP status of the
  one table (common/status/status.cc, HttpStatusForCode) and the {code, message, details}
  body with its google.rpc details.
"""
import base64
import io
import json
import os
import re
import secrets
import signal
import resource
import socket
import subprocess
import tempfile
import time
import unittest
import uuid
import warnings
from urllib.parse import quote

from google.protobuf import descriptor_pb2
from lnob_e2e import dsn, run, wait_for  # noqa: E402

BUILD = os.environ.get("LNOB_BUILD_DIR", "build")
BIN = os.path.join(BUILD, "bin")
LNOBCTL = os.path.join(BIN, "lnobctl")
ADMIN = os.environ.get("LNOB_TEST_ADMIN_URL")
PACKAGES = {"lnob.registry.v1": "registry", "lnob.funding.v1": "funding",
            "lnob.campaigns.v1": "campaigns", "lnob.inspection.v1": "inspection",
            "lnob.awards.v1": "awards", "lnob.reporting.v1": "reporting"}  # API package -> serving binary

# gRPC codes (google.rpc.Code) and the HTTP status the gateway must answer with
# (HttpStatusForCode in common/status/status.cc).
INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS = 3, 4, 5, 6
PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED = 7, 8, 9, 10


def report_inputs(report):
    return {i["indicator"]: i for i in report["inputs"]}
UNIMPLEMENTED, UNAVAILABLE, UNAUTHENTICATED = 12, 14, 16
HTTP_STATUS = {INVALID_ARGUMENT: 400, DEADLINE_EXCEEDED: 504, NOT_FOUND: 404, ALREADY_EXISTS: 409,
               PERMISSION_DENIED: 403, RESOURCE_EXHAUSTED: 429, FAILED_PRECONDITION: 400, ABORTED: 409,
               UNIMPLEMENTED: 501, UNAVAILABLE: 503, UNAUTHENTICATED: 401}
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
SERVICES = ("registry", "funding", "campaigns", "inspection", "awards", "reporting")
HTTP_RULE_FIELD = 72295728  # (google.api.http) on google.protobuf.MethodOptions


def date(y, m, d):
    return {"year": y, "month": m, "day": d}


def q(d, prefix):
    """A date as query parameters: asOf.year=..&asOf.month=..&asOf.day=.."""
    return "&".join(f"{prefix}.{k}={v}" for k, v in d.items())


def indicators(deprived):
    return [{"code": f"D{k:02d}", "deprived": k <= deprived, "evidence": "e2e"} for k in range(1, 13)]


# ---- the REST routes, from the descriptor set ----

def _varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def _fields(buf):
    """(number, wire type, value) of a serialized message; value is bytes for length-delimited."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unexpected wire type {wire}")
        yield number, wire, value


# google.api.HttpRule: get=2 put=3 post=4 delete=5 patch=6 body=7 additional_bindings=11
_VERBS = {2: "GET", 3: "PUT", 4: "POST", 5: "DELETE", 6: "PATCH"}


def _http_rules(rule_bytes):
    rules, body = [], ""
    for number, _, value in _fields(rule_bytes):
        if number in _VERBS:
            rules.append([_VERBS[number], value.decode()])
        elif number == 7:
            body = value.decode()
        elif number == 11:
            rules.extend(_http_rules(value))
    for r in rules:
        if len(r) == 2:
            r.append(body)
    return rules


def _template_regex(template):
    """The request paths a google.api.http path template matches, as a regular expression."""
    depth, at = 0, -1
    for i, ch in enumerate(template):  # the verb follows the last ':' outside braces
        depth += (ch == "{") - (ch == "}")
        if ch == ":" and depth == 0:
            at = i
    template, verb = (template[:at], template[at:]) if at >= 0 else (template, "")
    template = re.sub(r"\{[^}=]*=?([^}]*)\}", lambda m: m.group(1) or "*", template)  # {v=a/*} -> a/*
    segments = ["[^/:]+" if s == "*" else ".+" if s == "**" else re.escape(s) for s in template.split("/")]
    return re.compile("^" + "/".join(segments) + re.escape(verb) + "$")


def load_routes(path):
    """{full method name: [(http method, template, body, regex)]} for the API packages, and the
    services per package."""
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    routes, services = {}, {p: [] for p in PACKAGES}
    for fd in fds.file:
        if fd.package not in PACKAGES:
            continue
        for svc in fd.service:
            services[fd.package].append(f"{fd.package}.{svc.name}")
            for m in svc.method:
                rules = []
                for number, _, value in _fields(m.options.SerializeToString()):
                    if number == HTTP_RULE_FIELD:
                        rules.extend(_http_rules(value))
                if rules:
                    routes[f"{fd.package}.{svc.name}/{m.name}"] = [
                        (verb, tmpl, body, _template_regex(tmpl)) for verb, tmpl, body in rules]
    return routes, services


class GatewayRestE2E(unittest.TestCase):
    called = {}  # full method name -> number of 2xx answers

    @classmethod
    def setUpClass(cls):
        if not ADMIN:
            raise RuntimeError("LNOB_TEST_ADMIN_URL is not set: run through ./lnob test")
        cls.routes, cls.services = load_routes(os.path.join(BUILD, "lnob_api.pb"))
        cls.suffix = secrets.token_hex(4)
        cls.db = f"gwrest_{cls.suffix}"
        cls.procs, cls.ports = {}, {}
        try:
            cls.set_up()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def set_up(cls):
        suffix = cls.suffix
        run("psql", dsn(), "-qc", f"CREATE DATABASE {cls.db}")
        cls.urls = {}
        for svc in SERVICES:
            owner, role = f"lnob_{svc}_owner_{suffix}", f"lnob_{svc}_{suffix}"
            run(LNOBCTL, "bootstrap", f"--admin_url={dsn(dbname=cls.db)}", f"--service={svc}",
                f"--owner_role={owner}", f"--service_role={role}",
                "--owner_password=o-" + suffix, "--service_password=s-" + suffix)
            run(LNOBCTL, "migrate", f"--service={svc}",
                f"--database_url={dsn(dbname=cls.db, user=owner, password='o-' + suffix)}")
            cls.urls[svc] = dsn(dbname=cls.db, user=role, password="s-" + suffix)
        out = run(LNOBCTL, "refdata", "load", f"--database_url={cls.urls['registry']}")
        assert "units +" in out, out
        cls.tmp = tempfile.mkdtemp(prefix="lnob-gwrest-", dir=os.environ.get("LNOB_TEST_TMP"))  # removed by ./lnob test
        run(LNOBCTL, "keys", f"--dir={cls.tmp}")
        run(LNOBCTL, "keys", f"--dir={cls.tmp}/other")  # a pair nobody trusts
        cls.key = f"{cls.tmp}/jwt_private.pem"
        cls.admin_token = cls.mint("PROVINCE_ADMIN", subject="e2e-admin")
        # Approvals come from another person than the submitter (maker-checker).
        cls.checker_token = cls.mint("PROVINCE_ADMIN", subject="e2e-checker")
        cls.appraiser_token = cls.mint("INSPECTION_APPRAISER", subject="e2e-appraiser")
        cls.secret = secrets.token_hex(16)
        cls.start("registry")
        cls.start("funding")
        cls.start("campaigns")
        cls.start("inspection")
        cls.start("awards")
        cls.start("reporting")
        addr = {pkg: f"127.0.0.1:{cls.ports[binary]}" for pkg, binary in PACKAGES.items()}
        # Every service of the two API packages, routed to the binary that serves it.
        cls.backends = ",".join(f"{svc}={addr[pkg]}" for pkg, svcs in cls.services.items() for svc in svcs)
        # The gateway under test, and a strict one (tiny rate limit, short deadline) for 429 and 504.
        cls.rest = cls.start_gateway("gateway", ["--rate_limit_rps=1000", "--rate_limit_burst=1000",
                                                  "--max_body_bytes=65536", "--timeout=10s"])
        cls.strict = cls.start_gateway("strict", ["--rate_limit_rps=0.2", "--rate_limit_burst=3", "--timeout=1s"])

    @classmethod
    def mint(cls, roles, scope=None, subject=None, ttl="30m", key=None):
        args = [LNOBCTL, "token", f"--private_key={key or cls.key}", f"--roles={roles}", f"--ttl={ttl}"]
        if scope:
            args.append(f"--scope={scope}")
        if subject:
            args.append(f"--subject={subject}")
        return run(*args).strip()

    @classmethod
    def start(cls, name):
        """Starts a service; the first time on a free port (0), again on the same port after that."""
        ready = os.path.join(cls.tmp, f"{name}.ready.{secrets.token_hex(2)}")
        env = dict(os.environ, LNOB_DATABASE_URL=cls.urls[name], LNOB_JWT_PUBLIC_KEYS=f"{cls.tmp}/jwt_public.pem",
                   LNOB_PAGE_TOKEN_SECRET=cls.secret, LNOB_GRPC_PORT=str(cls.ports.get(name, 0)),
                   LNOB_METRICS_PORT="0", LNOB_LISTEN_HOST="127.0.0.1", LNOB_METRICS_HOST="127.0.0.1",
                   LNOB_HEALTH_INTERVAL="200ms", LNOB_SHUTDOWN_GRACE="0s")
        if name in ("funding", "campaigns", "inspection", "awards", "reporting"):  # they call the registry with tokens they sign
            env.update(LNOB_REGISTRY_ADDRESS=f"127.0.0.1:{cls.ports['registry']}",
                       LNOB_SERVICE_SIGNING_KEY=cls.key, LNOB_REGISTRY_TIMEOUT="3s")
        if name == "campaigns":  # and funding's programme catalogue
            env.update(LNOB_FUNDING_ADDRESS=f"127.0.0.1:{cls.ports['funding']}")
        if name == "inspection":  # and the owners of the records findings cite
            env.update(LNOB_FUNDING_ADDRESS=f"127.0.0.1:{cls.ports['funding']}",
                       LNOB_CAMPAIGNS_ADDRESS=f"127.0.0.1:{cls.ports['campaigns']}")
        if name == "reporting":  # the owners of the numbers it composes
            env.update(LNOB_REGISTRY_ADDRESS=f"127.0.0.1:{cls.ports['registry']}",
                       LNOB_FUNDING_ADDRESS=f"127.0.0.1:{cls.ports['funding']}",
                       LNOB_CAMPAIGNS_ADDRESS=f"127.0.0.1:{cls.ports['campaigns']}",
                       LNOB_INSPECTION_ADDRESS=f"127.0.0.1:{cls.ports['inspection']}",
                       LNOB_AWARDS_ADDRESS=f"127.0.0.1:{cls.ports['awards']}")
        if name == "awards":  # and the owners of a nomination's evidence
            env.update(LNOB_FUNDING_ADDRESS=f"127.0.0.1:{cls.ports['funding']}",
                       LNOB_CAMPAIGNS_ADDRESS=f"127.0.0.1:{cls.ports['campaigns']}",
                       LNOB_INSPECTION_ADDRESS=f"127.0.0.1:{cls.ports['inspection']}")
        log = open(os.path.join(cls.tmp, f"{name}.log"), "a+")
        proc = subprocess.Popen([os.path.join(BIN, name), f"--ready_file={ready}"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        cls.procs[name] = proc
        cls.wait_ready(name, proc, ready, log)
        with open(ready) as f:
            cls.ports[name] = json.load(f)["grpc_port"]
        return proc

    @staticmethod
    def wait_ready(name, proc, ready, log):
        """Waits for the ready file a process writes once it serves."""
        wait_for(lambda: os.path.exists(ready) or proc.poll() is not None, timeout=20)
        if proc.poll() is not None or not os.path.exists(ready):
            log.seek(0)
            raise RuntimeError(f"{name} did not become ready:\n" + log.read()[-4000:])

    @classmethod
    def start_gateway(cls, name, extra):
        ready = os.path.join(cls.tmp, f"{name}.ready")
        log = open(os.path.join(cls.tmp, f"{name}.log"), "a+")
        proc = subprocess.Popen([os.path.join(BIN, "gateway"), f"--ready_file={ready}", "--http_port=0",
                                 "--grpc_port=0", "--metrics_port=0", "--listen_host=127.0.0.1",
                                 "--metrics_host=127.0.0.1", f"--backends={cls.backends}",
                                 f"--jwt_public_keys={cls.tmp}/jwt_public.pem"] + extra,
                                stdout=log, stderr=subprocess.STDOUT)
        cls.procs[name] = proc
        cls.wait_ready(name, proc, ready, log)
        with open(ready) as f:
            info = json.load(f)
            base = f"http://127.0.0.1:{info['http_port']}"
            cls.gateway_grpc = getattr(cls, "gateway_grpc", None) or f"127.0.0.1:{info['grpc_port']}"
        # Ready means every routed backend reports SERVING.
        if not wait_for(lambda: cls.curl_status("GET", base + "/readyz") == 200, timeout=20):
            raise RuntimeError(f"{name}: /readyz never answered 200")
        return base

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.kill()
                p.wait()
        subprocess.run(["psql", dsn(), "-qc", f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)"], capture_output=True)
        for svc in SERVICES:
            for role in (f"lnob_{svc}_{cls.suffix}", f"lnob_{svc}_owner_{cls.suffix}"):
                subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {role}"], capture_output=True)

    # ---- curl ----

    @staticmethod
    def curl_status(method, url):
        return int(subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, url],
                                  capture_output=True, text=True).stdout or 0)

    @classmethod
    def raw(cls, method, path, body=None, token=None, base=None, headers=()):
        """curl; returns (HTTP status, response headers (lower-case names), parsed JSON body or None)."""
        args = ["curl", "-sS", "-D", "-", "-o", "-", "-X", method, (base or cls.rest) + path, "--max-time", "30",
                "-H", "Expect:"]
        for h in headers:
            args += ["-H", h]
        if token:
            args += ["-H", f"Authorization: Bearer {token}"]
        if body is not None:
            body = body if isinstance(body, str) else json.dumps(body)
            args += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        out = subprocess.run(args, input=None if body is None else body.encode(), capture_output=True,
                             check=True).stdout.decode()
        head, _, payload = out.partition("\r\n\r\n")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            hdrs[name.strip().lower()] = value.strip()
        return status, hdrs, json.loads(payload) if payload else None

    def call(self, method, path, body=None, token=None):
        """A REST call that must answer 200; records which API method it reached."""
        status, _, payload = self.raw(method, path, body, token or self.admin_token)
        self.assertEqual(status, 200, f"{method} {path}: {payload}")
        self.record(method, path)
        return payload

    def record(self, method, path):
        path = path.split("?", 1)[0]
        hits = [name for name, rules in self.routes.items()
                for verb, _, _, rx in rules if verb == method and rx.match(path)]
        self.assertEqual(len(hits), 1, f"{method} {path} matches {hits}")
        GatewayRestE2E.called[hits[0]] = GatewayRestE2E.called.get(hits[0], 0) + 1

    def finished(self, op):
        """A long-running operation (reporting's, the registry's simulations) polled until it ends;
        it must succeed."""
        for _ in range(300):
            if op["state"] != "RUNNING":
                break
            time.sleep(0.1)
            op = self.call("GET", f"/v1/{op['name']}")
        self.assertEqual(op["state"], "SUCCEEDED", op)
        return op

    def error(self, code, method, path, body=None, token="admin", base=None, http=None):
        """A REST call that must fail with `code` and the HTTP status of the table (or `http`).
        The body must be a google.rpc.Status with a message and an ErrorInfo in its details
        (checked in a subTest, so that a missing detail does not hide what follows).
        Returns (body, {detail type: detail}, response headers)."""
        token = self.admin_token if token == "admin" else token
        status, hdrs, payload = self.raw(method, path, body, token, base=base)
        self.assertEqual(status, http or HTTP_STATUS[code], f"{method} {path}: {payload}")
        self.assertIsInstance(payload, dict, f"{method} {path}: error body is not JSON")
        self.assertEqual(payload.get("code"), code, payload)
        details = {d["@type"]: d for d in payload.get("details", [])}
        with self.subTest("error body", method=method, path=path.split("?")[0]):
            self.assertTrue(payload.get("message"), payload)
            self.assertIsInstance(payload.get("details"), list, f"{method} {path}: no details in {payload}")
            self.assertIn(ERROR_INFO, details, f"{method} {path}: no google.rpc.ErrorInfo in {payload}")
            self.assertEqual(details[ERROR_INFO].get("domain"), "lnob.gov.vn", payload)
            self.assertTrue(details[ERROR_INFO].get("reason"), payload)
        return payload, details, hdrs

    def violations(self, details):
        self.assertIn(BAD_REQUEST, details, details)
        return {v["field"]: v.get("description", "") for v in details[BAD_REQUEST]["fieldViolations"]}

    # ---- fixtures through REST ----

    def household(self, commune="25195", ethnicity="39", name="Điểu Thị Lan", **extra):
        head = {"fullName": name, "sex": "FEMALE", "ethnicityCode": ethnicity, "relation": "HEAD",
                "birthDate": date(1985, 3, 4)}
        head.update(extra)
        return self.call("POST", "/v1/households", {"communeCode": commune, "members": [head]})

    def review(self, household, poor, day, kind="ONGOING"):
        return self.call("POST", f"/v1/{household}/reviews", {
            "kind": kind, "reviewDate": day, "incomePerCapitaVnd": "1000000" if poor else "9000000",
            "indicators": indicators(3 if poor else 0)})

    def classify(self, household, poor, decided):
        """An ongoing review held on the 15th before `decided`, submitted, posted and recognised on
        `decided` (the district chair consulted that day while that step existed, until 30 June 2025)."""
        y, m = decided["year"], decided["month"]
        if decided["day"] < 15:
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        r = self.review(household, poor, date(y, m, 15))
        self.call("POST", f"/v1/{r['name']}:submit", {})
        self.call("POST", f"/v1/{r['name']}:post", {"postedOn": decided})
        consulted = {"consultedOn": decided, "consultationDocument": "5/UBND"} if (
            decided["year"], decided["month"]) <= (2025, 6) else {}
        return self.call("POST", f"/v1/{r['name']}:approve", {"decisionNumber": "9/QĐ-UBND", "decisionDate": decided,
                                                              **consulted}, token=self.checker_token)

    # ---- 1. every REST method, each with an assertion on what it returns ----

    def test_1_reference_data(self):
        unit = self.call("GET", "/v1/adminUnits/25198?" + q(date(2023, 1, 1), "asOf"))
        self.assertEqual((unit["displayName"], unit["parentCode"], unit["level"]),
                         ("Phường Tân Đồng", "689", "UNIT_LEVEL_COMMUNE"))
        listed = self.call("GET", "/v1/adminUnits?parentCode=70&" + q(date(2023, 6, 1), "asOf"))
        self.assertEqual(len(listed["adminUnits"]), 11)
        self.assertTrue(all(u["parentCode"] == "70" for u in listed["adminUnits"]))
        page = self.call("GET", "/v1/adminUnits?parentCode=70&pageSize=4&" + q(date(2023, 6, 1), "asOf"))
        self.assertEqual(len(page["adminUnits"]), 4)
        rest = self.call("GET", f"/v1/adminUnits?parentCode=70&pageToken={quote(page['nextPageToken'])}&" +
                         q(date(2023, 6, 1), "asOf"))
        self.assertEqual([u["code"] for u in page["adminUnits"] + rest["adminUnits"]],
                         [u["code"] for u in listed["adminUnits"]])
        trace = self.call("GET", "/v1/adminUnits/25198:trace")
        self.assertEqual([u["code"] for u in trace["units"]], ["25195"])
        self.assertEqual(trace["events"][0]["kind"], "MERGED")
        before = self.call("GET", "/v1/adminUnits/25195:trace?direction=PREDECESSORS")
        self.assertIn("25198", [u["code"] for u in before["units"]])
        inside = self.call("GET", "/v1/adminUnits/25198:checkContainment?ancestor=adminUnits/689&" +
                           q(date(2023, 1, 1), "asOf"))
        self.assertIs(inside.get("contained"), True)
        outside = self.call("GET", "/v1/adminUnits/25198:checkContainment?ancestor=adminUnits/688&" +
                            q(date(2023, 1, 1), "asOf"))
        self.assertNotIn("contained", outside)  # false: the proto3 JSON default is left out
        events = self.call("GET", "/v1/lineageEvents?code=25198")
        self.assertEqual([(e["oldCode"], e["newCode"], e["kind"]) for e in events["events"]],
                         [("25198", "25195", "MERGED")])
        # Area classifications: create, read, list as of a date, end it with the etag.
        created = self.call("POST", "/v1/areaClassifications", {
            "unitCode": "25195", "region": "REGION_III", "validFrom": date(2026, 1, 1),
            "legalDoc": "QĐ e2e/" + self.suffix, "note": "e2e"})
        got = self.call("GET", f"/v1/{created['name']}")
        self.assertEqual((got["unitCode"], got["region"], got["note"]), ("25195", "REGION_III", "e2e"))
        listed = self.call("GET", "/v1/areaClassifications?unitCode=25195&region=REGION_III&" +
                           q(date(2026, 6, 1), "asOf"))
        self.assertEqual([a["name"] for a in listed["areaClassifications"]], [created["name"]])
        ended = self.call("PATCH", f"/v1/{created['name']}?updateMask=validTo,note", {
            "validTo": date(2026, 12, 31), "note": "ended by e2e", "etag": got["etag"]})
        self.assertEqual((ended["validTo"], ended["note"]), (date(2026, 12, 31), "ended by e2e"))
        self.assertNotEqual(ended["etag"], got["etag"])
        later = self.call("GET", "/v1/areaClassifications?unitCode=25195&" + q(date(2027, 6, 1), "asOf"))
        self.assertEqual(later.get("areaClassifications", []), [])
        GatewayRestE2E.area_classification = created["name"]
        changes = self.call("GET", "/v1/referenceDataChanges?dataset=area_classifications")
        self.assertEqual([(c["dataset"], c["action"], c["detail"].split()[0], c["actor"]) for c in changes["changes"]],
                         [("area_classifications", "create", created["name"], "e2e-admin"),
                          ("area_classifications", "update", created["name"], "e2e-admin")])
        self.assertEqual(changes["changes"][0]["legalDoc"], "QĐ e2e/" + self.suffix)
        standards = self.call("GET", "/v1/povertyStandards?" + q(date(2024, 6, 1), "asOf"))
        self.assertEqual([s["id"] for s in standards["povertyStandards"]], ["PS_2022_2025"])
        standard = self.call("GET", "/v1/povertyStandards/PS_2022_2025")
        self.assertEqual(standard["minDeprivationsPoor"], 3)
        self.assertEqual(len(standard["indicators"]), 12)
        self.assertEqual({l["areaType"]: l["incomeLineVnd"] for l in standard["lines"]},
                         {"AREA_TYPE_RURAL": "1500000", "AREA_TYPE_URBAN": "2000000"})
        cls = self.call("POST", "/v1/povertyStandards:classify", {
            "date": date(2025, 9, 1), "unitCode": "25270", "incomePerCapitaVnd": "1500000",
            "deprivedIndicators": ["D01", "D04", "D09"]})
        self.assertEqual((cls["classification"], cls["standardId"], cls["deprivationCount"], cls["areaType"]),
                         ("POOR", "PS_2022_2025", 3, "AREA_TYPE_RURAL"))
        groups = self.call("GET", "/v1/ethnicGroups")
        self.assertEqual(len(groups["ethnicGroups"]), 54)
        self.assertEqual({g["code"]: g["name"] for g in groups["ethnicGroups"]}["01"], "Kinh")

    def test_1b_village_register(self):
        """Villages over REST: create, rename, merge, list as of a date."""
        base = {"communeCode": "25222", "validFrom": date(2021, 1, 1), "legalDoc": "danh sách thôn"}
        a = self.call("POST", "/v1/villages", {**base, "displayName": "Ấp 3"})
        b = self.call("POST", "/v1/villages", {**base, "displayName": "Ấp 4"})
        renamed = self.call("POST", f"/v1/{a['name']}:rename", {"newDisplayName": "Ấp Phú Lộc",
                                                                  "effectiveDate": date(2024, 1, 1), "legalDoc": "NQ 3"})
        self.assertEqual(renamed["predecessors"], [a["name"]])
        merged = self.call("POST", "/v1/villages:merge", {"villages": [renamed["name"], b["name"]],
                                                          "displayName": "Ấp Phú Lộc", "effectiveDate": date(2025, 7, 1),
                                                          "legalDoc": "NQ 9"})
        listed = self.call("GET", "/v1/villages?communeCode=25222&" + q(date(2025, 8, 1), "asOf"))
        self.assertEqual([v["name"] for v in listed["villages"]], [merged["name"]])

    def test_2_households_and_reviews(self):
        h = self.call("POST", "/v1/households", {
            "communeCode": "25195", "village": "Ấp 1", "address": "12 Đường A",
            "members": [{"fullName": "Nguyễn Văn Ánh", "sex": "MALE", "ethnicityCode": "01", "relation": "HEAD",
                         "birthDate": date(1980, 1, 2)}]})
        name = h["name"]
        self.assertRegex(name, r"^households/[0-9a-f-]{36}$")
        got = self.call("GET", f"/v1/{name}")
        self.assertEqual((got["members"][0]["fullName"], got["communeCode"], got["status"], got["areaType"]),
                         ("Nguyễn Văn Ánh", "25195", "HOUSEHOLD_ACTIVE", "AREA_TYPE_URBAN"))
        found = self.call("GET", "/v1/households?nameQuery=nguyen%20van%20anh")  # diacritics ignored
        self.assertEqual([x["name"] for x in found["households"]], [name])
        updated = self.call("PATCH", f"/v1/{name}?updateMask=village,policyBeneficiary",
                            {"village": "Ấp 2", "policyBeneficiary": True, "etag": got["etag"]})
        self.assertEqual((updated["village"], updated["policyBeneficiary"], updated["address"]),
                         ("Ấp 2", True, "12 Đường A"))
        flagged = self.call("GET", "/v1/households?onlyPolicyBeneficiary=true&unitCode=25195")
        self.assertEqual([x["name"] for x in flagged["households"]], [name])
        spouse = self.call("POST", f"/v1/{name}/members", {
            "fullName": "Trần Thị Bích", "sex": "FEMALE", "ethnicityCode": "01", "relation": "SPOUSE",
            "birthDate": date(1982, 5, 6)})
        child = self.call("POST", f"/v1/{name}/members", {
            "fullName": "Nguyễn Văn Cường", "sex": "MALE", "ethnicityCode": "01", "relation": "CHILD",
            "birthDate": date(2001, 5, 6)})
        self.assertEqual([m["fullName"] for m in child["members"]],
                         ["Nguyễn Văn Ánh", "Trần Thị Bích", "Nguyễn Văn Cường"])
        spouse_name = [m["name"] for m in spouse["members"] if m["fullName"] == "Trần Thị Bích"][0]
        child_name = [m["name"] for m in child["members"] if m["fullName"] == "Nguyễn Văn Cường"][0]
        removed = self.call("POST", f"/v1/{spouse_name}:remove", {"reason": "moved out", "leftOn": date(2026, 1, 5)})
        active = {m["fullName"]: m.get("active", False) for m in removed["members"]}
        self.assertEqual(active, {"Nguyễn Văn Ánh": True, "Trần Thị Bích": False, "Nguyễn Văn Cường": True})
        moved = self.call("POST", f"/v1/{name}:move", {"communeCode": "25210", "village": "Ấp 9",
                                                      "address": "1 Đường B", "effectiveDate": date(2026, 2, 1)})
        self.assertEqual((moved["communeCode"], moved["village"]), ("25210", "Ấp 9"))
        split = self.call("POST", f"/v1/{name}:split", {"memberNames": [child_name], "village": "Ấp 3",
                                                       "address": "5 Đường C", "effectiveDate": date(2026, 3, 1)})
        new = split["created"]
        self.assertEqual([m["fullName"] for m in new["members"]], ["Nguyễn Văn Cường"])
        self.assertEqual(new["members"][0]["relation"], "HEAD")
        self.assertNotIn(child_name, [m["name"] for m in split["original"]["members"]])
        merged = self.call("POST", f"/v1/{name}:merge", {"source": new["name"], "effectiveDate": date(2026, 4, 1)})
        self.assertIn("Nguyễn Văn Cường", [m["fullName"] for m in merged["members"] if m.get("active")])
        self.assertEqual(self.call("GET", f"/v1/{new['name']}")["status"], "HOUSEHOLD_MERGED")
        events = self.call("GET", f"/v1/{name}/events")
        self.assertEqual([e["kind"] for e in events["events"]],
                         ["CREATED", "UPDATED", "MEMBER_ADDED", "MEMBER_ADDED", "MEMBER_REMOVED", "MOVED", "SPLIT_TO",
                          "MERGED_FROM"])
        # Statistics before the household is classified, to count it after.
        stats_before = self.call("GET", "/v1/statistics?year=2025&unitCode=25210")
        self.assertEqual(stats_before.get("rows", []), [])
        # Reviews (brief §2.3): DRAFT -> SUBMITTED -> POSTED -> APPROVED, and SUBMITTED -> REJECTED.
        r = self.review(name, True, date(2025, 2, 17))
        self.assertEqual((r["state"], r["computedClass"], r["deprivationCount"], r["standardId"]),
                         ("DRAFT", "POOR", 3, "PS_2022_2025"))
        self.assertEqual(self.call("GET", f"/v1/{r['name']}")["state"], "DRAFT")
        self.assertEqual(self.call("POST", f"/v1/{r['name']}:submit", {})["state"], "SUBMITTED")
        posted = self.call("POST", f"/v1/{r['name']}:post", {"postedOn": date(2025, 3, 10)})
        self.assertEqual((posted["state"], posted["postedOn"]), ("POSTED", date(2025, 3, 10)))
        # Until 30 June 2025 the district chair is consulted before recognition (400 naming the field).
        recognise = {"decisionNumber": "1/QĐ-UBND", "decisionDate": date(2025, 3, 20)}
        _, d, _ = self.error(INVALID_ARGUMENT, "POST", f"/v1/{r['name']}:approve", recognise, token=self.checker_token)
        self.assertEqual(d[BAD_REQUEST]["fieldViolations"][0]["field"], "consulted_on")
        recognise.update(consultedOn=date(2025, 3, 18), consultationDocument="31/UBND-LĐTBXH")
        # Maker-checker: the submitter cannot approve (403 SELF_APPROVAL); someone else can.
        _, d, _ = self.error(PERMISSION_DENIED, "POST", f"/v1/{r['name']}:approve", recognise)
        self.assertEqual(d.get(ERROR_INFO, {}).get("reason"), "SELF_APPROVAL")
        approved = self.call("POST", f"/v1/{r['name']}:approve", recognise, token=self.checker_token)
        self.assertEqual((approved["state"], approved["decisionNumber"], approved["postedOn"], approved["consultedOn"]),
                         ("APPROVED", "1/QĐ-UBND", date(2025, 3, 10), date(2025, 3, 18)))
        r2 = self.review(name, False, date(2025, 5, 16))
        self.call("POST", f"/v1/{r2['name']}:submit", {})
        rejected = self.call("POST", f"/v1/{r2['name']}:reject", {"reason": "income not verified"})
        self.assertEqual((rejected["state"], rejected["rejectionReason"]), ("REJECTED", "income not verified"))
        reviews = self.call("GET", f"/v1/{name}/reviews")
        self.assertEqual({x["name"]: x["state"] for x in reviews["reviews"]},
                         {r["name"]: "APPROVED", r2["name"]: "REJECTED"})
        # Classification as of a date: nothing the day before the decision, POOR from it.
        then = self.call("GET", f"/v1/{name}:classification?" + q(date(2025, 3, 19), "asOf"))
        self.assertNotIn("classification", then)
        now = self.call("GET", f"/v1/{name}:classification?" + q(date(2025, 3, 20), "asOf"))
        self.assertEqual((now["classification"], now["review"], now["decisionNumber"]),
                         ("POOR", r["name"], "1/QĐ-UBND"))
        self.assertEqual(self.call("GET", f"/v1/{name}")["classification"], "POOR")
        stats = self.call("GET", "/v1/statistics?year=2025&unitCode=25210")
        self.assertEqual([(x["classification"], x["ethnicGroup"], x["households"], x["people"]) for x in stats["rows"]],
                         [("POOR", "KINH", "1", "2")])  # the head and the child who came back
        # Its first recorded classification: a baseline, not a flow (not NEW_POOR).
        self.assertEqual(stats["transitions"], [{"category": "BASELINE_POOR", "households": "1"}])
        transitions = self.call("GET", "/v1/transitions?year=2025&unitCode=25210&category=BASELINE_POOR")
        self.assertEqual(transitions["households"], [name])
        facts = self.call("POST", "/v1/households:batchGetFacts", {"queries": [
            {"household": name, "date": date(2025, 6, 1)}, {"household": name, "date": date(2025, 1, 1)},
            {"household": f"households/{uuid.uuid4()}"}]})["facts"]
        self.assertEqual((facts[0]["found"], facts[0]["classification"], facts[0]["transition"],
                          facts[0]["communeCode"]), (True, "POOR", "BASELINE_POOR", "25210"))
        self.assertNotIn("classification", facts[1])
        self.assertNotIn("found", facts[2])
        # Movement targets: an area target on the commune classified region III above.
        target_id = f"E2E_AREA_{self.suffix.upper()}"
        target = self.call("POST", "/v1/targets", {"id": target_id, "kind": "AREA_LEAVES_DIFFICULT_STATUS",
                                                   "yearFrom": 2026, "yearTo": 2027, "unitCodes": ["25195"],
                                                   "legalDoc": "KH e2e", "description": "e2e"})
        self.assertEqual(target["name"], f"targets/{target_id}")
        targets = self.call("GET", "/v1/targets")
        self.assertEqual(sorted(t["id"] for t in targets["targets"]), sorted(["EM_POOR_ESCAPE_1000", target_id]))
        progress = self.call("GET", f"/v1/targets/{target_id}:progress?year=2026")
        self.assertEqual(progress["target"]["id"], target_id)
        self.assertEqual([y["year"] for y in progress["years"]], [2026])
        self.assertEqual(progress["unitsStillDifficult"], ["25195"])  # region III until 31 Dec 2026

    def test_2b_review_procedure_from_request_to_recognised_list(self):
        """Brief §2.2-2.5 over REST: a Form 01 request, a commune's periodic round from its due list
        through the village meeting and posting to the recognised list, and a refused request."""
        # Kinh households of a commune no other test uses, so the province-wide figures other tests
        # assert (escapes, the EM cohort) are not moved.
        poor = self.household(commune="25217", ethnicity="01")["name"]
        self.classify(poor, True, date(2024, 3, 1))
        asks = self.household(commune="25217", ethnicity="01")["name"]
        app = self.call("POST", f"/v1/{asks}/applications", {
            "purpose": "ADD_TO_LIST", "filedOn": date(2025, 8, 20), "reason": "Mất mùa, xin được rà soát"})
        self.assertEqual((app["state"], app["deadline"]), ("APPLICATION_OPEN", date(2025, 8, 29)))
        overdue = self.call("GET", "/v1/applications?unitCode=25217&" + q(date(2025, 9, 1), "overdueOn"))
        self.assertIn(app["name"], [a["name"] for a in overdue["applications"]])
        rnd = self.call("POST", "/v1/reviewRounds", {"communeCode": "25217", "openedOn": date(2025, 9, 10)})
        self.assertEqual((rnd["listYear"], rnd["state"]), (2026, "ROUND_OPEN"))
        due = {d["household"]: d["reason"] for d in self.call("GET", f"/v1/{rnd['name']}/households")["households"]}
        self.assertEqual((due.get(poor), due.get(asks)), ("ON_POOR_LIST", "APPLIED"))
        for name, poor_now, extra in ((poor, True, {}), (asks, True, {"application": app["name"]})):
            r = self.call("POST", f"/v1/{name}/reviews", {
                "kind": "PERIODIC", "reviewDate": date(2025, 10, 15), "round": rnd["name"],
                "incomePerCapitaVnd": "1000000" if poor_now else "9000000", "indicators": indicators(3 if poor_now else 0),
                **extra})
            self.call("POST", f"/v1/{r['name']}:submit", {})
        # Households of the commune reviewed elsewhere in this run are due too: review them alike.
        for d, reason in due.items():
            if d not in (poor, asks):
                r = self.call("POST", f"/v1/{d}/reviews", {"kind": "PERIODIC", "reviewDate": date(2025, 10, 15),
                                                           "round": rnd["name"], "incomePerCapitaVnd": "9000000",
                                                           "indicators": indicators(0)})
                self.call("POST", f"/v1/{r['name']}:submit", {})
        held = self.call("POST", f"/v1/{rnd['name']}:holdMeeting", {"heldOn": date(2025, 11, 20), "attendees": 40,
                                                                    "note": "Thống nhất"})
        self.assertEqual(held["state"], "ROUND_MEETING_HELD")
        posted = self.call("POST", f"/v1/{rnd['name']}:post", {"postedOn": date(2025, 11, 25)})
        self.assertEqual(posted["state"], "ROUND_POSTED")
        recognised = self.call("POST", f"/v1/{rnd['name']}:recognize",
                               {"decisionNumber": "301/QĐ-UBND", "decisionDate": date(2025, 12, 1)},
                               token=self.checker_token)
        entries = {e["household"]: e for e in recognised["entries"]}
        self.assertEqual((entries[poor]["category"], entries[asks]["classification"]), ("POOR_REMAINING", "POOR"))
        self.assertEqual(self.call("GET", f"/v1/{rnd['name']}")["state"], "ROUND_RECOGNISED")
        frozen = self.call("GET", f"/v1/{rnd['name']}/recognisedList?version=1")
        self.assertEqual((frozen["version"], frozen["decisionNumber"]), (1, "301/QĐ-UBND"))
        contest = self.call("POST", f"/v1/{poor}/applications", {
            "purpose": "REEXAMINE", "filedOn": date(2025, 12, 10), "reason": "Không đồng ý kết quả"})
        refused = self.call("POST", f"/v1/{contest['name']}:refuse", {"reason": "Đã xác minh thu nhập"},
                            token=self.checker_token)
        self.assertEqual(refused["state"], "APPLICATION_REFUSED")

    def test_3_catalogue_allocations_and_plans(self):
        projects = self.call("GET", "/v1/programmeNodes?parentCode=NTP_EM&" + q(date(2024, 1, 1), "asOf"))
        self.assertEqual(len(projects["nodes"]), 10)
        self.assertIn("NTP_EM.P2", [n["code"] for n in projects["nodes"]])
        code = f"NTP_E2E_{self.suffix.upper()}"
        node = self.call("POST", "/v1/programmeNodes", {"code": code, "kind": "PROGRAMME", "displayName": "E2E",
                                                        "legalDoc": "TB e2e", "validFrom": date(2026, 1, 1)})
        self.assertEqual((node["name"], node["programmeCode"]), (f"programmeNodes/{code}", code))
        moved = self.call("POST", "/v1/programmeNodes/NTP_EM.P2:reparent", {
            "newParentCode": code, "effectiveDate": date(2026, 1, 1), "legalDoc": "TB e2e"})
        self.assertEqual(moved["parentCode"], code)
        before = self.call("GET", "/v1/programmeNodes/NTP_EM.P2?" + q(date(2025, 6, 1), "asOf"))
        after = self.call("GET", "/v1/programmeNodes/NTP_EM.P2?" + q(date(2026, 2, 1), "asOf"))
        self.assertEqual((before["parentCode"], before["programmeCode"]), ("NTP_EM", "NTP_EM"))
        self.assertEqual((after["parentCode"], after["programmeCode"]), (code, code))
        under = self.call("GET", f"/v1/programmeNodes?parentCode={code}&" + q(date(2026, 2, 1), "asOf"))
        self.assertEqual([n["code"] for n in under["nodes"]], ["NTP_EM.P2"])
        sources = {s["code"]: s for s in self.call("GET", "/v1/fundingSources")["sources"]}
        self.assertIs(sources["CENTRAL_INVESTMENT"].get("central"), True)
        self.assertIs(sources["LOCAL_COUNTERPART"].get("localCounterpart"), True)
        # Allocation, a disbursement against it, a revision with the etag read.
        key = {"year": 2024, "nodeCode": "NTP_EM.P1", "source": "CENTRAL_INVESTMENT", "unitCode": "689"}
        alloc = self.call("POST", "/v1/allocations", {"allocation": dict(key, amountVnd="1000000")})
        self.assertEqual((alloc["revision"], alloc["amountVnd"]), (1, "1000000"))
        paid = self.call("POST", "/v1/disbursements", {"disbursement": dict(key, date=date(2024, 9, 1),
                                                                            amountVnd="300000", note="e2e")})
        self.assertEqual((paid["amountVnd"], paid["date"]), ("300000", date(2024, 9, 1)))
        self.assertEqual(self.call("GET", f"/v1/{alloc['name']}")["amountVnd"], "1000000")
        listed = self.call("GET", "/v1/allocations?year=2024&unitCode=689")
        self.assertEqual([(a["name"], a["disbursedVnd"]) for a in listed["allocations"]], [(alloc["name"], "300000")])
        payments = self.call("GET", "/v1/disbursements?year=2024&unitCode=689&source=CENTRAL_INVESTMENT")
        self.assertEqual([d["name"] for d in payments["disbursements"]], [paid["name"]])
        revised = self.call("POST", "/v1/allocations", {"allocation": dict(key, amountVnd="1200000"),
                                                        "reason": "supplement", "etag": alloc["etag"]})
        self.assertEqual((revised["name"], revised["revision"], revised["disbursedVnd"]), (alloc["name"], 2, "300000"))
        revisions = self.call("GET", f"/v1/{alloc['name']}/revisions")
        self.assertEqual([(r["revision"], r["amountVnd"]) for r in revisions["revisions"]],
                         [(1, "1000000"), (2, "1200000")])
        self.assertEqual(revisions["revisions"][1]["reason"], "supplement")
        GatewayRestE2E.allocation = (alloc["name"], alloc["etag"], key)
        # A district plan: the counterpart ratio, returned, resubmitted, reviewed, approved.
        plan = self.call("POST", "/v1/plans", {"year": 2024, "unitCode": "688", "lines": [
            {"nodeCode": "NTP_EM.P1", "source": "CENTRAL_INVESTMENT", "amountVnd": "1000000", "households": "10"},
            {"nodeCode": "NTP_EM.P1", "source": "LOCAL_COUNTERPART", "amountVnd": "50000"}]})
        self.assertEqual((plan["state"], plan["totalVnd"]), ("DRAFT", "1050000"))
        self.assertEqual(self.call("GET", f"/v1/{plan['name']}")["state"], "DRAFT")
        _, details, _ = self.error(FAILED_PRECONDITION, "POST", f"/v1/{plan['name']}:submit", {})
        self.assertEqual(details[ERROR_INFO]["reason"], "COUNTERPART_RATIO")
        plan = self.call("POST", f"/v1/{plan['name']}:updateLines", {"etag": plan["etag"], "lines": [
            {"nodeCode": "NTP_EM.P1", "source": "CENTRAL_INVESTMENT", "amountVnd": "1000000", "households": "10"},
            {"nodeCode": "NTP_EM.P1", "source": "LOCAL_COUNTERPART", "amountVnd": "100000"}]})
        self.assertEqual(plan["totalVnd"], "1100000")
        self.assertAlmostEqual(plan["lines"][1]["share"], 100000 / 1100000)
        self.assertEqual(self.call("POST", f"/v1/{plan['name']}:submit", {})["state"], "SUBMITTED")
        returned = self.call("POST", f"/v1/{plan['name']}:return", {"comments": "name the households"})
        self.assertEqual((returned["state"], returned["comments"]), ("RETURNED", "name the households"))
        self.assertEqual(self.call("POST", f"/v1/{plan['name']}:submit", {})["state"], "SUBMITTED")
        self.assertEqual(self.call("POST", f"/v1/{plan['name']}:review", {})["state"], "UNDER_REVIEW")
        self.assertEqual(self.call("POST", f"/v1/{plan['name']}:approve", {}, token=self.checker_token)["state"],
                         "APPROVED")
        plans = self.call("GET", "/v1/plans?year=2024&state=APPROVED")
        self.assertEqual([(p["name"], p["state"]) for p in plans["plans"]], [(plan["name"], "APPROVED")])
        consolidated = self.call("GET", "/v1/plans:consolidate?year=2024")
        self.assertEqual((consolidated["approvedPlans"], consolidated["totalVnd"]), (1, "1100000"))
        self.assertEqual({(l["source"], l["amountVnd"]) for l in consolidated["lines"]},
                         {("CENTRAL_INVESTMENT", "1000000"), ("LOCAL_COUNTERPART", "100000")})
        report = self.call("GET", "/v1/reports/disbursement?year=2024&groupBy=BY_SOURCE&groupBy=BY_UNIT")
        rows = {(r.get("source"), r.get("unitCode")): r for r in report["rows"]}
        row = rows[("CENTRAL_INVESTMENT", "689")]
        self.assertEqual((row["allocatedVnd"], row["disbursedVnd"]), ("1200000", "300000"))
        self.assertAlmostEqual(row["disbursementRate"], 0.25)
        self.assertEqual(rows[("CENTRAL_INVESTMENT", "688")]["plannedVnd"], "1000000")

    def test_4_support_ledger_and_reports(self):
        h = self.household(ethnicity="39")["name"]
        self.classify(h, True, date(2024, 3, 1))
        shares = [{"nodeCode": "PROG_BP_1000_EM_HH.HOUSING", "source": "PROVINCIAL_SPECIAL", "amountVnd": "30000000"},
                  {"nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "amountVnd": "10000000"}]
        line = self.call("POST", "/v1/supportLines", {  # the body is the line (body: "line")
            "household": h, "content": "HOUSING", "date": date(2025, 4, 1), "quantity": 1, "unitOfMeasure": "house",
            "amountVnd": "40000000", "shares": shares})
        self.assertEqual((line["state"], line["year"], line["classification"], line["communeCode"],
                          line.get("ethnicMinority")), ("PLANNED", 2025, "POOR", "25195", True))
        self.assertEqual(sorted((s["source"], s["amountVnd"]) for s in line["shares"]),
                         [("CENTRAL_RECURRENT", "10000000"), ("PROVINCIAL_SPECIAL", "30000000")])
        other = self.call("POST", "/v1/supportLines", {
            "household": h, "content": "TOILET", "date": date(2025, 5, 1), "amountVnd": "5000000", "shares": [
                {"nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "amountVnd": "5000000"}]})
        got = self.call("GET", f"/v1/{line['name']}")
        self.assertEqual((got["household"], got["amountVnd"], len(got["shares"])), (h, "40000000", 2))
        listed = self.call("GET", f"/v1/supportLines?household={h}&year=2025")
        self.assertEqual(sorted(l["name"] for l in listed["lines"]), sorted([line["name"], other["name"]]))
        # Several lines in one call, one result per name in order; a missing one is not found.
        missing = f"supportLines/{uuid.uuid4()}"
        batch = self.call("POST", "/v1/supportLines:batchGet", {"names": [other["name"], missing, line["name"]]})
        self.assertEqual([(r["name"], r.get("found", False)) for r in batch["results"]],
                         [(other["name"], True), (missing, False), (line["name"], True)])
        self.assertEqual(batch["results"][2]["line"]["amountVnd"], "40000000")
        # The household leaves poverty: the registry's change feed flags the planned housing line.
        self.classify(h, False, date(2025, 10, 1))
        self.assertTrue(wait_for(lambda: self.call("GET", f"/v1/{line['name']}").get("reviewFlag"), timeout=20),
                        "the review flag was not raised")
        flagged = self.call("GET", "/v1/supportLines?reviewFlagOnly=true&year=2025")
        self.assertIn(line["name"], [l["name"] for l in flagged["lines"]])
        cleared = self.call("POST", f"/v1/{line['name']}:clearReviewFlag", {"reason": "checked: built before"})
        self.assertNotIn("reviewFlag", cleared)
        delivered = self.call("POST", f"/v1/{line['name']}:deliver", {})
        self.assertEqual(delivered["state"], "DELIVERED")
        cancelled = self.call("POST", f"/v1/{other['name']}:cancel", {"reason": "duplicate request"})
        self.assertEqual(cancelled["state"], "CANCELLED")
        support = self.call("GET", f"/v1/reports/householdSupport?household={h}")
        self.assertEqual(support["totalVnd"], "40000000")
        self.assertEqual({s["source"]: s["amountVnd"] for s in support["bySource"]},
                         {"PROVINCIAL_SPECIAL": "30000000", "CENTRAL_RECURRENT": "10000000"})
        escaped = self.call("GET", "/v1/transitions?year=2025&category=ESCAPED_POOR")
        self.assertEqual(escaped["households"], [h])
        # The one definition of "escaped" (registry group ESCAPED) lists it too, as funding reads it.
        group = self.call("GET", "/v1/transitions?year=2025&group=ESCAPED")
        self.assertIn(h, group["households"])
        cost = self.call("GET", "/v1/reports/costPerEscapedHousehold?year=2025")
        self.assertEqual((cost["escapedHouseholds"], cost["supportedEscapedHouseholds"], cost["supportToEscapedVnd"],
                          cost["costPerEscapedHouseholdVnd"]), ("1", "1", "40000000", "40000000"))
        progress = self.call("GET", "/v1/reports/programmeProgress?year=2025")
        self.assertEqual((progress["programmeCode"], progress["cohortHouseholds"], progress["escapedByYearEnd"],
                          progress["targetHouseholds"]), ("PROG_BP_1000_EM_HH", "1", "1", "1000"))
        self.assertEqual(progress["supportVnd"], "30000000")  # the programme's own share


    # ---- 2. the gRPC code -> HTTP status table, through REST ----

    def test_4c_campaigns_and_activities(self):
        """Campaigns over REST: reference data, a campaign, an activity with its reach."""
        langs = self.call("GET", "/v1/languages")
        self.assertIn("STIENG", [l["code"] for l in langs["languages"]])
        types = self.call("GET", "/v1/activityTypes")
        self.assertEqual(len(types["activityTypes"]), 10)
        campaign = self.call("POST", "/v1/campaigns", {
            "title": "Tuyên truyền 1719", "topics": ["NTP_1719"], "startDate": date(2025, 3, 1),
            "endDate": date(2025, 11, 30), "ownerUnit": "70", "programmeNode": "NTP_EM.P10",
            "plannedBudget": [{"source": "CENTRAL_RECURRENT", "nodeCode": "NTP_EM.P10", "amountVnd": "50000000"}]})
        self.assertEqual(campaign["status"], "PLANNED")
        self.assertEqual(self.call("GET", f"/v1/{campaign['name']}")["title"], "Tuyên truyền 1719")
        self.assertIn(campaign["name"], [c["name"] for c in self.call("GET", "/v1/campaigns")["campaigns"]])
        started = self.call("POST", f"/v1/{campaign['name']}:setStatus", {"status": "ACTIVE", "etag": campaign["etag"]})
        self.assertEqual(started["status"], "ACTIVE")
        activity = {"campaign": campaign["name"], "activityType": "LOUDSPEAKER_RADIO", "startDate": date(2025, 4, 2),
                    "communeCode": "25216", "sessions": 2, "participantsTotal": "60",
                    "byLanguage": [{"code": "STIENG", "participants": "40"}, {"code": "VI", "participants": "20"}]}
        made = self.call("POST", "/v1/activities", activity)
        self.assertEqual(self.call("GET", f"/v1/{made['name']}")["byLanguage"][0]["code"], "STIENG")
        listed = self.call("GET", f"/v1/activities?campaign={campaign['name']}")
        self.assertEqual([a["name"] for a in listed["activities"]], [made["name"]])
        batch = self.call("POST", "/v1/activities:batchGet", {"names": [made["name"], "activities/" + str(uuid.uuid4())]})
        self.assertEqual([r.get("found", False) for r in batch["results"]], [True, False])
        self.assertEqual(batch["results"][0]["activity"]["participantsTotal"], "60")
        # The village is checked against the registry's register (villages of test_1b), over the
        # registry's API with campaigns' own token: matched without diacritics, linked.
        placed = self.call("POST", "/v1/activities", {**activity, "communeCode": "25222", "village": "ap phu loc"})
        self.assertEqual(placed["village"], "Ấp Phú Lộc")
        self.assertTrue(placed["villageRef"].startswith("villages/"), placed)
        body, _, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/activities",
                                {**activity, "communeCode": "25222", "village": "Ấp Ma"})
        self.assertIn("activity.village", json.dumps(body, ensure_ascii=False))
        # Reach in the quarter by language: attendances, and says so.
        reach = self.call("GET", "/v1/reach?period.type=QUARTER&period.year=2025&period.index=2&groupBy=BY_LANGUAGE")
        self.assertEqual(reach["counting"], "ATTENDANCES")
        self.assertEqual(int(reach["attendances"]), 120)
        self.assertEqual({r.get("code", ""): int(r["attendances"]) for r in reach["rows"]}, {"STIENG": 80, "VI": 40})
        # Coverage of commune 25222 in the quarter: the register's villages (test_1b) without activity.
        cov = self.call("GET", "/v1/coverage?period.type=QUARTER&period.year=2025&period.index=2&unitCode=25222")
        self.assertEqual(int(cov["communes"]), 1)
        self.assertNotIn("communesWithoutActivity", cov)
        self.assertEqual([v["displayName"] for v in cov["villagesWithoutActivity"]], ["Ấp 4"])
        # A breakdown above its total is refused, naming the field.
        body, details, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/activities",
                                      {**activity, "participantsTotal": "50"})
        self.assertIn("activity.by_language", json.dumps(body))

    def test_4d_prestigious_persons(self):
        """Prestigious persons over REST: data, register, status history, support events, coverage."""
        groups = self.call("GET", "/v1/personSourceGroups")
        self.assertIn("VILLAGE_ELDER", [g["code"] for g in groups["sourceGroups"]])
        auth = self.call("GET", "/v1/recognitionAuthorities")["authorities"]
        self.assertEqual([a["code"] for a in auth if "validTo" in a], ["DISTRICT_PC_CHAIR"])
        elder = {"fullName": "Điểu Lộc", "birthYear": 1956, "sex": "MALE", "ethnicGroup": "22",
                 "communeCode": "25216", "sourceGroup": "VILLAGE_ELDER",
                 "recognition": {"number": "215/QĐ-UBND", "date": date(2024, 3, 1), "authority": "DISTRICT_PC_CHAIR"}}
        person = self.call("POST", "/v1/persons", elder)
        self.assertEqual(person["status"], "ACTIVE")
        self.assertEqual(self.call("GET", f"/v1/{person['name']}")["fullName"], "Điểu Lộc")
        self.assertIn(person["name"], [p["name"] for p in self.call("GET", "/v1/persons?communeCode=25216")["persons"]])
        # The district chair no longer recognises anyone after 30 June 2025: the field is named.
        body, _, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/persons", {
            **elder, "recognition": {**elder["recognition"], "date": date(2025, 8, 1)}})
        self.assertIn("person.recognition.authority", json.dumps(body))
        amount = self.call("POST", "/v1/supportEventTypes/TET_GIFT:setAmount", {
            "amountVnd": "700000", "validFrom": date(2025, 1, 1), "basis": "KH 5/KH-UBND",
            "requestId": str(uuid.uuid4())})
        self.assertEqual(amount["standardAmountVnd"], "700000")
        types = self.call("GET", "/v1/supportEventTypes")["types"]
        self.assertEqual({t["code"]: t.get("standardAmountVnd", "0") for t in types}["TET_GIFT"], "700000")
        gift = self.call("POST", "/v1/supportEvents", {"person": person["name"], "eventType": "TET_GIFT",
                                                       "eventDate": date(2025, 1, 25), "source": "LOCAL_ADDITIONAL"})
        self.assertEqual(gift["amountVnd"], "700000")
        events = self.call("GET", f"/v1/supportEvents?person={person['name']}&year=2025")["supportEvents"]
        self.assertEqual([e["name"] for e in events], [gift["name"]])
        self.assertEqual(self.call("GET", f"/v1/{gift['name']}")["amountVnd"], "700000")
        cov = self.call("GET", "/v1/personCoverage?year=2025")
        self.assertIn(person["name"], cov["notReached"])
        changed = self.call("POST", f"/v1/{person['name']}:setStatus", {
            "status": "DECEASED", "effectiveDate": date(2026, 1, 5), "reason": "died", "etag": person["etag"]})
        self.assertEqual([h["status"] for h in changed["history"]], ["ACTIVE", "DECEASED"])

    def test_4e_campaigns_csv_import_resent_through_the_gateway(self):
        """lnobctl streams an activity CSV through the gateway's gRPC port; sent again, it adds
        nothing; curl then asks which villages of the commune heard nothing."""
        path = os.path.join(self.tmp, "activities.csv")
        header = ("campaign,activity_type,topics,start_date,end_date,commune_code,village,former_commune_code,sessions,"
                  "participants_total,participants_ethnic_minority,participants_women,participants_prestigious,"
                  "by_ethnic_group,by_language,by_ethnic_group_language,spent,outcome")
        with open(path, "w", encoding="utf-8") as f:
            f.write(header + "\n")
            f.write(",VILLAGE_MEETING,POVERTY,2025-10-02,,25222,ấp phú lộc,,1,40,30,20,2,,,"
                    "22:STIENG:25;22:VI:5;01:VI:10,,họp ấp\n")
            f.write(",LEAFLET_HANDBOOK,LEGAL,2025-10-05,,25222,,,1,15,0,5,0,,,,,\n")
            f.write(",VILLAGE_MEETING,POVERTY,2025-10-06,,25222,Ấp Ma,,1,10,0,5,0,,,,,\n")  # not in the register
        token = self.mint("PROVINCE_OFFICER", subject="e2e-importer")
        args = [LNOBCTL, "import", "activities", path, f"--target={self.gateway_grpc}", f"--token={token}",
                "--progress=plain"]
        first = subprocess.run(args, capture_output=True, text=True)
        self.assertEqual(first.returncode, 3, first.stdout + first.stderr)  # one row refused
        self.assertIn("3 activities received, 2 committed", first.stdout)
        self.assertIn("line 4: activity.village", first.stdout)
        again = subprocess.run(args, capture_output=True, text=True)
        self.assertIn("0 committed, 2 already committed earlier", again.stdout, again.stdout + again.stderr)
        # Q4 2025 in 25222 reached Ấp Phú Lộc only: its X'tiêng in X'tiêng and Vietnamese, the Kinh in
        # Vietnamese, and a leaflet run nobody broke down.
        cov = self.call("GET", "/v1/coverage?period.type=QUARTER&period.year=2025&period.index=4&unitCode=25222",
                        token=token)
        # Since 1 July 2025 Ấp 4 is part of Ấp Phú Lộc (test_1b): one village, reached.
        self.assertEqual(int(cov["villages"]), 1)
        self.assertNotIn("villagesWithoutActivity", cov)
        reach = self.call("GET", "/v1/reach?period.type=QUARTER&period.year=2025&period.index=4&unitCode=25222"
                                 "&groupBy=BY_ETHNIC_GROUP&groupBy=BY_LANGUAGE", token=token)
        rows = {(r.get("code", ""), r.get("language", "")): int(r["attendances"]) for r in reach["rows"]}
        self.assertEqual(rows, {("22", "STIENG"): 25, ("22", "VI"): 5, ("01", "VI"): 10, ("", ""): 15})
        # As a rate of the registry's population (asked with campaigns' own token).
        rate = self.call("GET", "/v1/reach?period.type=QUARTER&period.year=2025&period.index=4&withPopulation=true",
                         token=token)
        self.assertEqual(rate["populationBasis"], "REGISTERED_PEOPLE")
        stats = self.call("GET", "/v1/campaignStatistics?period.type=QUARTER&period.year=2025&period.index=4&unitCode=25222",
                          token=token)
        self.assertEqual((int(stats["activities"]), int(stats["attendances"]), stats["counting"]),
                         (2, 55, "ATTENDANCES"))
        spending = self.call("GET", "/v1/spending?period.type=YEAR&period.year=2025", token=token)
        self.assertGreaterEqual(int(spending["total"]["plannedVnd"]), 50000000)  # test_4c's campaign

    def test_4f_inspection_of_a_support_line(self):
        h = self.household(ethnicity="39")["name"]
        self.classify(h, True, date(2024, 3, 1))
        line = self.call("POST", "/v1/supportLines", {
            "household": h, "content": "TOILET", "date": date(2025, 3, 1), "amountVnd": "5000000",
            "shares": [{"nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "amountVnd": "5000000"}]})
        agencies = self.call("GET", "/v1/inspectionAgencies")["agencies"]
        self.assertIn("DEPARTMENT", [a["code"] for a in agencies])
        rules = self.call("GET", "/v1/inspectionRules")["rules"]
        self.assertIn(("SIGNING_DAYS", 15), [(r["code"], r.get("value", 0)) for r in rules])
        plan = self.call("POST", "/v1/inspectionPlans", {
            "agencyCode": "DEPARTMENT", "year": 2025, "number": "KH 3/KH-BDT", "issuedDate": date(2024, 12, 20),
            "items": [{"kind": "CHECK", "subjects": [{"unitCode": "25216"}], "scope": "Người có uy tín",
                       "periodFrom": date(2024, 1, 1), "periodTo": date(2024, 12, 31),
                       "plannedStart": date(2025, 4, 1), "plannedEnd": date(2025, 4, 30)}]})
        self.assertEqual(self.call("GET", f"/v1/{plan['name']}")["items"][0]["number"], 1)
        self.assertIn(plan["name"], [p["name"] for p in self.call("GET", "/v1/inspectionPlans?year=2025")["plans"]])
        ins = self.call("POST", "/v1/inspections", {
            "kind": "CHECK", "agencyCode": "DEPARTMENT", "decisionNumber": "7/QĐ-BDT", "decisionDate": date(2025, 3, 10),
            "origin": "AD_HOC", "decider": "e2e-checker", "leader": "e2e-admin", "durationDays": 15,
            "subjects": [{"unitCode": "25195"}], "scope": "Hỗ trợ nhà vệ sinh",
            "periodFrom": date(2025, 1, 1), "periodTo": date(2025, 3, 1)})
        self.assertEqual(self.call("GET", f"/v1/{ins['name']}")["state"], "DECIDED")
        self.assertIn(ins["name"], [i["name"] for i in self.call("GET", "/v1/inspections?year=2025")["inspections"]])

        def advance(to, day, token=None, **more):
            nonlocal ins
            ins = self.call("POST", f"/v1/{ins['name']}:advance", {"etag": ins["etag"], "to": to, "date": day, **more},
                            token=token)
        advance("ANNOUNCED", date(2025, 3, 12))
        finding = self.call("POST", "/v1/findings", {
            "inspection": ins["name"], "category": "WRONG_AMOUNT", "severity": "SERIOUS", "description": "Chi vượt định mức",
            "date": date(2025, 3, 14), "hold": True, "references": [{"kind": "SUPPORT_LINE", "resource": line["name"]}]})
        self.assertEqual(finding["toRecoverVnd"], "5000000")
        self.assertEqual(self.call("GET", f"/v1/{finding['name']}")["references"][0]["communeCode"], "25195")
        listed = self.call("GET", f"/v1/findings?resource={line['name']}")["findings"]
        self.assertEqual([f["name"] for f in listed], [finding["name"]])
        lifted = self.call("POST", f"/v1/{finding['name']}:liftHold", {"etag": finding["etag"], "reason": "đã xác minh"})
        self.assertNotIn("holdActive", lifted)
        advance("REPORTED", date(2025, 3, 20), reportSummary="Báo cáo")
        advance("DRAFTED", date(2025, 3, 21), conclusionText="Kết luận kiểm tra")
        rec = self.call("POST", "/v1/recommendations", {
            "inspection": ins["name"], "finding": finding["name"], "kind": "FINANCIAL", "description": "Thu hồi",
            "ownerUnit": "25195", "deadline": date(2025, 6, 30)})
        self.assertEqual(rec["requiredVnd"], "5000000")
        # An appraiser is neither on the team nor the decider (a third person).
        ins = self.call("POST", f"/v1/{ins['name']}:appraise", {"etag": ins["etag"], "date": date(2025, 3, 23),
                                                               "opinion": "Thống nhất"}, token=self.appraiser_token)
        self.assertEqual(ins["state"], "APPRAISED")
        advance("CONCLUDED", date(2025, 3, 25), token=self.checker_token, conclusionNumber="2/KL-BDT")
        conclusion = self.call("GET", f"/v1/{ins['name']}/conclusion")
        self.assertEqual((conclusion["signer"], conclusion["drafter"]), ("e2e-checker", "e2e-admin"))
        recovery = self.call("POST", "/v1/recoveries", {"recommendation": rec["name"], "date": date(2025, 4, 2),
                                                      "amountVnd": "2000000", "document": "GNT 7"})
        got = self.call("GET", f"/v1/recoveries?recommendation={rec['name']}")["recoveries"]
        self.assertEqual([r["name"] for r in got], [recovery["name"]])
        rec = self.call("GET", f"/v1/{rec['name']}")
        followed = self.call("POST", f"/v1/{rec['name']}:followUp", {"etag": rec["etag"], "followUp": {
            "date": date(2025, 7, 2), "status": "IN_PROGRESS", "evidence": "Biên bản 4/BB"}})
        self.assertEqual(followed["status"], "IN_PROGRESS")
        overdue = self.call("GET", "/v1/recommendations?overdueOnly=true")["recommendations"]
        self.assertIn(rec["name"], [r["name"] for r in overdue])
        report = self.call("GET", "/v1/findingsReport?period.type=YEAR&period.year=2025&groupBy=BY_NODE")
        self.assertIn(("NTP_EM.P1", "5000000"), [(r.get("nodeCode"), r["toRecoverVnd"]) for r in report["rows"]])
        flagged = self.call("GET", "/v1/flaggedRecords?kind=SUPPORT_LINE&openSeriousOnly=true")["records"]
        self.assertIn(line["name"], [r["resource"] for r in flagged])
        stats = self.call("GET", "/v1/inspectionStatistics?period.type=YEAR&period.year=2025")
        self.assertEqual((stats["requiredVnd"], stats["recoveredVnd"]), ("5000000", "2000000"))

    def test_4g_awards_from_registration_to_decision(self):
        import base64
        import io
        import zipfile
        forms = self.call("GET", "/v1/awardForms")["forms"]
        self.assertIn("TITLE_ADVANCED_WORKER", [f["code"] for f in forms])
        movement = self.call("POST", "/v1/movements", {
            "number": "KH 47/KH-BDT", "title": "Vì người nghèo", "launchedDate": date(2022, 9, 29),
            "launchedBy": "Trưởng Ban Dân tộc", "periodFrom": date(2022, 9, 29), "periodTo": date(2025, 12, 31),
            "ownerUnit": "70", "targets": [{"description": "1.000 hộ DTTS thoát nghèo mỗi năm", "value": 1000}]})
        self.assertEqual(self.call("GET", f"/v1/{movement['name']}")["number"], "KH 47/KH-BDT")
        self.assertIn(movement["name"], [m["name"] for m in self.call("GET", "/v1/movements?year=2024")["movements"]])
        registration = self.call("POST", "/v1/registrations", {
            "movement": movement["name"], "year": 2024, "subjectKind": "INDIVIDUAL", "subjectName": "Điểu Thị Hạnh",
            "unitCode": "25195", "registeredDate": date(2024, 1, 15),
            "targets": [{"description": "Vận động 5 hộ thoát nghèo", "value": 5}]})
        self.assertIn(registration["name"], [r["name"] for r in self.call(
            "GET", f"/v1/registrations?movement={movement['name']}&year=2024")["registrations"]])
        initiative = self.call("POST", "/v1/initiatives", {
            "title": "Nuôi bò luân phiên", "authors": ["Điểu Thị Hạnh"], "unitCode": "25195", "scope": "BASE",
            "appliedFrom": date(2024, 3, 1), "decisionNumber": "QĐ 9/QĐ-UBND", "decisionDate": date(2024, 11, 1),
            "recognisedBy": "Chủ tịch UBND xã", "benefit": "8 hộ áp dụng"})
        self.assertIn(initiative["name"], [i["name"] for i in self.call(
            "GET", "/v1/initiatives?author=dieu%20thi%20hanh")["initiatives"]])
        example = self.call("POST", "/v1/advancedExamples", {
            "subjectKind": "INDIVIDUAL", "subjectName": "Điểu Thị Hạnh", "field": "giảm nghèo", "unitCode": "25195",
            "description": "Vận động hộ nghèo", "discoveredBy": "Ban Dân tộc", "discoveredDate": date(2024, 12, 1)})
        self.assertIn(example["name"], [e["name"] for e in self.call(
            "GET", "/v1/advancedExamples?year=2024")["examples"]])
        # The nomination cites a household of the registry: its facts are frozen with the registry's cursor.
        # Commune 25220: no other test leaves an inspection open there.
        h = self.household(commune="25220", ethnicity="39", name="Thị Lành")["name"]
        nominator = self.mint("COMMUNE_OFFICER", scope="25220", subject="e2e-commune-officer")
        nomination = self.call("POST", "/v1/nominations", {
            "movement": movement["name"], "year": 2024, "formCode": "TITLE_ADVANCED_WORKER",
            "subjectKind": "INDIVIDUAL", "subjectName": "Điểu Thị Hạnh", "unitCode": "25220", "sex": "FEMALE",
            "ethnicGroupCode": "22", "achievements": [{"key": "2024/ANNUAL_TASKS", "description": "Hoàn thành tốt"}],
            "evidenceRequest": {"households": [h], "areaPoverty": True, "areaInspection": True}}, token=nominator)
        evidence = nomination["evidence"]
        self.assertEqual((nomination["state"], evidence["items"]), ("DRAFT", "3"))
        self.assertEqual({o["owner"] for o in evidence["owners"]}, {"registry", "inspection"})
        # The registry's data changes; the snapshot does not, and a comparison says what changed.
        self.classify(h, True, date(2024, 12, 20))
        diff = self.call("GET", f"/v1/{nomination['name']}:compareEvidence", token=nominator)
        self.assertIn(h, [c["resource"] for c in diff.get("changes", [])])
        self.assertEqual(self.call("GET", f"/v1/{nomination['name']}")["evidence"]["digest"], evidence["digest"])
        nomination = self.call("POST", f"/v1/{nomination['name']}:refreshEvidence", {}, token=nominator)
        self.assertTrue(nomination["evidence"]["name"].endswith("/evidence/2"))
        cursor = {o["owner"]: int(o.get("cursor", 0)) for o in evidence["owners"]}
        after = {o["owner"]: int(o.get("cursor", 0)) for o in nomination["evidence"]["owners"]}
        self.assertGreater(after["registry"], cursor["registry"])  # the review is on the registry's feed
        nomination = self.call("POST", f"/v1/{nomination['name']}:recordUnitReview", {"review": {
            "meetingDate": date(2025, 1, 8), "attendees": 20, "votesFor": 18, "votesAgainst": 2, "proposed": True,
            "minutes": "BB 1/BB"}}, token=nominator)
        council = self.call("POST", "/v1/councils", {"title": "Hội đồng TĐKT", "unitCode": "70", "members": [
            {"principal": f"e2e-member-{i}", "displayName": n} for i, n in
            enumerate(["Trần Văn Hùng", "Lê Thị Mai", "Phạm Văn Nam"])]})
        self.assertIn(council["name"], [c["name"] for c in self.call("GET", "/v1/councils")["councils"]])
        nomination = self.call("POST", f"/v1/{nomination['name']}:openCouncilReview", {
            "council": council["name"], "openedDate": date(2025, 1, 15)})
        for i in range(3):
            member = self.mint("AWARDS_COUNCIL_MEMBER", subject=f"e2e-member-{i}")
            nomination = self.call("POST", f"/v1/{nomination['name']}:castVote", {
                "choice": "YES", "snapshot": nomination["councilReview"]["snapshot"]}, token=member)
        nomination = self.call("POST", f"/v1/{nomination['name']}:closeCouncilReview", {})
        self.assertEqual(nomination["state"], "COUNCIL_APPROVED")
        pre = self.call("GET", "/v1/awardForms/TITLE_CSTD_BASE:checkPrerequisites?subjectName=Di%E1%BB%83u%20Th%E1%BB%8B"
                               "%20H%E1%BA%A1nh&unitCode=25195&year=2024")
        self.assertFalse(pre.get("met", False))
        # A district-level decision after 30 June 2025 is refused; the agency head decides.
        status, _, body = self.raw("POST", f"/v1/{nomination['name']}:decide", {"decision": {
            "number": "QĐ 1", "date": date(2025, 7, 1), "authorityLevel": "DISTRICT_CHAIR", "signer": "Chủ tịch"}},
            self.checker_token)
        self.assertEqual(status, 400, body)
        nomination = self.call("POST", f"/v1/{nomination['name']}:decide", {"decision": {
            "number": "QĐ 15/QĐ-BDT", "date": date(2025, 1, 20), "authorityLevel": "AGENCY_HEAD",
            "signer": "Trưởng ban"}}, token=self.checker_token)
        self.assertEqual((nomination["state"], nomination["decision"]["decider"]), ("DECIDED", "e2e-checker"))
        self.assertIn(nomination["name"], [n["name"] for n in self.call(
            "GET", "/v1/nominations?year=2024&ethnicMinorityOnly=true")["nominations"]])
        # Another beyond the agency: submitted upward with its dossier, a ZIP a stock reader opens.
        upward = self.call("POST", "/v1/nominations", {
            "year": 2024, "formCode": "AWARD_BK_PROV_CHAIR", "subjectKind": "COLLECTIVE", "subjectName": "UBND xã",
            "unitCode": "25220", "achievements": [{"key": "2024/MOVEMENT", "description": "Dẫn đầu phong trào"}],
            "evidenceRequest": {"areaDisbursement": True}}, token=nominator)
        upward = self.call("POST", f"/v1/{upward['name']}:recordUnitReview", {"review": {
            "meetingDate": date(2025, 1, 8), "attendees": 20, "votesFor": 15, "votesAgainst": 5, "proposed": True}},
            token=nominator)
        upward = self.call("POST", f"/v1/{upward['name']}:openCouncilReview", {
            "council": council["name"], "openedDate": date(2025, 1, 15)})
        for i in range(3):
            upward = self.call("POST", f"/v1/{upward['name']}:castVote", {
                "choice": "YES", "snapshot": upward["councilReview"]["snapshot"]},
                token=self.mint("AWARDS_COUNCIL_MEMBER", subject=f"e2e-member-{i}"))
        upward = self.call("POST", f"/v1/{upward['name']}:closeCouncilReview", {})
        upward = self.call("POST", f"/v1/{upward['name']}:submit", {"submission": {
            "toAuthority": "Chủ tịch UBND tỉnh", "letterNumber": "TTr 5/TTr-BDT", "date": date(2025, 2, 3)}})
        self.assertEqual(upward["state"], "SUBMITTED")
        dossier = self.call("GET", f"/v1/{upward['name']}:exportDossier")
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(dossier["archive"])))
        self.assertIsNone(archive.testzip())
        self.assertIn("05_chung_cu.json", archive.namelist())
        frozen = json.loads(archive.read("05_chung_cu.json"))
        self.assertEqual(frozen["items"][0]["kind"], "AREA_DISBURSEMENT")
        self.assertIn("TTr 5/TTr-BDT", archive.read("01_to_trinh.txt").decode())
        listed = archive.read("02_danh_sach.csv").decode().splitlines()
        self.assertEqual((len(listed), listed[0].split(",")[0]), (2, "stt"))
        revoked = self.call("POST", f"/v1/{nomination['name']}:revoke", {"revocation": {
            "reason": "STANDARD_NOT_MET", "number": "QĐ 40/QĐ-BDT", "date": date(2025, 6, 1),
            "amountToRecoverVnd": "300000"}}, token=self.checker_token)
        self.assertEqual(revoked["state"], "REVOKED")
        stats = self.call("GET", "/v1/awardsStatistics?period.type=YEAR&period.year=2025")
        self.assertEqual((int(stats.get("decided", 0)), int(stats["revoked"]), stats["amountToRecoverVnd"]),
                         (0, 1, "300000"))
        annual = self.call("GET", "/v1/awardsAnnualReport?year=2025")
        self.assertEqual((annual["form"], annual.get("layoutConfirmed", False)), ("0602.N/BNV-TĐKT", False))
        # lnobctl imports: rows of one subject are one record; the same file again records nothing twice.
        regs = os.path.join(self.tmp, "registrations.csv")
        with open(regs, "w", encoding="utf-8") as f:
            f.write("movement,year,subject_kind,subject_name,unit_code,household,registered_date,target_code,"
                    "target_description,target_value,target_unit_of_measure\n")
            f.write(f"{movement['name']},2024,INDIVIDUAL,Lò Văn Tư,25220,,2024-01-20,,Vận động 3 hộ,3,hộ\n")
            f.write(f"{movement['name']},2024,INDIVIDUAL,Lò Văn Tư,25220,,2024-01-20,,Tổ chức 2 buổi,2,buổi\n")
        noms = os.path.join(self.tmp, "nominations.csv")
        with open(noms, "w", encoding="utf-8") as f:
            f.write("year,form_code,subject_kind,subject_name,subject_ref,unit_code,sex,ethnic_group_code,household,"
                    "achievement_key,achievement_description,households,activities,area_statistics,report\n")
            f.write(f"2024,AWARD_GK_HEAD,INDIVIDUAL,Lò Văn Tư,,25220,MALE,29,,2024/IMPORT,Vận động,{h},,POVERTY,\n")
            f.write("2024,AWARD_GK_HEAD,INDIVIDUAL,Lò Văn Tư,,25220,MALE,29,,2024/IMPORT2,Tuyên truyền,,,,\n")
        target = f"--target=127.0.0.1:{self.ports['awards']}"
        for _ in range(2):
            out = run(LNOBCTL, "import", "registrations", regs, target, f"--token={nominator}")
            self.assertIn("import registrations: 1 recorded", out)
            out = run(LNOBCTL, "import", "nominations", noms, target, f"--token={nominator}")
            self.assertIn("import nominations: 1 recorded", out)
        imported = [n for n in self.call("GET", "/v1/nominations?year=2024&formCode=AWARD_GK_HEAD")["nominations"]
                    if n["subjectName"] == "Lò Văn Tư"]
        self.assertEqual(len(imported), 1)
        self.assertEqual([a["key"] for a in imported[0]["achievements"]], ["2024/IMPORT", "2024/IMPORT2"])
        self.assertEqual(imported[0]["evidence"]["items"], "2")
        registered = [r for r in self.call("GET", f"/v1/registrations?movement={movement['name']}")["registrations"]
                      if r["subjectName"] == "Lò Văn Tư"]
        self.assertEqual(len(registered[0]["targets"]), 2)
        evaluated = self.call("POST", f"/v1/{registered[0]['name']}:selfEvaluate", {"evaluation": {
            "point": "YEAR_END", "date": date(2025, 1, 5), "taskRating": "GOOD", "annualTasks": "Nhiệm vụ năm 2024",
            "results": [{"target": 0, "achieved": 3}, {"target": 1, "achieved": 2}]}}, token=nominator)
        self.assertEqual(evaluated["evaluations"][0]["taskRating"], "GOOD")

    def test_4h_report_definitions_and_calendar(self):
        definitions = self.call("GET", "/v1/reportDefinitions")["definitions"]
        self.assertIn("EMULATION_STATISTICS", [d["code"] for d in definitions])
        ntp = self.call("GET", "/v1/reportDefinitions/NTP1719_MONITORING")
        self.assertEqual(ntp["regime"], "NTP1719_MONITORING")
        self.assertIn("lnob.funding.v1.FundingService/GetDisbursementReport",
                      [i["method"] for s in ntp["sections"] for i in s["indicators"]])
        calendar = self.call("GET", "/v1/reportCalendar?year=2025", token=self.mint("VIEWER"))
        due = {(d["definition"], d["rule"]): d["dueDate"] for d in calendar["due"]}
        self.assertEqual(due[("reportDefinitions/EMULATION_STATISTICS", "form 0602.N received by 15 December")],
                         date(2025, 12, 15))
        # Composed from the real owners: the numbers are theirs, as they answer them directly.
        report = self.call("POST", "/v1/reportInstances", {"definition": "reportDefinitions/ETHNIC_WORK_PERIODIC",
                                                   "period": {"type": "YEAR", "year": 2025}})
        inputs = {i["indicator"]: i for i in report["inputs"]}
        self.assertEqual(len(inputs), 10)
        direct = self.call("GET", "/v1/inspectionStatistics?period.type=YEAR&period.year=2025")
        self.assertEqual(json.loads(inputs["RECOVERED"]["valueJson"]), direct.get("recoveredVnd", "0"))
        registry = self.call("GET", "/v1/statistics?year=2025")
        self.assertEqual(int(inputs["TRANSITIONS"].get("cursor", 0)), int(registry.get("cursor", 0)))
        self.assertEqual(self.call("GET", f"/v1/{report['name']}")["digest"], report["digest"])
        self.assertIn(report["name"], [r["name"] for r in self.call("GET", "/v1/reportInstances?year=2025")["reports"]])
        # lnobctl: compose from the owners and read back, as CSV.
        target = f"--target=127.0.0.1:{self.ports['reporting']}"
        out = run(LNOBCTL, "report", "generate", "--definition=EMULATION_STATISTICS", "--period=2025", target,
                  f"--token={self.admin_token}")
        rows = out.strip().splitlines()
        self.assertEqual(rows[0].split(",")[:6], ["report", "definition", "period", "unit_code", "section", "indicator"])
        self.assertEqual(len(rows), 2)
        self.assertIn("FORM_0602N", rows[1])
        again = run(LNOBCTL, "report", "get", report["name"], target, f"--token={self.admin_token}")
        self.assertEqual(len(again.strip().splitlines()), 1 + 10)
        self.report_workflow_lock_and_exports(report, target)

    def report_workflow_lock_and_exports(self, report, target):
        name = report["name"]
        # The registry's own answer while nothing has changed since the composition.
        province = report["unitCode"]  # the province on the report's geography (after the 2025 merger)
        registry = self.call("GET", f"/v1/statistics?year=2025&unitCode={province}&byChildUnit=true")
        checker = self.mint("PROVINCE_ADMIN", subject="e2e-checker")
        rid = lambda: str(uuid.uuid4())  # noqa: E731
        # Maker-checker: the maker submits, does not approve; the checker approves and locks.
        submitted = self.call("POST", f"/v1/{name}:submit", {"requestId": rid()})
        self.assertEqual((submitted["state"], submitted["submitter"]), ("SUBMITTED", "e2e-admin"))
        self.error(PERMISSION_DENIED, "POST", f"/v1/{name}:approve", {"requestId": rid()})
        self.error(FAILED_PRECONDITION, "POST", f"/v1/{name}:lock", {"requestId": rid()}, token=checker)
        self.call("POST", f"/v1/{name}:approve", {"requestId": rid(), "etag": submitted["etag"]}, token=checker)
        locked = self.call("POST", f"/v1/{name}:lock", {"requestId": rid()}, token=checker)
        self.assertEqual((locked["state"], locked["lock"]["lockedBy"], locked["lock"]["rule"]),
                         ("LOCKED", "e2e-checker", "APPROVED_REPORT"))
        self.assertIn(":revise", locked["lock"]["howToAmend"])
        _, d, _ = self.error(FAILED_PRECONDITION, "POST", f"/v1/{name}:return", {"requestId": rid(), "note": "x"},
                             token=checker)
        csv_then = base64.b64decode(self.call("GET", f"/v1/{name}:export?format=CSV")["content"])
        xlsx = base64.b64decode(self.call("GET", f"/v1/{name}:export")["content"])
        # Later writes to the registry, funding and campaigns do not alter the locked report.
        h = self.household(commune="25195", ethnicity="39", name="Thị Báo Cáo")["name"]
        self.classify(h, True, date(2025, 3, 1))
        self.call("POST", "/v1/supportLines", {
            "household": h, "content": "TOILET", "date": date(2025, 6, 1), "amountVnd": "7000000", "shares": [
                {"nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "amountVnd": "7000000"}]})
        campaign = self.call("POST", "/v1/campaigns", {
            "title": "Báo cáo sau khóa", "topics": ["NTP_1719"], "startDate": date(2025, 3, 1),
            "endDate": date(2025, 11, 30), "ownerUnit": "70"})
        self.call("POST", f"/v1/{campaign['name']}:setStatus", {"status": "ACTIVE", "etag": campaign["etag"]})
        self.call("POST", "/v1/activities", {
            "campaign": campaign["name"], "activityType": "LOUDSPEAKER_RADIO", "startDate": date(2025, 5, 2),
            "communeCode": "25216", "sessions": 1, "participantsTotal": "75"})
        self.assertEqual(base64.b64decode(self.call("GET", f"/v1/{name}:export?format=CSV")["content"]), csv_then)
        self.assertEqual(self.call("GET", f"/v1/{name}")["digest"], report["digest"])
        compared = self.call("GET", f"/v1/{name}:compareInputs")
        changed = {i["indicator"] for i in compared["inputs"] if i.get("changed")}
        self.assertIn("REACH", changed)
        self.assertIn("HOUSEHOLDS_BY_CLASS", changed)
        # The spreadsheet, read by openpyxl: sheets, values as the owners gave them, native charts.
        import openpyxl
        book = openpyxl.load_workbook(io.BytesIO(xlsx))
        self.assertEqual(book.sheetnames[0], "Thông tin báo cáo")
        self.assertEqual(len(book.sheetnames), 1 + 6)
        self.assertTrue(book.sheetnames[1].startswith("1. Hộ nghèo"), book.sheetnames)
        cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        self.assertIn(int(json.loads(report_inputs(report)["RECOVERED"]["valueJson"])), cells)
        charts = sum(len(ws._charts) for ws in book.worksheets)
        with_rows = [c for c in ("POVERTY_RATES", "EM_ESCAPES_TARGET", "DISBURSEMENT_BY_SOURCE")
                     if json.loads(report_inputs(report)[c]["valueJson"] or "[]")]
        self.assertEqual(charts, len(with_rows))
        self.assertGreaterEqual(charts, 1)
        # Each province row of the rates table: the registry's own numbers, by unit name.
        rates = book[book.sheetnames[1]]
        rows = [[c.value for c in r] for r in rates.iter_rows()]
        self.assertTrue(registry.get("totals"))
        for t in registry["totals"]:
            self.assertTrue(any(r[0] == t["unitCode"] and r[3] == int(t.get("poor", "0")) for r in rows if r),
                            (t, rows[:8]))
        # lnobctl exports the same file.
        out = os.path.join(self.tmp, "report.xlsx")
        run(LNOBCTL, "report", "export", name, f"--out={out}", target, f"--token={self.admin_token}")
        self.assertEqual(openpyxl.load_workbook(out).sheetnames, book.sheetnames)
        # An amendment: revision 2, with what changed since the locked one.
        revised = self.call("POST", f"/v1/{name}:revise", {"requestId": rid(), "reason": "bổ sung hoạt động"})
        self.assertEqual((revised["revision"], revised["previous"], revised["state"]), (2, name, "DRAFT"))
        self.assertIn("REACH", {c["indicator"] for c in revised["changesFromPrevious"]})
        self.call("POST", f"/v1/{revised['name']}:submit", {"requestId": rid()})
        returned = self.call("POST", f"/v1/{revised['name']}:return", {"requestId": rid(), "note": "kiểm tra lại"},
                             token=checker)
        self.assertEqual(returned["history"][-1]["note"], "kiểm tra lại")
        # A roll-up needs every child unit's locked report: refused, naming the missing ones.
        review = {"definition": "reportDefinitions/POVERTY_REVIEW_RESULTS", "period": {"type": "YEAR", "year": 2024}}
        body, _, _ = self.error(FAILED_PRECONDITION, "POST", "/v1/reportInstances:rollUp",
                                {**review, "unitCode": "689", "requestId": rid()})
        self.assertIn("25195", json.dumps(body))
        # The district's 8 communes (2024 geography) each lock their report; the roll-up then equals
        # the district's report composed from the registry.
        for commune in ("25195", "25198", "25201", "25204", "25205", "25207", "25210", "25213"):
            r = self.call("POST", "/v1/reportInstances", {**review, "unitCode": commune})
            self.call("POST", f"/v1/{r['name']}:submit", {"requestId": rid()})
            self.call("POST", f"/v1/{r['name']}:approve", {"requestId": rid()}, token=checker)
            self.call("POST", f"/v1/{r['name']}:lock", {"requestId": rid()}, token=checker)
        rolled = self.call("POST", "/v1/reportInstances:rollUp", {**review, "unitCode": "689", "requestId": rid()})
        self.assertEqual((rolled["source"], len(rolled["rolledUpFrom"])), ("ROLL_UP", 8))
        district = self.call("POST", "/v1/reportInstances", {**review, "unitCode": "689"})

        def rows(r):
            return sorted(json.dumps(x, sort_keys=True) for x in json.loads(r["inputs"][0]["valueJson"]))
        self.assertEqual(rows(rolled), rows(district))
        self.assertTrue(rows(district))
        # A composition as an operation, with progress; cancelling a finished one changes nothing.
        op = self.call("POST", "/v1/reportInstances:start", {"report": {
            "definition": "reportDefinitions/NTP1719_MONITORING", "period": {"type": "QUARTER", "year": 2025,
                                                                           "index": 2}}, "requestId": rid()})
        op = self.finished(op)
        self.assertEqual(op["doneSteps"], op["totalSteps"])
        self.assertIn(op["name"], [o["name"] for o in self.call("GET", "/v1/reportOperations")["operations"]])
        self.assertEqual(self.call("POST", f"/v1/{op['name']}:cancel", {"requestId": rid()})["state"], "SUCCEEDED")
        self.assertEqual(len(self.call("GET", f"/v1/{op['report']}")["inputs"]), 2)

    def test_4i_policy_simulation(self):
        # The 2027 standard (NĐ 351/2025) applied to the lists in force at the end of 2025, as an
        # operation; its totals against the registry's own statistics for that day.
        rid = lambda: str(uuid.uuid4())  # noqa: E731
        op = self.call("POST", "/v1/simulations:start", {
            "requestId": rid(), "standard": "povertyStandards/PS_2027_2030", "asOf": date(2025, 12, 31),
            "title": "NĐ 351/2025 trên danh sách cuối năm 2025"})
        op = self.finished(op)
        sim = self.call("GET", f"/v1/{op['simulation']}")
        stats = self.call("GET", "/v1/statistics?year=2025")
        count = {}
        for r in stats.get("rows", []):
            count[r["classification"]] = count.get(r["classification"], 0) + int(r["households"])
        total = sim["units"][-1]
        self.assertEqual(total.get("unitCode", ""), "")
        self.assertEqual(int(total.get("poorNow", 0)), count.get("POOR", 0))
        self.assertEqual(int(total.get("nearPoorNow", 0)), count.get("NEAR_POOR", 0))
        self.assertGreater(count.get("POOR", 0), 0)
        self.assertEqual(sum(int(c["households"]) for c in sim["cells"]), int(sim["households"]))
        self.assertEqual(int(sim["households"]), int(op["doneHouseholds"]))
        # Households whose unknowns (D13, which no 2025 review assessed; 2027's missing middle-income
        # cap) leave a range are the rest of those with one class.
        ranged = sum(int(c["households"]) for c in sim["cells"] if c["bestClass"] != c["worstClass"])
        self.assertEqual(ranged, int(sim["households"]) - int(sim.get("exactHouseholds", 0)))
        self.assertIn("middle_income_cap", [u["input"] for u in sim.get("unknownInputs", [])])
        self.assertTrue(sim["costs"])
        self.assertFalse(any(c.get("confirmed", False) for c in sim["costs"]))  # placeholders, marked
        self.assertIn(op["simulation"], [x["name"] for x in self.call("GET", "/v1/simulations")["simulations"]])
        listed = self.call("GET", f"/v1/{op['simulation']}/households")
        self.assertEqual(len(listed.get("households", [])), min(100, int(sim.get("changingHouseholds", 0))))
        exported = self.call("GET", f"/v1/{op['simulation']}:export?format=CSV")
        lines = base64.b64decode(exported["content"]).decode().strip().splitlines()
        self.assertEqual(len(lines), 1 + int(sim.get("changingHouseholds", 0)))
        # A higher local standard (urban and rural lines raised by 10%) against the national one.
        national = self.call("GET", "/v1/povertyStandards/PS_2027_2030")
        draft = {k: national[k] for k in ("indicators", "minDeprivationsPoor", "validFrom")}
        draft["id"] = "LOCAL_2027"
        draft["lines"] = [{**line, "incomeLineVnd": str(int(line["incomeLineVnd"]) * 11 // 10)} for line in national["lines"]]
        op2 = self.call("POST", "/v1/simulations:start", {"requestId": rid(), "draftStandard": draft, "asOf": date(2025, 12, 31)})
        op2 = self.finished(op2)
        cmp = self.call("GET", f"/v1/simulations:compare?a={op['simulation']}&b={op2['simulation']}")
        totals = cmp["units"][-1]
        self.assertGreaterEqual(int(totals["b"].get("poorWorst", 0)), int(totals["a"].get("poorWorst", 0)))
        self.assertGreaterEqual(int(cmp.get("costHighBVnd", 0)), int(cmp.get("costHighAVnd", 0)))
        costs = self.call("GET", "/v1/simulationUnitCosts?" + q(date(2027, 1, 1), "asOf"))["unitCosts"]
        self.assertIn(("LIVESTOCK_CROPS", "POOR"), [(c["content"], c["householdClass"]) for c in costs])
        self.assertEqual(self.call("POST", f"/v1/{op['name']}:cancel", {"requestId": rid()})["state"], "SUCCEEDED")
        # lnobctl: the same simulation with its progress, written as XLSX.
        out = os.path.join(self.tmp, "simulation.xlsx")
        printed = run(LNOBCTL, "simulate", "--standard=PS_2027_2030", "--as_of=2025-12-31", f"--out={out}",
                      f"--target=127.0.0.1:{self.ports['registry']}", f"--token={self.admin_token}")
        self.assertRegex(printed, rf"(?m)^total +{int(sim['households'])} +{int(total.get('poorNow', 0))} ")
        import openpyxl
        book = openpyxl.load_workbook(out)
        self.assertEqual(book.sheetnames, ["Thông tin mô phỏng", "Tổng hợp theo đơn vị", "Ma trận chuyển đổi",
                                           "Nhu cầu kinh phí", "Hộ thay đổi phân loại"])
        self.assertEqual(book["Hộ thay đổi phân loại"].max_row, 1 + int(sim.get("changingHouseholds", 0)))

    def test_5_error_table(self):
        # One subTest per case, so that every broken case is reported.
        h = self.household(ethnicity="39", name="Lò Thị Mai", citizenId="070185000123")
        self.classify(h["name"], True, date(2024, 2, 1))
        viewer = self.mint("VIEWER", subject="e2e-viewer")

        def reason(details):
            return details.get(ERROR_INFO, {}).get("reason")

        with self.subTest("400 INVALID_ARGUMENT: malformed JSON names the body field"):
            _, d, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/households", '{"communeCode": ')
            self.assertRegex(self.violations(d)["household"], "malformed JSON")
            _, d, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/povertyStandards:classify", '{"areaType": ')
            self.assertIn("body", self.violations(d))
        with self.subTest("400 INVALID_ARGUMENT: unknown field in the body"):
            _, d, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/povertyStandards:classify", {"incomePerCapita": 5})
            self.assertIn("incomePerCapita", self.violations(d)["body"])
        with self.subTest("400 INVALID_ARGUMENT: bad enum value in the query and in the body"):
            _, d, _ = self.error(INVALID_ARGUMENT, "GET", "/v1/adminUnits?level=UNIT_LEVEL_GALAXY")
            self.assertIn("UnitLevel", self.violations(d)["level"])
            _, d, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/households", {"communeCode": "25195", "members": [
                {"fullName": "X", "sex": "ROBOT", "ethnicityCode": "01", "relation": "HEAD"}]})
            self.assertIn("members[0].sex", self.violations(d)["household"])
        with self.subTest("400 INVALID_ARGUMENT: a query value of the wrong type"):
            _, d, _ = self.error(INVALID_ARGUMENT, "GET", "/v1/adminUnits?pageSize=lots")
            self.assertIn("pageSize", self.violations(d))
        with self.subTest("400 INVALID_ARGUMENT: bad field values, named by the service"):
            _, d, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/households", {"communeCode": "25195", "members": [
                {"fullName": "X", "sex": "MALE", "ethnicityCode": "01", "relation": "HEAD", "citizenId": "123"}]})
            self.assertEqual(reason(d), "INVALID_FIELD")
            self.assertIn("household.members[0].citizen_id", self.violations(d))
            _, d, _ = self.error(INVALID_ARGUMENT, "POST", "/v1/supportLines", {
                "household": h["name"], "content": "HOUSING", "date": date(2024, 6, 1), "amountVnd": "10",
                "shares": [{"nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "amountVnd": "9"}]})
            self.assertTrue(any(f.startswith("line.shares") for f in self.violations(d)), d)
            when = q(date(2023, 6, 1), "asOf")
            page = self.call("GET", f"/v1/adminUnits?parentCode=70&pageSize=2&{when}")
            _, d, _ = self.error(INVALID_ARGUMENT, "GET", f"/v1/adminUnits?parentCode=689&pageSize=2&{when}"
                                 f"&pageToken={quote(page['nextPageToken'])}")  # reused with other filters
            self.assertTrue(any("page_token" in f or "pageToken" in f for f in self.violations(d)), d)
        with self.subTest("401 UNAUTHENTICATED: missing, expired, wrongly signed token"):
            _, d, _ = self.error(UNAUTHENTICATED, "GET", "/v1/ethnicGroups", token=None)
            self.assertEqual(reason(d), "TOKEN_MISSING")
            _, d, _ = self.error(UNAUTHENTICATED, "GET", "/v1/ethnicGroups", token=self.mint("VIEWER", ttl="-1h"))
            self.assertEqual(reason(d), "TOKEN_EXPIRED")
            forged = self.mint("PROVINCE_ADMIN", key=f"{self.tmp}/other/jwt_private.pem")
            _, d, _ = self.error(UNAUTHENTICATED, "GET", "/v1/ethnicGroups", token=forged)
            self.assertEqual(reason(d), "TOKEN_SIGNATURE")
        with self.subTest("403 PERMISSION_DENIED: a VIEWER writing"):
            body, d, _ = self.error(PERMISSION_DENIED, "POST", "/v1/households", {"communeCode": "25195"},
                                    token=viewer)
            self.assertEqual(reason(d), "PERMISSION_MISSING")
            self.assertIn("registry.households.write", body["message"])
        with self.subTest("403 PERMISSION_DENIED: an allocation outside the caller's area scope"):
            officer = self.mint("PROVINCE_OFFICER", scope="688", subject="e2e-officer-688")
            alloc = {"year": 2024, "nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "amountVnd": "5"}
            _, d, _ = self.error(PERMISSION_DENIED, "POST", "/v1/allocations",
                                 {"allocation": dict(alloc, unitCode="689")}, token=officer)
            self.assertEqual(reason(d), "OUT_OF_SCOPE")
            status, _, mine = self.raw("POST", "/v1/allocations", {"allocation": dict(alloc, unitCode="688")}, officer)
            self.assertEqual((status, mine.get("unitCode")), (200, "688"))  # the same call inside the scope
        with self.subTest("404 NOT_FOUND: a missing household, plan, support line"):
            for path in (f"/v1/households/{uuid.uuid4()}", f"/v1/plans/{uuid.uuid4()}",
                         f"/v1/supportLines/{uuid.uuid4()}"):
                self.error(NOT_FOUND, "GET", path)
        with self.subTest("404 NOT_FOUND: an unknown route"):
            _, d, _ = self.error(NOT_FOUND, "GET", "/v1/nowhere")
            self.assertEqual(reason(d), "ROUTE_NOT_FOUND")
        with self.subTest("409 ALREADY_EXISTS: a citizen ID already in an active household"):
            body, d, _ = self.error(ALREADY_EXISTS, "POST", "/v1/households", {"communeCode": "25195", "members": [
                {"fullName": "Lò Thị Mai", "sex": "FEMALE", "ethnicityCode": "39", "relation": "HEAD",
                 "citizenId": "070185000123", "birthDate": date(1985, 3, 4)}]})
            self.assertEqual(reason(d), "CITIZEN_ID_TAKEN")
            self.assertIn(h["name"], body["message"])
        with self.subTest("409 ALREADY_EXISTS: a second plan for the same unit and year"):
            self.call("POST", "/v1/plans", {"year": 2023, "unitCode": "690", "lines": []})
            self.error(ALREADY_EXISTS, "POST", "/v1/plans", {"year": 2023, "unitCode": "690", "lines": []})
        with self.subTest("409 ALREADY_EXISTS: a programme node code taken"):
            self.error(ALREADY_EXISTS, "POST", "/v1/programmeNodes", {
                "code": "NTP_EM.P1", "kind": "PROJECT", "parentCode": "NTP_EM", "displayName": "again",
                "legalDoc": "x", "validFrom": date(2026, 1, 1)})
        with self.subTest(f"{HTTP_STATUS[FAILED_PRECONDITION]} FAILED_PRECONDITION: double funding"):
            first = self.call("POST", "/v1/supportLines", {
                "household": h["name"], "content": "ELECTRICITY", "date": date(2024, 6, 1), "amountVnd": "700",
                "shares": [{"nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "amountVnd": "700"}]})
            body, d, _ = self.error(FAILED_PRECONDITION, "POST", "/v1/supportLines", {
                "household": h["name"], "content": "ELECTRICITY", "date": date(2024, 8, 1), "amountVnd": "700",
                "shares": [{"nodeCode": "PROG_BP_1000_EM_HH.HOUSING", "source": "PROVINCIAL_SPECIAL",
                            "amountVnd": "700"}]})
            self.assertEqual(reason(d), "DOUBLE_FUNDING")
            self.assertIn(first["name"], body["message"])
        with self.subTest(f"{HTTP_STATUS[FAILED_PRECONDITION]} FAILED_PRECONDITION: illegal workflow moves"):
            draft = self.review(h["name"], True, date(2024, 6, 15))
            _, d, _ = self.error(FAILED_PRECONDITION, "POST", f"/v1/{draft['name']}:approve",
                                 {"decisionNumber": "1", "decisionDate": date(2024, 6, 2)})
            self.assertEqual(reason(d), "ILLEGAL_TRANSITION")
            self.assertEqual(self.call("GET", f"/v1/{draft['name']}")["state"], "DRAFT")
            plan = self.call("POST", "/v1/plans", {"year": 2023, "unitCode": "691", "lines": []})
            _, d, _ = self.error(FAILED_PRECONDITION, "POST", f"/v1/{plan['name']}:approve", {})
            self.assertEqual(reason(d), "ILLEGAL_TRANSITION")
        with self.subTest(f"{HTTP_STATUS[FAILED_PRECONDITION]} FAILED_PRECONDITION: over-disbursement"):
            key = {"year": 2023, "nodeCode": "NTP_EM.P1", "source": "CENTRAL_INVESTMENT", "unitCode": "690"}
            self.call("POST", "/v1/allocations", {"allocation": dict(key, amountVnd="100")})
            _, d, _ = self.error(FAILED_PRECONDITION, "POST", "/v1/disbursements", {"disbursement": dict(
                key, date=date(2023, 5, 1), amountVnd="101")})
            self.assertEqual(reason(d), "ALLOCATION_EXCEEDED")
        with self.subTest("409 ABORTED: a stale etag"):
            fresh = self.call("PATCH", f"/v1/{h['name']}?updateMask=village", {"village": "Bon 1", "etag": h["etag"]})
            _, d, _ = self.error(ABORTED, "PATCH", f"/v1/{h['name']}?updateMask=village",
                                 {"village": "Bon 2", "etag": h["etag"]})
            self.assertEqual(reason(d), "ETAG_MISMATCH")
            self.assertEqual(self.call("GET", f"/v1/{h['name']}")["village"], fresh["village"])
            key = {"year": 2023, "nodeCode": "NTP_EM.P3", "source": "CENTRAL_INVESTMENT", "unitCode": "690"}
            first = self.call("POST", "/v1/allocations", {"allocation": dict(key, amountVnd="100")})
            self.call("POST", "/v1/allocations", {"allocation": dict(key, amountVnd="200"), "reason": "r",
                                                  "etag": first["etag"]})
            self.error(ABORTED, "POST", "/v1/allocations", {"allocation": dict(key, amountVnd="300"), "reason": "r",
                                                           "etag": first["etag"]})
        with self.subTest("405: a method the route does not have"):
            _, d, _ = self.error(UNIMPLEMENTED, "DELETE", f"/v1/{h['name']}", http=405)
            self.assertEqual(reason(d), "METHOD_NOT_ALLOWED")
            self.error(UNIMPLEMENTED, "PUT", "/v1/plans", {}, http=405)
        with self.subTest("413: a body above --max_body_bytes"):
            _, d, _ = self.error(RESOURCE_EXHAUSTED, "POST", "/v1/povertyStandards:classify",
                                 {"unitCode": "x" * 70000}, http=413)
            self.assertEqual(reason(d), "BODY_TOO_LARGE")

    def test_5a_a_province_officer_states_a_purpose_for_personal_data(self):
        h = self.household(name="Điểu Thị Mục Đích")
        officer = self.mint("PROVINCE_OFFICER", subject="e2e-province-officer")
        status, _, body = self.raw("GET", f"/v1/{h['name']}", token=officer)
        self.assertEqual(status, 403, body)
        self.assertEqual(body["details"][0]["reason"], "PURPOSE_REQUIRED")
        status, _, body = self.raw("GET", f"/v1/{h['name']}", token=officer,
                                   headers=["x-lnob-purpose: complaint 12/2026 check"])
        self.assertEqual((status, body["members"][0]["fullName"]), (200, "Điểu Thị Mục Đích"))
        audit = subprocess.run(["psql", dsn(dbname=self.db), "-Atc",
                                "SELECT purpose FROM registry.pii_audit WHERE actor = 'e2e-province-officer'"],
                               capture_output=True, text=True, check=True).stdout.split()
        self.assertEqual(" ".join(audit), "complaint 12/2026 check")

    def test_5a_sensitive_categories_follow_the_role_policy(self):
        # Decree 13/2023, per field (services/registry/policy/personal_data.json): an inspector
        # sees no name, ethnicity or disability; a reviewer reads income but not ethnicity.
        h = self.household(ethnicity="39", name="Điểu Thị Nhạy Cảm", disability=True)
        inspector = self.mint("INSPECTOR", subject="e2e-inspector")
        status, _, body = self.raw("GET", f"/v1/{h['name']}", token=inspector)
        self.assertEqual(status, 200, body)
        member = body["members"][0]
        self.assertNotIn("ethnicityCode", member)
        self.assertNotIn("disability", member)
        # masked_fields names proto fields, the same on both faces.
        self.assertTrue({"full_name", "ethnicity_code", "disability", "health_insurance"} <= set(member["maskedFields"]),
                        member)
        self.assertEqual(body["maskedFields"], ["head_ethnicity_code"])
        status, _, body = self.raw("GET", "/v1/households?headEthnicityCode=39", token=inspector)
        self.assertEqual(status, 403, body)
        self.assertEqual(body["details"][0]["reason"], "PERSONAL_DATA_REQUIRED")
        self.assertIn("head_ethnicity_code", body["message"])
        reviewer = self.mint("REVIEWER", subject="e2e-reviewer-pd")
        status, _, body = self.raw("GET", f"/v1/{h['name']}", token=reviewer)
        self.assertEqual((status, body["members"][0].get("ethnicityCode")), (200, None))
        audit = subprocess.run(["psql", dsn(dbname=self.db), "-Atc",
                                "SELECT count(*) FROM registry.pii_audit WHERE actor IN ('e2e-inspector', 'e2e-reviewer-pd')"],
                               capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(audit, "0")  # nothing was disclosed, nothing to audit

    def test_5b_refused_before_the_body_and_idle_sockets_cannot_crowd_out_callers(self):
        host, port = self.rest.split("//")[1].split(":")
        # A bad token announcing a 3 MB body that never comes: answered 401 from the headers,
        # without waiting for the body (it would wait --http_request_timeout otherwise).
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b"POST /v1/households HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer junk\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 3000000\r\n\r\n")
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
            answer = answer.decode("latin-1")
        if not answer.startswith("HTTP/1.1 401"):
            with open(os.path.join(self.tmp, "gateway.log")) as f:
                print("".join(f.readlines()[-15:]))
        self.assertTrue(answer.startswith("HTTP/1.1 401"), repr(answer[:200]))
        self.assertIn("connection: close", answer.lower())
        # 2,500 idle sockets (more than --http_max_connections, 2,000): the longest-idle ones
        # are closed to make room, and probes and callers are still answered.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 10000), hard))
        idle = []
        try:
            for _ in range(2500):
                idle.append(socket.create_connection((host, int(port)), timeout=10))
            self.assertEqual(self.curl_status("GET", self.rest + "/healthz"), 200)
            status, _, body = self.raw("GET", "/v1/ethnicGroups", token=self.admin_token)
            self.assertEqual(status, 200, body)
        finally:
            for s in idle:
                s.close()

    def test_6_rate_limit_is_429_with_retry_after(self):
        token = self.mint("VIEWER", subject=f"e2e-burst-{self.suffix}")
        for _ in range(3):  # the strict gateway's burst
            status, hdrs, body = self.raw("GET", "/v1/ethnicGroups", token=token, base=self.strict)
            self.assertEqual((status, len(body["ethnicGroups"])), (200, 54))
            self.assertEqual(hdrs.get("cache-control"), "no-store")
        _, d, hdrs = self.error(RESOURCE_EXHAUSTED, "GET", "/v1/ethnicGroups", token=token, base=self.strict)
        self.assertEqual(d.get(ERROR_INFO, {}).get("reason"), "RATE_LIMITED")
        self.assertGreaterEqual(int(hdrs.get("retry-after", "0")), 1)
        self.assertEqual(hdrs.get("cache-control"), "no-store")  # errors too
        # Another client is not limited by this one.
        status, _, _ = self.raw("GET", "/v1/ethnicGroups", token=self.mint("VIEWER", subject="e2e-other"),
                                base=self.strict)
        self.assertEqual(status, 200)

    def test_7_backend_that_hangs_is_504(self):
        token = self.mint("VIEWER", subject=f"e2e-slow-{self.suffix}")
        funding = self.procs["funding"]
        funding.send_signal(signal.SIGSTOP)
        try:
            t0 = time.time()
            self.error(DEADLINE_EXCEEDED, "GET", "/v1/fundingSources", token=token, base=self.strict)
            self.assertLess(time.time() - t0, 5)  # the strict gateway's --timeout=1s, not curl's
        finally:
            funding.send_signal(signal.SIGCONT)
        status, _, body = self.raw("GET", "/v1/fundingSources", token=token, base=self.strict)
        self.assertEqual(status, 200, body)

    def test_8_backend_down_is_503_then_the_same_request_succeeds(self):
        gateway = self.procs["gateway"]
        funding = self.procs.pop("funding")
        funding.send_signal(signal.SIGTERM)
        self.assertEqual(funding.wait(timeout=30), 0)
        self.error(UNAVAILABLE, "GET", "/v1/fundingSources")
        # The shared prober notices within its interval (1 s).
        self.assertTrue(wait_for(lambda: self.curl_status("GET", self.rest + "/readyz") == 503, timeout=10))
        # Registry routes are unaffected.
        self.assertEqual(len(self.call("GET", "/v1/ethnicGroups")["ethnicGroups"]), 54)
        self.start("funding")
        self.assertTrue(wait_for(lambda: self.raw("GET", "/v1/fundingSources", token=self.admin_token)[0] == 200,
                                 timeout=30), "the gateway did not reach the restarted funding service")
        sources = self.call("GET", "/v1/fundingSources")["sources"]
        self.assertIn("CENTRAL_INVESTMENT", [s["code"] for s in sources])
        self.assertIsNone(gateway.poll(), "the gateway must not have restarted")
        self.assertTrue(wait_for(lambda: self.curl_status("GET", self.rest + "/readyz") == 200))

    def test_z_every_rest_method_was_called(self):
        # From the descriptor set: a newly annotated method fails here until a test above calls it.
        every_service = {name.split("/")[0] for name in self.routes}
        self.assertEqual(every_service, {svc for svcs in self.services.values() for svc in svcs})
        missing = sorted(set(self.routes) - set(self.called))
        self.assertEqual(missing, [], f"REST methods never called successfully: {missing}")
        print(f"\n{len(self.called)} of {len(self.routes)} REST methods called", flush=True)


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)  # log files stay open for the processes' lifetime
    unittest.main(verbosity=2)

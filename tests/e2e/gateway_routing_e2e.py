#!/usr/bin/python3
"""End-to-end: the gateway's routing configuration through the real gateway and registry,
called with curl: per-route deadlines, and retries of idempotent methods only, when the
backend cannot be reached (a restarted backend is reached again without restarting the
gateway)."""
import json
import os
import re
import secrets
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import warnings

from lnob_e2e import dsn, free_port, run, wait_for  # noqa: E402

BUILD = os.environ.get("LNOB_BUILD_DIR", "build")
BIN = os.path.join(BUILD, "bin")


class GatewayRoutingE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        suffix = secrets.token_hex(4)
        cls.suffix, cls.db = suffix, f"gre2e_{suffix}"
        run("psql", dsn(), "-qc", f"CREATE DATABASE {cls.db}")
        lnobctl = os.path.join(BIN, "lnobctl")
        cls.owner, cls.role = f"lnob_registry_owner_{suffix}", f"lnob_registry_{suffix}"
        run(lnobctl, "bootstrap", f"--admin_url={dsn(dbname=cls.db)}", "--service=registry",
            f"--owner_role={cls.owner}", f"--service_role={cls.role}",
            "--owner_password=o-" + suffix, "--service_password=s-" + suffix)
        run(lnobctl, "migrate", "--service=registry",
            f"--database_url={dsn(dbname=cls.db, user=cls.owner, password='o-' + suffix)}")
        cls.url = dsn(dbname=cls.db, user=cls.role, password="s-" + suffix)
        run(lnobctl, "refdata", "load", f"--database_url={cls.url}")
        cls.tmp = tempfile.mkdtemp(prefix="lnob-gre2e-", dir=os.environ.get("LNOB_TEST_TMP"))  # removed by ./lnob test
        run(lnobctl, "keys", f"--dir={cls.tmp}")
        cls.token = run(lnobctl, "token", f"--private_key={cls.tmp}/jwt_private.pem", "--roles=PROVINCE_ADMIN",
                        "--ttl=30m").strip()
        cls.registry_port = free_port()
        cls.registry = cls.start_registry()
        backends = ",".join(f"lnob.registry.v1.{s}=127.0.0.1:{cls.registry_port}"
                            for s in ("ReferenceDataService", "HouseholdService"))
        ready = os.path.join(cls.tmp, "gateway.ready")
        cls.gw_log = open(os.path.join(cls.tmp, "gateway.log"), "w+")
        cls.gateway = subprocess.Popen(
            [os.path.join(BIN, "gateway"), f"--ready_file={ready}", "--http_port=0", "--grpc_port=0",
             "--metrics_port=0", "--listen_host=127.0.0.1", "--metrics_host=127.0.0.1", f"--backends={backends}",
             f"--jwt_public_keys={cls.tmp}/jwt_public.pem", "--rate_limit_rps=0", "--timeout=10s",
             "--route_timeouts=lnob.registry.v1.ReferenceDataService/ListEthnicGroups=700ms",
             "--retry_attempts=3", "--retry_backoff=1s"],
            stdout=cls.gw_log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: os.path.exists(ready), timeout=15):
            raise RuntimeError("gateway did not become ready")
        with open(ready) as f:
            ports = json.load(f)
        cls.rest = f"http://127.0.0.1:{ports['http_port']}"
        cls.metrics = f"http://127.0.0.1:{ports['metrics_port']}/metrics"

    @classmethod
    def start_registry(cls):
        ready = os.path.join(cls.tmp, f"registry.{secrets.token_hex(2)}.ready")
        env = dict(os.environ, LNOB_DATABASE_URL=cls.url, LNOB_JWT_PUBLIC_KEYS=f"{cls.tmp}/jwt_public.pem",
                   LNOB_PAGE_TOKEN_SECRET="routing-secret-0123456789", LNOB_GRPC_PORT=str(cls.registry_port),
                   LNOB_METRICS_PORT="0", LNOB_LISTEN_HOST="127.0.0.1")
        log = open(os.path.join(cls.tmp, "registry.log"), "a")
        proc = subprocess.Popen([os.path.join(BIN, "registry"), f"--ready_file={ready}"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        if not wait_for(lambda: os.path.exists(ready), timeout=15):
            raise RuntimeError("registry did not become ready")
        return proc

    @classmethod
    def tearDownClass(cls):
        for p in (cls.gateway, cls.registry):
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.kill()
        subprocess.run(["psql", dsn(), "-qc", f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)"])
        for role in (cls.role, cls.owner):
            subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {role}"])

    def curl(self, method, path, body=None):
        args = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, self.rest + path,
                "-H", f"Authorization: Bearer {self.token}"]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", body]
        t0 = time.monotonic()
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        payload, status = out.rsplit("\n", 1)
        return int(status), (json.loads(payload) if payload else None), time.monotonic() - t0

    def retries(self):
        text = run("curl", "-s", self.metrics)
        m = re.search(r"^gateway_backend_retries_total(?:\{\})? (\S+)$", text, re.M)
        return float(m.group(1)) if m else 0.0

    def reason(self, payload):
        for d in payload.get("details", []):
            if d.get("@type", "").endswith("google.rpc.ErrorInfo"):
                return d.get("reason")
        return None

    def test_0_odd_header_bytes_never_reach_grpc_metadata(self):
        # gRPC aborts the process on a text metadata value outside printable ASCII; the
        # gateway must keep such bytes to itself and answer normally.
        for headers in ([b"x-request-id: a\tb"], [b"x-request-id: caf\xc3\xa9"],
                        [b"traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz"],
                        [b"authorization: Bearer \xff"]):
            args = [b"curl", b"-s", b"-o", b"/dev/null", b"-w", b"%{http_code}", (self.rest + "/v1/ethnicGroups").encode()]
            for h in headers:
                args += [b"-H", h]
            if not headers[0].startswith(b"authorization"):
                args += [b"-H", f"Authorization: Bearer {self.token}".encode()]
            code = subprocess.run(args, check=True, capture_output=True).stdout
            self.assertIn(code, (b"200", b"401"), headers)
            self.assertIsNone(self.gateway.poll(), f"gateway died on {headers}")
        status, _, _ = self.curl("GET", "/v1/ethnicGroups")
        self.assertEqual(status, 200)

    def test_1_route_deadline_overrides_the_default(self):
        status, body, _ = self.curl("GET", "/v1/ethnicGroups")
        self.assertEqual(status, 200, body)
        self.registry.send_signal(signal.SIGSTOP)
        try:
            status, body, took = self.curl("GET", "/v1/ethnicGroups")
        finally:
            self.registry.send_signal(signal.SIGCONT)
        self.assertEqual(status, 504, body)
        self.assertEqual(self.reason(body), "BACKEND_TIMEOUT")
        self.assertLess(took, 5.0)  # the route's 700 ms, not the 10 s default

    def test_2_only_idempotent_methods_are_retried(self):
        self.registry.kill()
        self.registry.wait()
        before = self.retries()
        status, body, took = self.curl("GET", "/v1/adminUnits/25195")  # idempotent
        self.assertEqual(status, 503, body)
        self.assertEqual(self.reason(body), "BACKEND_UNAVAILABLE")
        self.assertNotIn("127.0.0.1", json.dumps(body))  # no internal address leaks
        self.assertEqual(self.retries() - before, 2)
        self.assertGreaterEqual(took, 3.5)  # 1 s + 3 s of backoff
        before = self.retries()
        status, body, _ = self.curl("PATCH", "/v1/households/0190c0de-0000-7000-8000-000000000001?updateMask=village",
                                    json.dumps({"village": "x"}))
        self.assertEqual(status, 503, body)
        self.assertEqual(self.retries(), before)  # UpdateHousehold is not idempotent

    def test_3_a_restarted_backend_is_reached_by_the_retry(self):
        if self.registry.poll() is None:
            self.registry.kill()
            self.registry.wait()
        result = {}
        started = time.monotonic()

        def call():
            result["r"] = self.curl("GET", "/v1/adminUnits/25195")
        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.3)
        self.__class__.registry = self.start_registry()
        t.join(timeout=20)
        status, body, _ = result["r"]
        self.assertEqual(status, 200, body)
        self.assertEqual(body["code"], "25195")
        self.assertLess(time.monotonic() - started, 10)


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)

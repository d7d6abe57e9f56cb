#!/usr/bin/python3
"""End-to-end: the gateway's TLS, client certificates, concurrency limit, access log and
graceful stop, through the real gateway and registry binaries.

Run by ctest with a PostgreSQL (LNOB_TEST_*). Certificates are made here with the openssl
CLI in a temporary folder. Clients are curl (REST) and python3-grpcio (gRPC). The slow backend
of the concurrency checks is a tiny python3-grpcio server that sleeps before it answers.
"""
import concurrent.futures
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import grpc

import lnob_grpc
from lnob_e2e import dsn, run, wait_for  # noqa: E402

BUILD = os.environ.get("LNOB_BUILD_DIR", "build")
BIN = os.path.join(BUILD, "bin")
LNOBCTL = os.path.join(BIN, "lnobctl")
ADMIN = os.environ.get("LNOB_TEST_ADMIN_URL")
REF = "lnob.registry.v1.ReferenceDataService"
SLOW_SECONDS = 2.0
ENVELOPE = {"timestamp", "severity", "service", "message", "trace_id"}
HTTP_FIELDS = {"time", "client", "route", "method", "status", "duration_ms", "bytes_in", "bytes_out", "request_id"}
RPC_FIELDS = {"time", "client", "grpc_service", "grpc_method", "grpc_code", "duration_ms", "bytes_in", "bytes_out",
              "request_id"}


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def metric(text, name, labels=""):
    """Value of one series in a Prometheus text page (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(name + labels + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


class SlowBackend:
    """ReferenceDataService/ListEthnicGroups that answers an empty message after SLOW_SECONDS."""

    def __init__(self):
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=16))

        def slow(request, context):
            time.sleep(SLOW_SECONDS)
            return b""
        handler = grpc.unary_unary_rpc_method_handler(slow)  # raw bytes both ways
        self.server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(REF, {"ListEthnicGroups": handler}),))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()


class GatewayTlsE2E(unittest.TestCase):
    @classmethod
    def make_certificates(cls):
        d = cls.certs = os.path.join(cls.tmp, "certs")
        os.makedirs(d)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ca_ext = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
        # Server CA, client CA, and a CA nobody configured (its client certificate must be refused).
        for ca in ("server_ca", "client_ca", "other_ca"):
            openssl("req", "-x509", *ec, "-keyout", f"{d}/{ca}.key", "-out", f"{d}/{ca}.pem", "-days", "1",
                    "-subj", f"/CN=lnob e2e {ca}", *ca_ext)

        def issue(name, ca, cn, ext):
            openssl("req", *ec, "-keyout", f"{d}/{name}.key", "-out", f"{d}/{name}.csr", "-subj", f"/CN={cn}")
            with open(f"{d}/{name}.ext", "w") as f:
                f.write(ext)
            openssl("x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/{ca}.pem", "-CAkey", f"{d}/{ca}.key",
                    "-CAcreateserial", "-out", f"{d}/{name}.pem", "-days", "1", "-extfile", f"{d}/{name}.ext")
        issue("server", "server_ca", "localhost",
              "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        issue("client", "client_ca", "reporting-system", "extendedKeyUsage=clientAuth\n")
        issue("rogue", "other_ca", "reporting-system", "extendedKeyUsage=clientAuth\n")

    @classmethod
    def start_gateway(cls, name, backends, extra):
        ready = os.path.join(cls.tmp, f"{name}.json")
        log_path = os.path.join(cls.tmp, f"{name}.log")
        log = open(log_path, "w")
        proc = subprocess.Popen([os.path.join(BIN, "gateway"), f"--ready_file={ready}", "--http_port=0", "--grpc_port=0",
                                 "--metrics_port=0", "--listen_host=127.0.0.1", "--metrics_host=127.0.0.1",
                                 f"--backends={backends}", "--http_threads=2"] + extra,
                                stdout=log, stderr=subprocess.STDOUT)
        log.close()
        cls.procs.append(proc)
        if not wait_for(lambda: os.path.exists(ready) or proc.poll() is not None, timeout=15) or proc.poll() is not None:
            with open(log_path) as f:
                raise RuntimeError(f"gateway {name} did not become ready:\n" + f.read())
        with open(ready) as f:
            ports = json.load(f)
        ports["log"] = log_path
        ports["proc"] = proc
        return ports

    @classmethod
    def setUpClass(cls):
        if not ADMIN:
            raise RuntimeError("LNOB_TEST_ADMIN_URL is not set: run through ctest with a test PostgreSQL")
        cls.procs = []
        suffix = secrets.token_hex(4)
        cls.db = f"e2e_tls_{suffix}"
        cls.owner, cls.svc = f"lnob_registry_owner_{suffix}", f"lnob_registry_{suffix}"
        run("psql", dsn(), "-qc", f"CREATE DATABASE {cls.db}")
        run(LNOBCTL, "bootstrap", f"--admin_url={dsn(dbname=cls.db)}", "--service=registry",
            f"--owner_role={cls.owner}", f"--service_role={cls.svc}",
            "--owner_password=o-" + suffix, "--service_password=s-" + suffix)
        run(LNOBCTL, "migrate", "--service=registry",
            f"--database_url={dsn(dbname=cls.db, user=cls.owner, password='o-' + suffix)}")
        service_url = dsn(dbname=cls.db, user=cls.svc, password="s-" + suffix)
        run(LNOBCTL, "refdata", "load", f"--database_url={service_url}")
        cls.tmp = tempfile.mkdtemp(prefix="lnob-e2e-tls-")
        cls.make_certificates()
        run(LNOBCTL, "keys", f"--dir={cls.tmp}")
        cls.public_keys = f"{cls.tmp}/jwt_public.pem"
        cls.token = run(LNOBCTL, "token", f"--private_key={cls.tmp}/jwt_private.pem", "--roles=VIEWER",
                        "--subject=e2e-viewer", "--ttl=10m").strip()
        ready = os.path.join(cls.tmp, "registry.json")
        env = dict(os.environ, LNOB_DATABASE_URL=service_url, LNOB_JWT_PUBLIC_KEYS=cls.public_keys,
                   LNOB_PAGE_TOKEN_SECRET=secrets.token_hex(16), LNOB_GRPC_PORT="0", LNOB_METRICS_PORT="0",
                   LNOB_LISTEN_HOST="127.0.0.1", LNOB_METRICS_HOST="127.0.0.1", LNOB_SHUTDOWN_GRACE="0s")
        cls.registry_log = open(os.path.join(cls.tmp, "registry.log"), "w+")
        cls.registry = subprocess.Popen([os.path.join(BIN, "registry"), f"--ready_file={ready}"], env=env,
                                        stdout=cls.registry_log, stderr=subprocess.STDOUT)
        cls.procs.append(cls.registry)
        if not wait_for(lambda: os.path.exists(ready), timeout=15):
            cls.registry_log.seek(0)
            raise RuntimeError("registry did not become ready:\n" + cls.registry_log.read())
        with open(ready) as f:
            registry = f"127.0.0.1:{json.load(f)['grpc_port']}"
        backends = ",".join(f"lnob.registry.v1.{s}={registry}" for s in ("ReferenceDataService", "HouseholdService"))
        d = cls.certs
        tls = [f"--tls_cert={d}/server.pem", f"--tls_key={d}/server.key"]
        auth = [f"--jwt_public_keys={cls.public_keys}"]
        cls.tls_gw = cls.start_gateway("gw-tls", backends, tls + auth)
        cls.mtls_gw = cls.start_gateway("gw-mtls", backends, tls + auth + [f"--tls_client_ca={d}/client_ca.pem"])
        cls.slow = SlowBackend()
        cls.limited_gw = cls.start_gateway("gw-limited", f"{REF}=127.0.0.1:{cls.slow.port}",
                                           ["--max_concurrent_requests=2", "--rate_limit_rps=0", "--drain_timeout=10s"])

    @classmethod
    def tearDownClass(cls):
        for proc in getattr(cls, "procs", []):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if getattr(cls, "slow", None):
            cls.slow.server.stop(0)
        if getattr(cls, "registry_log", None):
            cls.registry_log.close()
        subprocess.run(["psql", dsn(), "-qc", f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)"])
        subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {cls.svc}"])
        subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {cls.owner}"])
        if getattr(cls, "tmp", None):
            shutil.rmtree(cls.tmp, ignore_errors=True)  # test keys and certificates

    # --- helpers ---------------------------------------------------------------------------

    def curl(self, url, *extra, token=True):
        """(exit code, http code, headers, body) of one curl call."""
        args = ["curl", "-s", "-D", "-", "-w", "\n%{http_code}", "--cacert", f"{self.certs}/server_ca.pem", *extra]
        if token:
            args += ["-H", f"Authorization: Bearer {self.token}"]
        p = subprocess.run(args + [url], capture_output=True, text=True)
        out, code = p.stdout.rsplit("\n", 1) if "\n" in p.stdout else ("", p.stdout)
        head, _, body = out.partition("\n\n")  # text mode: CRLF read as LF
        return p.returncode, code, head.lower(), body

    def client_cert(self, name="client"):
        return ["--cert", f"{self.certs}/{name}.pem", "--key", f"{self.certs}/{name}.key"]

    def grpc_client(self, gw, cert=None, token=True):
        client = lnob_grpc.Client(f"127.0.0.1:{gw['grpc_port']}", token=self.token if token else None)
        with open(f"{self.certs}/server_ca.pem", "rb") as f:
            root = f.read()
        key = chain = None
        if cert:
            with open(f"{self.certs}/{cert}.key", "rb") as f:
                key = f.read()
            with open(f"{self.certs}/{cert}.pem", "rb") as f:
                chain = f.read()
        creds = grpc.ssl_channel_credentials(root_certificates=root, private_key=key, certificate_chain=chain)
        client.channel = grpc.secure_channel(f"127.0.0.1:{gw['grpc_port']}", creds)  # the certificate names the IP
        return client

    def metrics(self, gw):
        return run("curl", "-s", f"http://127.0.0.1:{gw['metrics_port']}/metrics")

    def log_lines(self, gw, message):
        with open(gw["log"]) as f:
            return [json.loads(l) for l in f if l.startswith("{") and json.loads(l)["message"] == message]

    # --- TLS -------------------------------------------------------------------------------

    def test_1_https_with_curl_and_keep_alive(self):
        base = f"https://localhost:{self.tls_gw['http_port']}"
        rc, code, _, body = self.curl(base + "/v1/adminUnits/25198?asOf.year=2023&asOf.month=1&asOf.day=1")
        self.assertEqual((rc, code), (0, "200"), body)
        self.assertEqual(json.loads(body)["displayName"], "Phường Tân Đồng")
        # Two requests on one kept-alive connection: the second needs no new connection.
        out = run("curl", "-s", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n", "--cacert",
                  f"{self.certs}/server_ca.pem", base + "/healthz", base + "/healthz")
        self.assertEqual(out.split("\n")[:2], ["200 1", "200 0"])
        # Plain HTTP on the TLS port gets no answer.
        rc, code, _, _ = self.curl(f"http://localhost:{self.tls_gw['http_port']}/healthz")
        self.assertNotEqual(rc, 0)
        self.assertEqual(code, "000")
        # TLS 1.2 is the floor (the client is allowed 1.1 here; the gateway refuses it).
        old = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.tls_gw['http_port']}", "-tls1_1",
                              "-cipher", "DEFAULT@SECLEVEL=0"], input="", capture_output=True, text=True)
        self.assertIn("alert protocol version", old.stdout + old.stderr)
        new = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.tls_gw['http_port']}", "-tls1_2",
                              "-CAfile", f"{self.certs}/server_ca.pem"], input="", capture_output=True, text=True)
        self.assertIn("Verify return code: 0 (ok)", new.stdout)

    def test_2_grpc_over_tls(self):
        client = self.grpc_client(self.tls_gw)
        unit = client.call(f"{REF}/GetAdminUnit", {"name": "adminUnits/25198",
                                                   "asOf": {"year": 2023, "month": 1, "day": 1}})
        self.assertEqual(unit.display_name, "Phường Tân Đồng")
        # TLS 1.2 is the floor here too: no cipher is agreed for 1.1.
        handshake = ["openssl", "s_client", "-connect", f"127.0.0.1:{self.tls_gw['grpc_port']}", "-alpn", "h2"]
        old = subprocess.run(handshake + ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"], input=b"", capture_output=True)
        self.assertIn(b"Cipher is (NONE)", old.stdout)
        new = subprocess.run(handshake + ["-tls1_2", "-CAfile", f"{self.certs}/server_ca.pem"], input=b"",
                             capture_output=True)
        self.assertNotIn(b"Cipher is (NONE)", new.stdout)
        self.assertIn(b"Verify return code: 0 (ok)", new.stdout)
        plain = lnob_grpc.Client(f"127.0.0.1:{self.tls_gw['grpc_port']}", token=self.token)
        with self.assertRaises(grpc.RpcError) as cm:
            plain.call(f"{REF}/ListEthnicGroups", timeout=3)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)

    def test_3_mutual_tls_on_both_faces(self):
        url = f"https://localhost:{self.mtls_gw['http_port']}/v1/adminUnits/25198?asOf.year=2023&asOf.month=1&asOf.day=1"
        rc, code, _, _ = self.curl(url)  # no client certificate: the handshake is refused
        self.assertNotEqual(rc, 0)
        self.assertEqual(code, "000")
        rc, code, _, _ = self.curl(url, *self.client_cert("rogue"))  # signed by a CA not configured
        self.assertNotEqual(rc, 0)
        self.assertEqual(code, "000")
        rc, code, _, body = self.curl(url, *self.client_cert())
        self.assertEqual((rc, code), (0, "200"), body)
        rc, code, _, _ = self.curl(url, *self.client_cert(), token=False)
        self.assertEqual(code, "401")

        with self.assertRaises(grpc.RpcError) as cm:
            self.grpc_client(self.mtls_gw).call(f"{REF}/ListEthnicGroups", timeout=5)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)
        with self.assertRaises(grpc.RpcError) as cm:
            self.grpc_client(self.mtls_gw, cert="rogue").call(f"{REF}/ListEthnicGroups", timeout=5)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)
        groups = self.grpc_client(self.mtls_gw, cert="client").call(f"{REF}/ListEthnicGroups")
        self.assertEqual(len(groups.ethnic_groups), 54)
        with self.assertRaises(grpc.RpcError) as cm:
            self.grpc_client(self.mtls_gw, cert="client", token=False).call(f"{REF}/ListEthnicGroups")
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

        # The access log names the caller: the token's subject, else the certificate's CN.
        def clients(message, key, value):
            return {l["client"] for l in self.log_lines(self.mtls_gw, message) if l.get(key) == value}
        self.assertTrue(wait_for(lambda: clients("http", "status", "401") == {"cn:reporting-system"}, 5))
        self.assertEqual(clients("http", "status", "200"), {"sub:e2e-viewer"})
        self.assertTrue(wait_for(lambda: clients("rpc", "grpc_code", "Unauthenticated") == {"cn:reporting-system"}, 5))
        self.assertEqual(clients("rpc", "grpc_code", "OK"), {"sub:e2e-viewer"})

    # --- concurrency limit ------------------------------------------------------------------

    def test_4_rest_concurrency_limit(self):
        gw = self.limited_gw
        url = f"http://127.0.0.1:{gw['http_port']}/v1/ethnicGroups"
        procs = [subprocess.Popen(["curl", "-s", "-D", "-", "-w", "\n%{http_code}", url], stdout=subprocess.PIPE,
                                  text=True) for _ in range(6)]
        # While two calls wait on the backend: the gauge shows them, probes still answer.
        self.assertTrue(wait_for(lambda: metric(self.metrics(gw), "http_requests_in_flight") == 2, 5))
        self.assertEqual(run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                             f"http://127.0.0.1:{gw['http_port']}/healthz"), "200")
        results = []
        for p in procs:
            out, _ = p.communicate(timeout=30)
            out, code = out.rsplit("\n", 1)
            head, _, body = out.partition("\n\n")  # text mode: CRLF read as LF
            results.append((code, head.lower(), body))
        codes = sorted(r[0] for r in results)
        self.assertEqual(set(codes), {"200", "503"}, codes)
        self.assertGreaterEqual(codes.count("503"), 3, codes)
        for code, head, body in results:
            if code == "503":
                self.assertIn("retry-after: 1\n", head + "\n")
                err = json.loads(body)
                self.assertEqual(err["code"], 14)  # UNAVAILABLE
                self.assertEqual([d["reason"] for d in err["details"]], ["OVERLOADED"])
        text = self.metrics(gw)
        self.assertEqual(metric(text, "gateway_requests_refused_total", '{face="rest",reason="overloaded"}'),
                         codes.count("503"))
        self.assertEqual(metric(text, "http_requests_in_flight"), 0)

    def test_5_grpc_concurrency_limit(self):
        gw = self.limited_gw
        channel = grpc.insecure_channel(f"127.0.0.1:{gw['grpc_port']}")
        call = channel.unary_unary(f"/{REF}/ListEthnicGroups")  # raw bytes

        def one(_):
            try:
                call(b"", timeout=20)
                return "OK", ""
            except grpc.RpcError as e:
                return e.code().name, e.details()
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(one, range(6)))
        codes = sorted(c for c, _ in results)
        self.assertEqual(set(codes), {"OK", "RESOURCE_EXHAUSTED"}, results)
        self.assertGreaterEqual(codes.count("RESOURCE_EXHAUSTED"), 3, results)
        self.assertTrue(all("concurrency limit" in d for c, d in results if c == "RESOURCE_EXHAUSTED"))
        self.assertEqual(metric(self.metrics(gw), "gateway_requests_refused_total", '{face="grpc",reason="overloaded"}'),
                         codes.count("RESOURCE_EXHAUSTED"))
        channel.close()

    # --- access log -------------------------------------------------------------------------

    def test_6_access_log_has_the_fields_and_nothing_private(self):
        marker = "Zz" + secrets.token_hex(6)
        base = f"https://localhost:{self.tls_gw['http_port']}"
        rid = "e2e-" + secrets.token_hex(4)
        _, code, head, _ = self.curl(base + f"/v1/adminUnits/25198?asOf.year=2023&note={marker}", "-H",
                                     f"x-request-id: {rid}")
        self.assertIn(f"x-request-id: {rid}", head)
        body = json.dumps({"date": {"year": 2027, "month": 1, "day": 1}, "areaType": "AREA_TYPE_RURAL",
                           "incomePerCapitaVnd": "2200000", "deprivedIndicators": ["D01"], "x": marker})
        self.curl(base + "/v1/povertyStandards:classify", "-H", "Content-Type: application/json", "--data-binary", body)
        self.grpc_client(self.tls_gw).call(f"{REF}/GetAdminUnit", {"name": "adminUnits/25198",
                                                                   "asOf": {"year": 2023, "month": 1, "day": 1}},
                                           metadata=[("x-note", marker)])
        self.assertTrue(wait_for(lambda: any(l["grpc_method"] == "GetAdminUnit"
                                             for l in self.log_lines(self.tls_gw, "rpc")), 5))
        with open(self.tls_gw["log"]) as f:
            text = f.read()
        self.assertNotIn(marker, text)  # neither query strings, bodies nor metadata
        self.assertNotIn("adminUnits/25198", text)  # concrete paths neither
        http_lines = self.log_lines(self.tls_gw, "http")
        self.assertTrue(http_lines)
        for line in http_lines:
            self.assertEqual(set(line) - ENVELOPE, HTTP_FIELDS, line)
            self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        mine = [l for l in http_lines if l["request_id"] == rid]
        self.assertEqual(len(mine), 1)
        self.assertEqual((mine[0]["route"], mine[0]["method"], mine[0]["status"], mine[0]["client"]),
                         ("/v1/{name=adminUnits/*}", "GET", code, "sub:e2e-viewer"))
        classify = [l for l in http_lines if l["route"] == "/v1/povertyStandards:classify"][-1]
        # The viewer may not classify: refused from the headers, its body never read.
        self.assertEqual((classify["method"], classify["status"], classify["bytes_in"]), ("POST", "403", "0"))
        self.assertGreater(int(classify["bytes_out"]), 0)
        rpc_lines = self.log_lines(self.tls_gw, "rpc")
        for line in rpc_lines:
            self.assertEqual(set(line) - ENVELOPE, RPC_FIELDS, line)
        get = [l for l in rpc_lines if l["grpc_method"] == "GetAdminUnit"][-1]
        self.assertEqual((get["grpc_service"], get["grpc_code"], get["client"]), (REF, "OK", "sub:e2e-viewer"))
        self.assertGreater(int(get["bytes_in"]), 0)
        self.assertGreater(int(get["bytes_out"]), 0)

    # --- configuration errors and shutdown ----------------------------------------------------

    def test_7_tls_configuration_errors_stop_the_start(self):
        d = self.certs
        cases = [([f"--tls_cert={d}/server.pem"], "--tls_key"),
                 ([f"--tls_cert={d}/server.pem", f"--tls_key={d}/client.key"], "--tls_key"),
                 ([f"--tls_client_ca={d}/client_ca.pem"], "--tls_client_ca"),
                 ([f"--tls_cert={d}/server.pem", f"--tls_key={d}/server.key", f"--tls_client_ca={d}/missing.pem"],
                  "--tls_client_ca"),
                 ([f"--tls_cert={d}/server.key", f"--tls_key={d}/server.key"], "--tls_cert"),
                 (["--max_concurrent_requests=0"], "--max_concurrent_requests"),
                 (["--http_threads=1"], "--http_threads")]
        for args, flag in cases:
            p = subprocess.run([os.path.join(BIN, "gateway"), "--http_port=0", "--grpc_port=0", "--metrics_port=0",
                                "--listen_host=127.0.0.1"] + args, capture_output=True, text=True, timeout=10)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(flag, p.stderr, args)

    def test_9_sigterm_finishes_requests_in_flight(self):
        gw = self.limited_gw
        url = f"http://127.0.0.1:{gw['http_port']}/v1/ethnicGroups"
        result = {}

        def slow_call():
            result["out"] = run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url)
        t = threading.Thread(target=slow_call)
        t.start()
        self.assertTrue(wait_for(lambda: metric(self.metrics(gw), "http_requests_in_flight") == 1, 5))
        gw["proc"].send_signal(signal.SIGTERM)
        # New connections are refused at once while the request in flight finishes.
        self.assertTrue(wait_for(lambda: subprocess.run(["curl", "-s", "-o", "/dev/null", url]).returncode == 7, 2))
        t.join(timeout=15)
        self.assertEqual(result.get("out"), "200")
        self.assertEqual(gw["proc"].wait(timeout=15), 0)
        with open(gw["log"]) as f:
            messages = [json.loads(l)["message"] for l in f if l.startswith("{")]
        self.assertEqual(messages[-1], "stopped")
        self.assertNotIn("REST requests cancelled at shutdown", messages)


if __name__ == "__main__":
    unittest.main(verbosity=2)

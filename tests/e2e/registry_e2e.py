#!/usr/bin/python3
"""End-to-end: the real registry binary and lnobctl, called by python3-grpcio.

Run by ctest through ./lnob test, which provides a PostgreSQL (LNOB_TEST_*). Covers
reflection, health, a minted token, PostgreSQL stopped and restarted under the running
service, and graceful shutdown on SIGTERM.
"""
import base64
import json
import os
import secrets
import signal
import subprocess
import tempfile
import time
import unittest
import uuid

import grpc

import lnob_grpc
from lnob_e2e import dsn, run, wait_for  # noqa: E402

BUILD = os.environ.get("LNOB_BUILD_DIR", "build")
BIN = os.path.join(BUILD, "bin")
ADMIN = os.environ.get("LNOB_TEST_ADMIN_URL")
PG_SH = os.environ.get("LNOB_TEST_PG_SH")
PG_DIR = os.environ.get("LNOB_TEST_PG_DIR")
SVC = "lnob.registry.v1.ReferenceDataService"


class RegistryE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ADMIN:
            raise RuntimeError("LNOB_TEST_ADMIN_URL is not set: run through ./lnob test")
        suffix = secrets.token_hex(4)
        cls.db = f"e2e_{suffix}"
        cls.owner, cls.svc = f"lnob_registry_owner_{suffix}", f"lnob_registry_{suffix}"
        run("psql", dsn(), "-qc", f"CREATE DATABASE {cls.db}")
        lnobctl = os.path.join(BIN, "lnobctl")
        run(lnobctl, "bootstrap", f"--admin_url={dsn(dbname=cls.db)}", "--service=registry",
            f"--owner_role={cls.owner}", f"--service_role={cls.svc}",
            "--owner_password=o-" + suffix, "--service_password=s-" + suffix)
        run(lnobctl, "migrate", "--service=registry",
            f"--database_url={dsn(dbname=cls.db, user=cls.owner, password='o-' + suffix)}")
        service_url = dsn(dbname=cls.db, user=cls.svc, password="s-" + suffix)
        out = run(lnobctl, "refdata", "load", f"--database_url={service_url}")
        assert "units +401" in out, out
        cls.tmp = tempfile.mkdtemp(prefix="lnob-e2e-", dir=os.environ.get("LNOB_TEST_TMP"))  # removed by ./lnob test
        run(lnobctl, "keys", f"--dir={cls.tmp}")
        cls.token = run(lnobctl, "token", f"--private_key={cls.tmp}/jwt_private.pem",
                        "--roles=VIEWER,REVIEWER", "--ttl=10m").strip()
        cls.admin_token = run(lnobctl, "token", f"--private_key={cls.tmp}/jwt_private.pem",
                              "--roles=PROVINCE_ADMIN", "--ttl=10m").strip()
        cls.ready = os.path.join(cls.tmp, "ready.json")
        env = dict(os.environ,
                   LNOB_DATABASE_URL=service_url,
                   LNOB_JWT_PUBLIC_KEYS=f"{cls.tmp}/jwt_public.pem",
                   LNOB_PAGE_TOKEN_SECRET=secrets.token_hex(16),
                   LNOB_GRPC_PORT="0", LNOB_METRICS_PORT="0", LNOB_LISTEN_HOST="127.0.0.1",
                   LNOB_HEALTH_INTERVAL="200ms", LNOB_SHUTDOWN_GRACE="100ms")
        cls.log = open(os.path.join(cls.tmp, "registry.log"), "w+")
        cls.proc = subprocess.Popen([os.path.join(BIN, "registry"), f"--ready_file={cls.ready}"],
                                    env=env, stdout=cls.log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: os.path.exists(cls.ready), timeout=15):
            cls.log.seek(0)
            raise RuntimeError("registry did not become ready:\n" + cls.log.read())
        with open(cls.ready) as f:
            ports = json.load(f)
        cls.target = f"127.0.0.1:{ports['grpc_port']}"
        cls.client = lnob_grpc.Client(cls.target, token=cls.token)
        # The REST gateway in front of it.
        cls.gw_ready = os.path.join(cls.tmp, "gateway.json")
        backends = ",".join(f"lnob.registry.v1.{s}={cls.target}" for s in ("ReferenceDataService", "HouseholdService"))
        cls.gw_log = open(os.path.join(cls.tmp, "gateway.log"), "w+")
        cls.gateway = subprocess.Popen([os.path.join(BIN, "gateway"), f"--ready_file={cls.gw_ready}", "--http_port=0",
                                        "--metrics_port=0", "--listen_host=127.0.0.1", "--metrics_host=127.0.0.1",
                                        f"--backends={backends}", f"--jwt_public_keys={cls.tmp}/jwt_public.pem",
                                        "--rate_limit_rps=2", "--rate_limit_burst=60", "--max_body_bytes=65536"],
                                       stdout=cls.gw_log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: os.path.exists(cls.gw_ready), timeout=15):
            raise RuntimeError("gateway did not become ready")
        with open(cls.gw_ready) as f:
            gw = json.load(f)
        cls.rest = f"http://127.0.0.1:{gw['http_port']}"
        cls.gw_metrics = f"http://127.0.0.1:{gw['metrics_port']}/metrics"

    @classmethod
    def tearDownClass(cls):
        if cls.gateway.poll() is None:
            cls.gateway.terminate()
            cls.gateway.wait(timeout=10)
        if cls.proc.poll() is None:
            cls.proc.kill()
        subprocess.run(["psql", dsn(), "-qc", f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)"])
        subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {cls.svc}"])
        subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {cls.owner}"])

    def test_1_reflection_lists_services(self):
        names = self.client.reflection_services()
        self.assertIn(SVC, names)
        self.assertIn("grpc.health.v1.Health", names)

    def test_2_health_serving(self):
        self.assertEqual(self.client.health(""), "SERVING")
        self.assertEqual(self.client.health(SVC), "SERVING")

    def test_3_classify_with_minted_token(self):
        resp = self.client.to_dict(self.client.call(f"{SVC}/ClassifyProfile", {
            "date": {"year": 2025, "month": 9, "day": 1}, "unitCode": "25270",
            "incomePerCapitaVnd": "1500000", "deprivedIndicators": ["D01", "D04", "D09"]}))
        self.assertEqual(resp["classification"], "POOR")
        self.assertEqual(resp["standardId"], "PS_2022_2025")
        self.assertEqual(resp["areaType"], "AREA_TYPE_RURAL")  # Xã Lộc Ninh before 30/04/2026

    def _household_record(self, i, cid=None):
        members = [{"fullName": f"Điểu Thị {i}", "sex": "FEMALE", "ethnicityCode": "22", "relation": "HEAD",
                    "birthDate": {"year": 1985, "month": 3, "day": 4}}]
        if cid:
            members[0]["citizenId"] = cid
        return {"externalId": f"E2E-{i}", "household": {"communeCode": "25195", "members": members},
                "reviews": [{"kind": "PERIODIC", "reviewDate": {"year": 2024, "month": 10, "day": 2},
                             "incomePerCapitaVnd": "1200000",
                             "indicators": [{"code": f"D{k:02d}", "deprived": k <= 3} for k in range(1, 13)],
                             "decisionNumber": "7/QĐ-UBND", "decisionDate": {"year": 2024, "month": 12, "day": 20}}]}

    def _import(self, import_id, records, stop_after=None):
        from google.protobuf import json_format
        svc = "lnob.registry.v1.HouseholdService"
        req_cls = self.admin.message_class("lnob.registry.v1.ImportHouseholdsRequest")
        resp_cls = self.admin.message_class("lnob.registry.v1.ImportHouseholdsResponse")
        stub = self.admin.channel.stream_unary(f"/{svc}/ImportHouseholds",
                                               request_serializer=req_cls.SerializeToString,
                                               response_deserializer=resp_cls.FromString)

        def messages():
            yield req_cls(import_id=import_id)
            for n, rec in enumerate(records):
                if stop_after is not None and n >= stop_after:
                    time.sleep(1.0)  # let the server commit what it has, then go away
                    raise RuntimeError("client killed")
                msg = req_cls(row_number=n + 2)
                json_format.ParseDict(rec, msg.record)
                yield msg
        return stub(messages(), timeout=60, metadata=self.admin.metadata())

    def test_3a_household_workflow_over_grpc(self):
        self.__class__.admin = lnob_grpc.Client(self.target, token=self.admin_token)
        svc = "lnob.registry.v1.HouseholdService"
        h = self.admin.call(f"{svc}/CreateHousehold", {"household": {
            "communeCode": "25195", "members": [{"fullName": "Nguyễn Văn Ánh", "sex": "MALE",
                                                  "ethnicityCode": "01", "relation": "HEAD"}]},
            "requestId": "5b0b6a4e-1111-4c1e-9d5a-0a1b2c3d4e5f"})
        again = self.admin.call(f"{svc}/CreateHousehold", {"household": {
            "communeCode": "25195", "members": [{"fullName": "Nguyễn Văn Ánh", "sex": "MALE",
                                                  "ethnicityCode": "01", "relation": "HEAD"}]},
            "requestId": "5b0b6a4e-1111-4c1e-9d5a-0a1b2c3d4e5f"})
        self.assertEqual(h.name, again.name)  # idempotent replay
        found = self.admin.call(f"{svc}/ListHouseholds", {"nameQuery": "nguyen van anh"})
        self.assertEqual([x.name for x in found.households], [h.name])
        review = self.admin.call(f"{svc}/CreateReview", {"parent": h.name, "review": {
            "kind": "ONGOING", "reviewDate": {"year": 2025, "month": 2, "day": 17}, "incomePerCapitaVnd": "1000000",
            "indicators": [{"code": f"D{k:02d}", "deprived": k <= 3} for k in range(1, 13)]}})
        self.assertEqual(review.computed_class, 1)  # POOR
        with self.assertRaises(grpc.RpcError) as cm:  # DRAFT cannot be approved
            self.admin.call(f"{svc}/ApproveReview", {"name": review.name, "decisionNumber": "1",
                                                     "decisionDate": {"year": 2025, "month": 3, "day": 20}})
        self.assertEqual(cm.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.admin.call(f"{svc}/SubmitReview", {"name": review.name})
        self.admin.call(f"{svc}/PostReview", {"name": review.name, "postedOn": {"year": 2025, "month": 3, "day": 10}})
        approve = {"name": review.name, "decisionNumber": "1/QĐ-UBND", "decisionDate": {"year": 2025, "month": 3, "day": 20},
                   "consultedOn": {"year": 2025, "month": 3, "day": 18}, "consultationDocument": "31/UBND"}
        with self.assertRaises(grpc.RpcError) as cm:  # maker-checker: the submitter cannot approve
            self.admin.call(f"{svc}/ApproveReview", approve)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        checker = run(os.path.join(BIN, "lnobctl"), "token", f"--private_key={self.tmp}/jwt_private.pem",
                      "--roles=PROVINCE_ADMIN", "--subject=e2e-checker", "--ttl=10m").strip()
        lnob_grpc.Client(self.target, token=checker).call(f"{svc}/ApproveReview", approve)
        cls_then = self.admin.call(f"{svc}/GetClassification", {"name": h.name, "asOf": {"year": 2025, "month": 3, "day": 19}})
        cls_now = self.admin.call(f"{svc}/GetClassification", {"name": h.name})
        self.assertEqual(cls_then.classification, 0)
        self.assertEqual(cls_now.classification, 1)

    def test_3b_import_killed_midway_then_resent(self):
        records = [self._household_record(i, cid=f"070185{i:06d}") for i in range(2500)]
        import_id = "7e57e57e-0000-4000-8000-000000000001"
        with self.assertRaises(grpc.RpcError):
            self._import(import_id, records, stop_after=1500)
        resp = self._import(import_id, records)
        self.assertEqual(resp.rows_failed, 0)
        self.assertEqual(resp.rows_committed + resp.rows_already_done, 2500)
        self.assertGreaterEqual(resp.rows_already_done, 1000)  # the first full batch survived the kill
        again = self._import(import_id, records)
        self.assertEqual(again.rows_committed, 0)
        total = run("psql", dsn(dbname=self.db), "-Atc",
                    "SELECT count(*) FROM registry.households WHERE external_id LIKE 'E2E-%'")
        self.assertEqual(int(total.strip()), 2500)

    def test_3bb_village_register_from_csv_with_lnobctl(self):
        # The demo's synthetic villages of one commune, plus a row the registry refuses.
        lnobctl = os.path.join(BIN, "lnobctl")
        demo = run(lnobctl, "demo", "villages").splitlines()
        rows = [demo[0]] + [r for r in demo[1:] if r.startswith("25333,")]
        self.assertEqual(len(rows), 19)  # header + Ấp 1-9 + Sóc 1-9
        rows.append("25333,,2021-01-01,test,1")  # no name
        path = os.path.join(self.tmp, "villages.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
        cmd = [lnobctl, "import", "villages", path, f"--target={self.target}", f"--token={self.admin_token}"]
        first = subprocess.run(cmd, capture_output=True, text=True)
        self.assertEqual(first.returncode, 3, first.stdout + first.stderr)
        self.assertIn("18 created", first.stdout)
        self.assertIn("line 20: ", first.stdout)
        self.assertIn("display_name", first.stdout)
        again = subprocess.run(cmd, capture_output=True, text=True)  # same file: nothing twice
        self.assertEqual(again.returncode, 3)
        count = run("psql", dsn(dbname=self.db), "-Atc",
                    "SELECT count(*) FROM registry.villages WHERE commune_code = '25333' AND synthetic")
        self.assertEqual(int(count.strip()), 18)
        # A household of that commune must name one of them; the match ignores diacritics.
        admin = lnob_grpc.Client(self.target, token=self.admin_token)
        svc = "lnob.registry.v1.HouseholdService"
        household = {"communeCode": "25333", "village": "soc 4", "registeredOn": {"year": 2022, "month": 1, "day": 5},
                     "members": [{"fullName": "Thị Village", "relation": "HEAD", "ethnicityCode": "16",
                                  "sex": "FEMALE", "birthDate": {"year": 1990, "month": 1, "day": 1}}]}
        made = admin.call(f"{svc}/CreateHousehold", {"household": household, "requestId": str(uuid.uuid4())})
        self.assertEqual(made.village, "Sóc 4")
        self.assertTrue(made.village_ref.startswith("villages/"))
        household["village"] = "Thôn Lạ"
        with self.assertRaises(grpc.RpcError) as refused:
            admin.call(f"{svc}/CreateHousehold", {"household": household, "requestId": str(uuid.uuid4())})
        self.assertEqual(refused.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("household.village", refused.exception.details())

    def test_3c_watch_changes_resumes_from_a_cursor(self):
        svc = "lnob.registry.v1.HouseholdService"
        req_cls = self.admin.message_class("lnob.registry.v1.WatchChangesRequest")
        ev_cls = self.admin.message_class("lnob.registry.v1.ChangeEvent")
        stub = self.admin.channel.unary_stream(f"/{svc}/WatchChanges", request_serializer=req_cls.SerializeToString,
                                               response_deserializer=ev_cls.FromString)

        def take(cursor, n):
            out = []
            call = stub(req_cls(from_cursor=cursor), timeout=20, metadata=self.admin.metadata())
            for ev in call:
                out.append(ev.cursor)
                if len(out) == n:
                    call.cancel()
                    break
            return out
        first = take(0, 100)
        second = take(first[-1], 100)
        cursors = first + second
        self.assertEqual(cursors, list(range(cursors[0], cursors[0] + 200)))

    def _curl(self, method, path, body=None, token=True):
        args = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, self.rest + path]
        if token:
            args += ["-H", f"Authorization: Bearer {self.admin_token}"]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", body]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        payload, status = out.rsplit("\n", 1)
        return int(status), (json.loads(payload) if payload else None)

    def test_3d_rest_through_the_gateway_with_curl(self):
        status, unit = self._curl("GET", "/v1/adminUnits/25198?asOf.year=2023&asOf.month=1&asOf.day=1")
        self.assertEqual(status, 200)
        self.assertEqual(unit["displayName"], "Phường Tân Đồng")
        status, listed = self._curl("GET", "/v1/adminUnits?parentCode=70&asOf.year=2023&asOf.month=6&asOf.day=1")
        self.assertEqual((status, len(listed["adminUnits"])), (200, 11))
        status, cls = self._curl("POST", "/v1/povertyStandards:classify", json.dumps(
            {"date": {"year": 2027, "month": 1, "day": 1}, "areaType": "AREA_TYPE_RURAL",
             "incomePerCapitaVnd": "2200000", "deprivedIndicators": ["D01", "D02", "D03"]}))
        self.assertEqual((status, cls["classification"], cls["standardId"]), (200, "POOR", "PS_2027_2030"))
        status, found = self._curl("GET", "/v1/households?nameQuery=nguyen%20van%20anh")
        self.assertEqual(status, 200)
        self.assertEqual(len(found["households"]), 1)
        # Errors: JSON {code, message, details} with the HTTP status of the one table.
        status, err = self._curl("GET", "/v1/adminUnits/25195", token=False)
        self.assertEqual((status, err["code"]), (401, 16))
        status, err = self._curl("GET", "/v1/adminUnits/99999")
        self.assertEqual((status, err["code"]), (404, 5))
        status, err = self._curl("POST", "/v1/povertyStandards:classify", '{"areaType": ')
        self.assertEqual(status, 400)
        bad_request = [d for d in err["details"] if d["@type"].endswith("google.rpc.BadRequest")][0]
        self.assertEqual(bad_request["fieldViolations"][0]["field"], "body")
        status, err = self._curl("GET", "/v1/adminUnits?pageSize=lots")
        self.assertEqual(status, 400)
        self.assertIn("pageSize", json.dumps(err))
        status, _ = self._curl("DELETE", "/v1/adminUnits/25195")
        self.assertEqual(status, 405)
        status, _ = self._curl("GET", "/v1/nowhere")
        self.assertEqual(status, 404)
        # The gateway verifies tokens itself: a forged one never reaches the service.
        status, err = self._curl("GET", "/v1/adminUnits/25195", token=False)
        self.assertEqual(status, 401)
        forged = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                                 "Authorization: Bearer a.b.c", self.rest + "/v1/adminUnits/25195"],
                                check=True, capture_output=True, text=True).stdout
        self.assertEqual(forged, "401")
        spec = json.loads(subprocess.run(["curl", "-s", self.rest + "/openapi.json"], check=True,
                                         capture_output=True, text=True).stdout)
        self.assertEqual(spec["openapi"], "3.0.3")
        self.assertIn("/v1/povertyStandards:classify", spec["paths"])
        ready = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", self.rest + "/readyz"],
                               check=True, capture_output=True, text=True).stdout
        self.assertEqual(ready, "200")
        metrics = subprocess.run(["curl", "-s", self.gw_metrics], check=True, capture_output=True, text=True).stdout
        self.assertIn('http_requests_total{code="200",method="GET",route="/v1/{name=adminUnits/*}"}', metrics)

    def test_3e_gateway_limits_rate_and_body_size(self):
        big = '{"note": "' + "x" * 70000 + '"}'
        status, err = self._curl("POST", "/v1/povertyStandards:classify", big)
        self.assertEqual(status, 413)
        # A burst above the bucket (60, refilled at 2/s) gets 429 with Retry-After.
        codes = []
        for _ in range(80):
            out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-D", "-", "-w", "%{http_code}",
                                  "-H", f"Authorization: Bearer {self.token}", self.rest + "/v1/ethnicGroups"],
                                 check=True, capture_output=True, text=True).stdout
            codes.append(out[-3:])
            if out.endswith("429"):
                self.assertIn("retry-after:", out.lower())
                break
        self.assertIn("429", codes)

    def test_3f_backend_deadline_is_504_and_backend_down_is_503(self):
        backends = ",".join(f"lnob.registry.v1.{s}={self.target}" for s in ("ReferenceDataService",))
        ready = os.path.join(self.tmp, "gw-timeout.json")
        gw = subprocess.Popen([os.path.join(BIN, "gateway"), f"--ready_file={ready}", "--http_port=0", "--metrics_port=0",
                               "--listen_host=127.0.0.1", "--metrics_host=127.0.0.1", f"--backends={backends}",
                               "--timeout=1us"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        down_ready = os.path.join(self.tmp, "gw-down.json")
        port = json.loads(run("/usr/bin/python3", "-c",
                              "import socket,json; s=socket.socket(); s.bind(('127.0.0.1',0)); print(json.dumps(s.getsockname()[1]))"))
        gw_down = subprocess.Popen([os.path.join(BIN, "gateway"), f"--ready_file={down_ready}", "--http_port=0",
                                    "--metrics_port=0", "--listen_host=127.0.0.1", "--metrics_host=127.0.0.1",
                                    f"--backends=lnob.registry.v1.ReferenceDataService=127.0.0.1:{port}",
                                    "--timeout=2s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.assertTrue(wait_for(lambda: os.path.exists(ready) and os.path.exists(down_ready)))
            for path, expected in ((ready, "504"), (down_ready, "503")):
                with open(path) as f:
                    base = f"http://127.0.0.1:{json.load(f)['http_port']}"
                code = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                       "-H", f"Authorization: Bearer {self.token}", base + "/v1/ethnicGroups"],
                                      check=True, capture_output=True, text=True).stdout
                self.assertEqual(code, expected, path)
        finally:
            gw.terminate()
            gw_down.terminate()
            gw.wait(timeout=10)
            gw_down.wait(timeout=10)

    def test_4_missing_token_is_unauthenticated(self):
        anon = lnob_grpc.Client(self.target)
        with self.assertRaises(grpc.RpcError) as cm:
            anon.call(f"{SVC}/ListEthnicGroups")
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

    def test_4b_commune_role_without_scope_is_refused(self):
        # lnobctl refuses to mint such a token; a client could still sign one with a trusted
        # key (here with openssl), and the service must not read the missing scope as the
        # whole province.
        def b64(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        now = int(time.time())
        header = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
        claims = b64(json.dumps({"iss": "lnob", "aud": "lnob.registry", "sub": "unscoped-officer", "iat": now,
                                 "nbf": now - 5, "exp": now + 600, "roles": ["COMMUNE_OFFICER"]}).encode())
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{self.tmp}/jwt_private.pem"],
                                   input=f"{header}.{claims}".encode(), capture_output=True, check=True).stdout
        unscoped = lnob_grpc.Client(self.target, token=f"{header}.{claims}.{b64(signature)}")
        with self.assertRaises(grpc.RpcError) as cm:
            unscoped.call(f"{SVC}/ListEthnicGroups")
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("area scope", cm.exception.details())
        # The same role with a scope is served.
        scoped = run(os.path.join(BIN, "lnobctl"), "token", f"--private_key={self.tmp}/jwt_private.pem", "--roles=COMMUNE_OFFICER",
                     "--scope=25195", "--ttl=10m").strip()
        lnob_grpc.Client(self.target, token=scoped).call(f"{SVC}/ListEthnicGroups")
        # lnobctl itself refuses to mint the unscoped one.
        refused = subprocess.run([os.path.join(BIN, "lnobctl"), "token", f"--private_key={self.tmp}/jwt_private.pem",
                                  "--roles=COMMUNE_OFFICER"], capture_output=True, text=True)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("--scope", refused.stderr)

    def test_4c_a_simulation_of_the_demo_province_equals_an_independent_count(self):
        """2,000 demo households imported with lnobctl, then NĐ 351/2025's standard simulated on the
        lists in force on 30 June 2025. The test counts the same from the CSV with the rule as the
        brief words it: each household's latest review by then; income at or below the area's line
        with at least the minimum deprivations of the new set is certainly poor, with one short
        (D13, which no review assessed, could make it) possibly poor; no review: possibly poor.
        Compared commune by commune, in the communes only the demo's households live in."""
        import csv
        lnobctl = os.path.join(BIN, "lnobctl")
        path = os.path.join(self.tmp, "demo.csv")
        run(lnobctl, "demo", "generate", "--households=2000", f"--out={path}")
        # Rows refused here (a village the commune's register of an earlier test lacks, a citizen ID
        # an earlier test took) exit 3; the count takes the households that are in.
        done = subprocess.run([lnobctl, "import", "households", path, f"--target={self.target}",
                               f"--token={self.admin_token}", "--progress=plain"], capture_output=True, text=True)
        self.assertIn(done.returncode, (0, 3), done.stderr)
        imported = set(run("psql", dsn(dbname=self.db), "-Atc",
                           "SELECT external_id FROM registry.households WHERE external_id LIKE 'BP-%'").split())
        self.assertGreater(len(imported), 1500)
        admin = lnob_grpc.Client(self.target, token=self.admin_token)
        day = {"year": 2025, "month": 6, "day": 30}
        ref = "lnob.registry.v1.ReferenceDataService"
        std = admin.to_dict(admin.call(f"{ref}/GetPovertyStandard", {"name": "povertyStandards/PS_2027_2030"}))
        lines = {line["areaType"]: int(line["incomeLineVnd"]) for line in std["lines"]}
        codes = {i["code"] for i in std["indicators"]}
        minimum = int(std["minDeprivationsPoor"])
        households, latest = {}, {}
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if row["external_id"] not in imported:
                    continue
                if row["type"] == "H":
                    households[row["external_id"]] = (row["commune_code"], row["registered_on"])
                elif row["type"] == "R" and row["decision_date"] <= "2025-06-30":
                    prior = latest.get(row["external_id"])
                    if prior is None or row["decision_date"] >= prior["decision_date"]:
                        latest[row["external_id"]] = row
        area = {}
        want = {}
        for ext, (commune, registered) in households.items():
            if registered > "2025-06-30" and ext not in latest:
                continue  # not yet registered on the day, nor on a list
            if commune not in area:
                unit = admin.to_dict(admin.call(f"{ref}/GetAdminUnit", {"name": f"adminUnits/{commune}", "asOf": day}))
                area[commune] = unit.get("areaType", "AREA_TYPE_RURAL")
            r = latest.get(ext)
            certain = possible = False
            if r is None or r["proxy_score"] or r["baseline_class"]:
                possible = True  # income unknown, and enough indicators unknown
            else:
                assessed = {f"D{i:02d}" for i in range(1, 13)}
                known = len(set(r["deprived_indicators"].split(";")) & codes - {""})
                unknown = len(codes - assessed)
                if int(r["income_per_capita_vnd"]) <= lines[area[commune]]:
                    certain = known >= minimum
                    possible = known + unknown >= minimum
            w = want.setdefault(commune, [0, 0, 0])
            w[0] += 1
            w[1] += certain
            w[2] += possible
        op = admin.call("lnob.registry.v1.SimulationService/StartSimulation", {
            "requestId": str(uuid.uuid4()), "standard": "povertyStandards/PS_2027_2030", "asOf": day})
        for _ in range(600):
            if op.state != "RUNNING":
                break
            time.sleep(0.1)
            op = admin.call("lnob.registry.v1.SimulationService/GetSimulationOperation", {"name": op.name})
        self.assertEqual(op.state, "SUCCEEDED", op.error_message)
        sim = admin.call("lnob.registry.v1.SimulationService/GetSimulation", {"name": op.simulation})
        got = {c.unit_code: [c.households, c.poor_best, c.poor_worst] for c in sim.by_commune}
        others = set(run("psql", dsn(dbname=self.db), "-Atc",
                         "SELECT DISTINCT commune_code FROM registry.households"
                         " WHERE external_id IS NULL OR external_id NOT LIKE 'BP-%'").split())
        compared = {c: w for c, w in want.items() if c not in others}
        self.assertGreater(len(compared), 20)
        self.assertEqual({c: got.get(c) for c in compared}, compared)
        self.assertGreater(sum(w[1] for w in compared.values()), 0)

    def test_5_postgres_restart_under_running_service(self):
        run(PG_SH, "stop", PG_DIR)
        try:
            self.assertTrue(wait_for(lambda: self.client.health(SVC) == "NOT_SERVING"),
                            "health did not turn NOT_SERVING")
            with self.assertRaises(grpc.RpcError) as cm:
                self.client.call(f"{SVC}/ListEthnicGroups")
            self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)
        finally:
            run(PG_SH, "start", PG_DIR)
        self.assertTrue(wait_for(lambda: self.client.health(SVC) == "SERVING"),
                        "health did not return to SERVING")
        resp = self.client.call(f"{SVC}/ListEthnicGroups")
        self.assertEqual(len(resp.ethnic_groups), 54)
        self.assertIsNone(self.proc.poll(), "the service must not have restarted")

    def test_5b_gateway_not_ready_while_postgres_is_down(self):
        run(PG_SH, "stop", PG_DIR)
        try:
            code = lambda: subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", self.rest + "/readyz"],
                                          capture_output=True, text=True).stdout
            self.assertTrue(wait_for(lambda: code() == "503"), "readyz did not turn 503")
        finally:
            run(PG_SH, "start", PG_DIR)
        self.assertTrue(wait_for(lambda: self.client.health(SVC) == "SERVING"))

    def test_6_sigterm_drains_and_exits_cleanly(self):
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=30), 0)
        self.log.seek(0)
        lines = [json.loads(l) for l in self.log.read().splitlines() if l.startswith("{")]
        messages = [l["message"] for l in lines]
        self.assertIn("health NOT_SERVING", messages)
        self.assertEqual(messages[-1], "stopped")
        rpc_lines = [l for l in lines if l["message"] == "rpc"]
        self.assertTrue(rpc_lines)
        for l in rpc_lines:
            self.assertEqual(len(l["trace_id"]), 32)
            self.assertTrue(l["request_id"])
            self.assertEqual(l["service"], "registry")


if __name__ == "__main__":
    unittest.main(verbosity=2)

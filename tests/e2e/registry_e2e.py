#!/usr/bin/python3
"""End-to-end: the real registry binary and lnobctl, called by python3-grpcio.

Run by ctest through ./lnob test, which provides a PostgreSQL (LNOB_TEST_*). Covers
reflection, health, a minted token, PostgreSQL stopped and restarted under the running
service, and graceful shutdown on SIGTERM.
"""
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

import lnob_grpc

BUILD = os.environ.get("LNOB_BUILD_DIR", "build")
BIN = os.path.join(BUILD, "bin")
ADMIN = os.environ.get("LNOB_TEST_ADMIN_URL")
PG_SH = os.environ.get("LNOB_TEST_PG_SH")
PG_DIR = os.environ.get("LNOB_TEST_PG_DIR")
SVC = "lnob.registry.v1.ReferenceDataService"


def dsn(**overrides):
    kv = dict(p.split("=", 1) for p in ADMIN.split())
    kv.update(overrides)
    return " ".join(f"{k}={v}" for k, v in kv.items())


def run(*args, **kw):
    return subprocess.run(list(args), check=True, capture_output=True, text=True, **kw).stdout


def wait_for(pred, timeout=20.0, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if pred():
                return True
        except grpc.RpcError:
            pass
        time.sleep(step)
    return False


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
        cls.tmp = tempfile.mkdtemp(prefix="lnob-e2e-")
        run(lnobctl, "keys", f"--dir={cls.tmp}")
        cls.token = run(lnobctl, "token", f"--private_key={cls.tmp}/jwt_private.pem",
                        "--roles=VIEWER,REVIEWER", "--ttl=10m").strip()
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

    @classmethod
    def tearDownClass(cls):
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

    def test_4_missing_token_is_unauthenticated(self):
        anon = lnob_grpc.Client(self.target)
        with self.assertRaises(grpc.RpcError) as cm:
            anon.call(f"{SVC}/ListEthnicGroups")
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

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

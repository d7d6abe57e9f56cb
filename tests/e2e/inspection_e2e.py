#!/usr/bin/python3
"""End-to-end: the real registry, funding and inspection binaries on a real PostgreSQL, called
by python3-grpcio.

Run by ctest through ./lnob test (LNOB_TEST_*). A finding cites a real support line, checked by
funding under the caller's token and frozen; its hold reaches funding through inspection's
change feed, and funding refuses to pay or deliver the line until the hold is lifted; the feed
resumes across a restart of either service; a recovery reaches funding's report (disbursed,
recovered, net).
"""
import json
import os
import secrets
import signal
import subprocess
import tempfile
import unittest
import warnings

import grpc

import lnob_grpc
from lnob_e2e import dsn, run, free_port, wait_for  # noqa: E402

BUILD = os.environ.get("LNOB_BUILD_DIR", "build")
BIN = os.path.join(BUILD, "bin")
ADMIN = os.environ.get("LNOB_TEST_ADMIN_URL")
HH = "lnob.registry.v1.HouseholdService"
FUND = "lnob.funding.v1.FundingService"
SUP = "lnob.funding.v1.SupportService"
INS = "lnob.inspection.v1.InspectionService"
SERVICES = ("registry", "funding", "inspection")


def date(y, m, d):
    return {"year": y, "month": m, "day": d}


class InspectionE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ADMIN:
            raise RuntimeError("LNOB_TEST_ADMIN_URL is not set: run through ./lnob test")
        suffix = secrets.token_hex(4)
        cls.suffix = suffix
        cls.db = f"ie2e_{suffix}"
        run("psql", dsn(), "-qc", f"CREATE DATABASE {cls.db}")
        lnobctl = os.path.join(BIN, "lnobctl")
        cls.urls = {}
        for svc in SERVICES:
            owner, role = f"lnob_{svc}_owner_{suffix}", f"lnob_{svc}_{suffix}"
            run(lnobctl, "bootstrap", f"--admin_url={dsn(dbname=cls.db)}", f"--service={svc}",
                f"--owner_role={owner}", f"--service_role={role}",
                "--owner_password=o-" + suffix, "--service_password=s-" + suffix)
            run(lnobctl, "migrate", f"--service={svc}",
                f"--database_url={dsn(dbname=cls.db, user=owner, password='o-' + suffix)}")
            cls.urls[svc] = dsn(dbname=cls.db, user=role, password="s-" + suffix)
        run(lnobctl, "refdata", "load", f"--database_url={cls.urls['registry']}")
        cls.tmp = tempfile.mkdtemp(prefix="lnob-ie2e-", dir=os.environ.get("LNOB_TEST_TMP"))  # removed by ./lnob test
        run(lnobctl, "keys", f"--dir={cls.tmp}")
        cls.key = f"{cls.tmp}/jwt_private.pem"
        cls.secret = secrets.token_hex(16)
        # Funding and inspection call each other: fixed free ports, known before either starts.
        cls.ports = {svc: free_port() for svc in SERVICES}
        cls.procs = {}
        for svc in SERVICES:
            cls.start(svc)
        admin = cls.mint("PROVINCE_ADMIN", subject="e2e-admin")
        checker = cls.mint("PROVINCE_ADMIN", subject="e2e-checker")
        cls.reg = lnob_grpc.Client(cls.target("registry"), token=admin)
        cls.reg_checker = lnob_grpc.Client(cls.target("registry"), token=checker)
        cls.fund = lnob_grpc.Client(cls.target("funding"), token=admin)
        # The team and the decider are people: an inspector leads, the director signs.
        cls.leader = lnob_grpc.Client(cls.target("inspection"), token=cls.mint("INSPECTOR", subject="leader"))
        cls.director = lnob_grpc.Client(cls.target("inspection"), token=cls.mint("PROVINCE_ADMIN", subject="director"))

    @classmethod
    def target(cls, svc):
        return f"127.0.0.1:{cls.ports[svc]}"

    @classmethod
    def mint(cls, roles, scope=None, subject=None):
        args = [os.path.join(BIN, "lnobctl"), "token", f"--private_key={cls.key}", f"--roles={roles}", "--ttl=30m"]
        if scope:
            args.append(f"--scope={scope}")
        if subject:
            args.append(f"--subject={subject}")
        return run(*args).strip()

    @classmethod
    def start(cls, name):
        ready = os.path.join(cls.tmp, f"{name}.ready.{secrets.token_hex(2)}")
        env = dict(os.environ, LNOB_DATABASE_URL=cls.urls[name], LNOB_JWT_PUBLIC_KEYS=f"{cls.tmp}/jwt_public.pem",
                   LNOB_PAGE_TOKEN_SECRET=cls.secret, LNOB_METRICS_PORT="0", LNOB_LISTEN_HOST="127.0.0.1",
                   LNOB_HEALTH_INTERVAL="200ms", LNOB_SHUTDOWN_GRACE="100ms", LNOB_DRAIN_TIMEOUT="1s",
                   LNOB_GRPC_PORT=str(cls.ports[name]),
                   LNOB_REGISTRY_ADDRESS=cls.target("registry"), LNOB_FUNDING_ADDRESS=cls.target("funding"),
                   LNOB_INSPECTION_ADDRESS=cls.target("inspection"), LNOB_CAMPAIGNS_ADDRESS="127.0.0.1:1",
                   LNOB_SERVICE_SIGNING_KEY=cls.key, LNOB_REGISTRY_TIMEOUT="3s")
        log = open(os.path.join(cls.tmp, f"{name}.log"), "a+")
        proc = subprocess.Popen([os.path.join(BIN, name), f"--ready_file={ready}"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        if not wait_for(lambda: os.path.exists(ready) or proc.poll() is not None, timeout=20) or proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{name} did not become ready:\n" + log.read()[-4000:])
        cls.procs[name] = proc

    @classmethod
    def restart(cls, name):
        p = cls.procs[name]
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=20)
        cls.start(name)

    @classmethod
    def tearDownClass(cls):
        for p in getattr(cls, "procs", {}).values():
            if p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run(["psql", dsn(), "-qc", f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)"], capture_output=True)
        for svc in SERVICES:
            for role in (f"lnob_{svc}_{cls.suffix}", f"lnob_{svc}_owner_{cls.suffix}"):
                subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {role}"], capture_output=True)

    # ---- helpers ----

    def poor_household(self):
        h = self.reg.call(f"{HH}/CreateHousehold", {"household": {
            "communeCode": "25195", "members": [{"fullName": "Điểu Thị Lan", "sex": "FEMALE",
                                                 "ethnicityCode": "39", "relation": "HEAD"}]}}).name
        r = self.reg.call(f"{HH}/CreateReview", {"parent": h, "review": {
            "kind": "ONGOING", "reviewDate": date(2025, 1, 15), "incomePerCapitaVnd": "1000000",
            "indicators": [{"code": f"D{k:02d}", "deprived": k <= 3} for k in range(1, 13)]}})
        self.reg.call(f"{HH}/SubmitReview", {"name": r.name})
        self.reg.call(f"{HH}/PostReview", {"name": r.name, "postedOn": date(2025, 2, 1)})
        self.reg_checker.call(f"{HH}/ApproveReview", {"name": r.name, "decisionNumber": "9/QĐ-UBND",
                                                      "decisionDate": date(2025, 2, 1), "consultedOn": date(2025, 2, 1),
                                                      "consultationDocument": "5/UBND"})
        return h

    def held_by(self, line):
        return list(self.fund.call(f"{SUP}/GetSupportLine", {"name": line}).held_by)

    def advance(self, client, ins, to, day, **more):
        return client.call(f"{INS}/AdvanceInspection", {"name": ins.name, "etag": ins.etag, "to": to, "date": day,
                                                         **more})

    def pay(self, line, alloc):
        return self.fund.call(f"{FUND}/RecordDisbursement", {"disbursement": {
            "year": 2025, "nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "unitCode": "25195",
            "date": date(2025, 6, 1), "amountVnd": "40000000", "supportLine": line}})

    # ---- the test ----

    def test_hold_refuses_payment_until_lifted_and_recoveries_reach_funding(self):
        h = self.poor_household()
        line = self.fund.call(f"{SUP}/CreateSupportLine", {"line": {
            "household": h, "content": "HOUSING", "date": date(2025, 5, 1), "amountVnd": "40000000",
            "shares": [{"nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "amountVnd": "40000000"}]}}).name
        alloc = self.fund.call(f"{FUND}/SetAllocation", {"allocation": {
            "year": 2025, "nodeCode": "NTP_EM.P1", "source": "CENTRAL_RECURRENT", "unitCode": "25195",
            "amountVnd": "500000000"}}).name

        ins = self.director.call(f"{INS}/CreateInspection", {"inspection": {
            "kind": "CHECK", "agencyCode": "DEPARTMENT", "decisionNumber": "15/QĐ-BDT", "decisionDate": date(2025, 5, 20),
            "origin": "AD_HOC", "decider": "director", "leader": "leader", "durationDays": 20,
            "subjects": [{"unitCode": "25195"}], "scope": "Hỗ trợ nhà ở 2025",
            "periodFrom": date(2025, 1, 1), "periodTo": date(2025, 5, 31)}})
        ins = self.advance(self.leader, ins, "ANNOUNCED", date(2025, 5, 22))
        # A reference funding does not know is refused, naming it; the real line is frozen.
        with self.assertRaises(grpc.RpcError) as cm:
            self.leader.call(f"{INS}/CreateFinding", {"finding": {
                "inspection": ins.name, "category": "WRONG_BENEFICIARY", "severity": "SERIOUS",
                "description": "x", "date": date(2025, 5, 25),
                "references": [{"kind": "SUPPORT_LINE", "resource": "supportLines/0190c0de-0000-7000-8000-000000000001"}]}})
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("references[0].resource", cm.exception.details())
        finding = self.leader.call(f"{INS}/CreateFinding", {"finding": {
            "inspection": ins.name, "category": "WRONG_BENEFICIARY", "severity": "SERIOUS",
            "description": "Hộ đã có nhà kiên cố", "date": date(2025, 5, 25), "hold": True,
            "references": [{"kind": "SUPPORT_LINE", "resource": line}, {"kind": "HOUSEHOLD", "resource": h},
                           {"kind": "ALLOCATION", "resource": alloc}]}})
        self.assertEqual(finding.to_recover_vnd, 40_000_000)
        self.assertEqual(finding.references[2].commune_code, "25195")
        self.assertIn("500000000", finding.references[2].facts_json)
        self.assertIn('"amount_vnd":"40000000"', finding.references[0].facts_json.replace(" ", ""))

        # The hold reaches funding through the feed: no payment, no delivery.
        self.assertTrue(wait_for(lambda: self.held_by(line) == [finding.name], timeout=20), "the hold never arrived")
        with self.assertRaises(grpc.RpcError) as cm:
            self.pay(line, None)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertIn(finding.name, cm.exception.details())
        with self.assertRaises(grpc.RpcError) as cm:
            self.fund.call(f"{SUP}/DeliverSupportLine", {"name": line})
        self.assertEqual(cm.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        # The database refuses it too, whoever writes.
        with self.assertRaises(subprocess.CalledProcessError):
            run("psql", self.urls["funding"], "-v", "ON_ERROR_STOP=1", "-qc",
                f"UPDATE support_lines SET state = 'DELIVERED' WHERE id = '{line.split('/')[1]}'")
        report = self.fund.call(f"{FUND}/GetDisbursementReport", {"year": 2025, "unitCode": "25195"})
        self.assertEqual(report.total.held_vnd, 40_000_000)

        # Funding restarts; inspection lifts the hold meanwhile; the feed resumes where it was.
        self.procs["funding"].send_signal(signal.SIGTERM)
        self.procs["funding"].wait(timeout=20)
        self.leader.call(f"{INS}/LiftHold", {"name": finding.name, "etag": finding.etag,
                                             "reason": "Hộ bổ sung hồ sơ, đủ điều kiện"})
        self.start("funding")
        self.assertTrue(wait_for(lambda: self.held_by(line) == [], timeout=20), "the lift never arrived")
        paid = self.pay(line, None)
        self.assertEqual(paid.amount_vnd, 40_000_000)

        # Inspection restarts; a recovery recorded after it reaches funding's report.
        self.restart("inspection")
        ins = self.leader.call(f"{INS}/GetInspection", {"name": ins.name})
        ins = self.advance(self.leader, ins, "REPORTED", date(2025, 6, 5), reportSummary="Báo cáo")
        ins = self.advance(self.leader, ins, "DRAFTED", date(2025, 6, 6), conclusionText="Kết luận")
        ins = self.advance(self.director, ins, "CONCLUDED", date(2025, 6, 10), conclusionNumber="3/KL-BDT")
        rec = self.leader.call(f"{INS}/CreateRecommendation", {"recommendation": {
            "inspection": ins.name, "finding": finding.name, "kind": "FINANCIAL", "description": "Thu hồi",
            "ownerUnit": "25195", "deadline": date(2025, 9, 30)}})
        # Too much, without a reason: refused.
        with self.assertRaises(grpc.RpcError) as cm:
            self.leader.call(f"{INS}/RecordRecovery", {"recovery": {
                "recommendation": rec.name, "date": date(2025, 7, 1), "amountVnd": "40000001",
                "document": "GNT 1"}})
        self.assertEqual(cm.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.leader.call(f"{INS}/RecordRecovery", {"recovery": {
            "recommendation": rec.name, "date": date(2025, 7, 1), "amountVnd": "15000000", "document": "GNT 1"}})

        def recovered():
            r = self.fund.call(f"{FUND}/GetDisbursementReport", {"year": 2025, "unitCode": "25195"})
            return (r.total.disbursed_vnd, r.total.recovered_vnd, r.total.net_vnd) == (40_000_000, 15_000_000,
                                                                                       25_000_000)
        self.assertTrue(wait_for(recovered, timeout=20), "the recovery never reached funding's report")
        self.assertEqual(self.fund.call(f"{FUND}/GetDisbursementReport", {"year": 2025}).total.held_vnd, 0)


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)  # log files stay open for the processes' lifetime
    unittest.main(verbosity=2)

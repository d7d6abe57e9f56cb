#!/usr/bin/python3
"""End-to-end: API keys of system clients through the real gateway and registry binaries.

Run by ctest through ./lnob test, which provides a PostgreSQL (LNOB_TEST_*). Keys are created,
listed and revoked through the gateway's admin API (REST with curl, gRPC with lnobctl); a call
made with a key reaches the registry with a token the gateway minted from its own signing key,
which the registry verifies like any other (roles and area scope of the key).
"""
import datetime
import json
import os
import secrets
import subprocess
import tempfile
import time
import unittest
from lnob_e2e import dsn, run, free_port, wait_for  # noqa: E402

BUILD = os.environ.get("LNOB_BUILD_DIR", "build")
BIN = os.path.join(BUILD, "bin")
LNOBCTL = os.path.join(BIN, "lnobctl")
ADMIN = os.environ.get("LNOB_TEST_ADMIN_URL")


def rfc3339(delta_seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiKeysE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ADMIN:
            raise RuntimeError("LNOB_TEST_ADMIN_URL is not set: run through ./lnob test")
        suffix = secrets.token_hex(4)
        cls.db = f"e2e_ak_{suffix}"
        cls.roles = []
        run("psql", dsn(), "-qc", f"CREATE DATABASE {cls.db}")
        urls = {}
        for svc in ("registry", "gateway"):
            owner, login = f"lnob_{svc}_owner_{suffix}", f"lnob_{svc}_{suffix}"
            cls.roles += [login, owner]
            run(LNOBCTL, "bootstrap", f"--admin_url={dsn(dbname=cls.db)}", f"--service={svc}",
                f"--owner_role={owner}", f"--service_role={login}",
                f"--owner_password=o-{suffix}", f"--service_password=s-{suffix}")
            run(LNOBCTL, "migrate", f"--service={svc}",
                f"--database_url={dsn(dbname=cls.db, user=owner, password='o-' + suffix)}")
            urls[svc] = dsn(dbname=cls.db, user=login, password="s-" + suffix)
        cls.gateway_url = urls["gateway"]
        run(LNOBCTL, "refdata", "load", f"--database_url={urls['registry']}")
        cls.tmp = tempfile.mkdtemp(prefix="lnob-e2e-ak-", dir=os.environ.get("LNOB_TEST_TMP"))  # removed by ./lnob test
        # Operators' key pair (admin tokens) and the gateway's own pair (tokens for API keys);
        # the services trust both public keys.
        run(LNOBCTL, "keys", f"--dir={cls.tmp}/operator")
        run(LNOBCTL, "keys", f"--dir={cls.tmp}/gateway", "--for=gateway")
        cls.trusted = os.path.join(cls.tmp, "trusted_public.pem")
        with open(cls.trusted, "w") as out:
            for d in ("operator", "gateway"):
                with open(f"{cls.tmp}/{d}/jwt_public.pem") as f:
                    out.write(f.read())
        cls.signing_key = f"{cls.tmp}/gateway/jwt_private.pem"
        cls.admin_token = run(LNOBCTL, "token", f"--private_key={cls.tmp}/operator/jwt_private.pem",
                              "--roles=PROVINCE_ADMIN", "--subject=e2e-admin", "--ttl=10m").strip()
        cls.viewer_token = run(LNOBCTL, "token", f"--private_key={cls.tmp}/operator/jwt_private.pem",
                               "--roles=VIEWER", "--ttl=10m").strip()
        cls.page_secret = secrets.token_hex(16)

        ready = os.path.join(cls.tmp, "registry.json")
        env = dict(os.environ, LNOB_DATABASE_URL=urls["registry"], LNOB_JWT_PUBLIC_KEYS=cls.trusted,
                   LNOB_PAGE_TOKEN_SECRET=cls.page_secret, LNOB_GRPC_PORT="0", LNOB_METRICS_PORT="0",
                   LNOB_LISTEN_HOST="127.0.0.1", LNOB_METRICS_HOST="127.0.0.1", LNOB_SHUTDOWN_GRACE="0s")
        cls.registry_log = open(os.path.join(cls.tmp, "registry.log"), "w+")
        cls.registry = subprocess.Popen([os.path.join(BIN, "registry"), f"--ready_file={ready}"], env=env,
                                        stdout=cls.registry_log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: os.path.exists(ready), timeout=15):
            cls.registry_log.seek(0)
            raise RuntimeError("registry did not become ready:\n" + cls.registry_log.read())
        with open(ready) as f:
            cls.registry_target = f"127.0.0.1:{json.load(f)['grpc_port']}"

        cls.admin_port = free_port()
        cls.admin_target = f"127.0.0.1:{cls.admin_port}"
        cls.gateway_log = open(os.path.join(cls.tmp, "gateway.log"), "w+")
        cls.gateway, cls.rest = cls.start_gateway(cls.gateway_log, [
            f"--database_url={cls.gateway_url}", f"--jwt_signing_key={cls.signing_key}",
            f"--page_token_secret={cls.page_secret}", f"--admin_grpc_port={cls.admin_port}",
            "--trusted_proxies=127.0.0.1"])
        # Two households, in two communes.
        cls.households = {}
        for commune in ("25195", "25210"):
            status, h = cls.curl("POST", "/v1/households", token=cls.admin_token, body=json.dumps(
                {"communeCode": commune, "members": [{"fullName": f"Thị Khóa {commune}", "sex": "FEMALE",
                                                      "ethnicityCode": "01", "relation": "HEAD"}]}))
            assert status == 200, (status, h)
            cls.households[commune] = h["name"]

    @classmethod
    def start_gateway(cls, log, extra):
        ready = os.path.join(cls.tmp, f"gateway-{secrets.token_hex(3)}.json")
        backends = ",".join(f"lnob.registry.v1.{s}={cls.registry_target}"
                            for s in ("ReferenceDataService", "HouseholdService"))
        proc = subprocess.Popen([os.path.join(BIN, "gateway"), f"--ready_file={ready}", "--http_port=0",
                                 "--grpc_port=0", "--metrics_port=0", "--listen_host=127.0.0.1",
                                 "--metrics_host=127.0.0.1", f"--backends={backends}",
                                 f"--jwt_public_keys={cls.trusted}"] + extra,
                                stdout=log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: os.path.exists(ready) or proc.poll() is not None, timeout=15) or proc.poll() is not None:
            log.seek(0)
            raise RuntimeError("gateway did not become ready:\n" + log.read())
        with open(ready) as f:
            return proc, f"http://127.0.0.1:{json.load(f)['http_port']}"

    @classmethod
    def tearDownClass(cls):
        for proc in (getattr(cls, "gateway", None), getattr(cls, "registry", None)):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)
        for log in (getattr(cls, "gateway_log", None), getattr(cls, "registry_log", None)):
            if log is not None:
                log.close()
        subprocess.run(["psql", dsn(), "-qc", f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)"])
        for role in cls.roles:
            subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {role}"])

    @classmethod
    def curl(cls, method, path, token=None, api_key=None, body=None, headers=(), base=None):
        args = ["curl", "-s", "-o", "-", "-D", os.path.join(cls.tmp, "headers.txt"), "-w", "\n%{http_code}",
                "-X", method, (base or cls.rest) + path]
        if token:
            args += ["-H", f"Authorization: Bearer {token}"]
        if api_key:
            args += ["-H", f"x-api-key: {api_key}"]
        for h in headers:
            args += ["-H", h]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", body]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        payload, status = out.rsplit("\n", 1)
        return int(status), (json.loads(payload) if payload else None)

    @classmethod
    def last_headers(cls):
        with open(os.path.join(cls.tmp, "headers.txt")) as f:
            return f.read().lower()

    def create_rest(self, **fields):
        key = {"displayName": "e2e client", "roles": ["SYSTEM_CLIENT"], "expireTime": rfc3339(3600)}
        key.update(fields)
        status, resp = self.curl("POST", "/v1/apiKeys", token=self.admin_token, body=json.dumps(key))
        self.assertEqual(status, 200, resp)
        return resp

    def lnobctl(self, *args):
        return run(LNOBCTL, "apikeys", *args, f"--target={self.admin_target}", f"--token={self.admin_token}")

    @staticmethod
    def reason(err):
        return [d.get("reason") for d in err.get("details", []) if d["@type"].endswith("google.rpc.ErrorInfo")]

    def test_1_key_acts_with_its_roles_and_scope(self):
        created = self.create_rest(displayName="Commune 25195 reader", scopeUnitCodes=["25195"])
        secret = created["secret"]
        key = created["apiKey"]
        self.assertEqual(key["state"], "ACTIVE")
        self.assertEqual(key["createdBy"], "e2e-admin")
        self.assertTrue(secret.startswith(key["keyPrefix"]))
        inside, outside = self.households["25195"], self.households["25210"]
        status, h = self.curl("GET", f"/v1/{inside}", api_key=secret)
        self.assertEqual((status, h["name"]), (200, inside))
        # The registry enforces the key's scope from the token it verified.
        status, err = self.curl("GET", f"/v1/{outside}", api_key=secret)
        self.assertIn(status, (403, 404), err)
        # "Authorization: ApiKey" works too; a bearer token sent with a key is replaced.
        status, _ = self.curl("GET", f"/v1/{inside}", headers=[f"Authorization: ApiKey {secret}"])
        self.assertEqual(status, 200)
        status, _ = self.curl("GET", f"/v1/{outside}", api_key=secret, token=self.admin_token)
        self.assertIn(status, (403, 404))
        # Its roles: SYSTEM_CLIENT may not write households, nor manage API keys.
        status, err = self.curl("POST", "/v1/households", api_key=secret, body=json.dumps({"communeCode": "25195"}))
        self.assertEqual(status, 403, err)
        status, err = self.curl("POST", "/v1/apiKeys", api_key=secret, body=json.dumps({"displayName": "x"}))
        self.assertEqual(status, 403, err)
        # The registry saw the key's identity, verified from the minted token.
        key_id = key["name"].split("/")[1]
        self.registry_log.seek(0)
        subjects = [json.loads(l).get("subject") for l in self.registry_log.read().splitlines() if l.startswith("{")]
        self.assertIn(f"apikey:{key_id}", subjects)

    def test_2_lnobctl_creates_lists_and_revokes_over_grpc(self):
        out = json.loads(self.lnobctl("create", "--display_name=Commune 25210 reader", "--roles=SYSTEM_CLIENT",
                                      "--scope=25210", "--ttl=1h", "--output=json"))
        secret, name = out["secret"], out["apiKey"]["name"]
        status, h = self.curl("GET", f"/v1/{self.households['25210']}", api_key=secret)
        self.assertEqual(status, 200, h)
        listed = self.lnobctl("list")
        self.assertIn(name, listed)
        self.assertNotIn(secret, listed)
        # The use is recorded by the gateway's next reload of its key table (every 5 s).
        self.assertTrue(wait_for(lambda: json.loads(self.lnobctl("get", f"--name={name}", "--output=json"))
                                 .get("lastUseTime"), timeout=15))
        revoked = json.loads(self.lnobctl("revoke", f"--name={name}", "--output=json"))
        self.assertEqual((revoked["state"], revoked["revokedBy"]), ("REVOKED", "e2e-admin"))
        # Revoked through this gateway's admin API: its next call already sees the revocation.
        status, err = self.curl("GET", f"/v1/{self.households['25210']}", api_key=secret)
        self.assertEqual((status, self.reason(err)), (401, ["API_KEY_REVOKED"]))
        self.assertIn(name, self.lnobctl("list", "--state=revoked"))
        self.assertNotIn(name, self.lnobctl("list", "--state=active"))

    def test_3_expired_and_unknown_keys_are_401(self):
        created = self.create_rest(displayName="short-lived", expireTime=rfc3339(3))
        status, _ = self.curl("GET", "/v1/ethnicGroups", api_key=created["secret"])
        self.assertEqual(status, 200)
        time.sleep(4)
        status, err = self.curl("GET", "/v1/ethnicGroups", api_key=created["secret"])
        self.assertEqual((status, self.reason(err)), (401, ["API_KEY_EXPIRED"]))
        status, err = self.curl("GET", "/v1/ethnicGroups", api_key="lnob_" + "A" * 43)
        self.assertEqual((status, self.reason(err)), (401, ["API_KEY_INVALID"]))
        status, err = self.curl("GET", "/v1/ethnicGroups", api_key="nonsense")
        self.assertEqual(status, 401)

    def curl_many(self, n, key, client):
        urls = []
        for _ in range(n):
            urls += ["-o", "/dev/null", self.rest + "/v1/ethnicGroups"]
        return subprocess.run(["curl", "-s", "-w", "%{http_code}\\n", "-H", f"x-api-key: {key}",
                               "-H", f"X-Forwarded-For: {client}"] + urls,
                              check=True, capture_output=True, text=True).stdout.split()

    def test_3b_refused_keys_are_counted_per_client_and_prefix_and_never_lock_out_a_valid_key(self):
        valid = self.create_rest(displayName="survivor")["secret"]
        junk, other_junk = "lnob_" + "B" * 43, "lnob_" + "C" * 43
        # 400 made-up keys from one client behind the trusted proxy (this test, 127.0.0.1):
        # refused with 401, then 429 once its budget (100, +1/s) is spent.
        out = self.curl_many(400, junk, "203.0.113.5")
        self.assertEqual(out[0], "401")
        self.assertIn("429", out)
        # A key that verifies, from the same client: served.
        status, _ = self.curl("GET", "/v1/ethnicGroups", api_key=valid, headers=["X-Forwarded-For: 203.0.113.5"])
        self.assertEqual(status, 200)
        # Another client behind the same proxy has its own budget...
        status, err = self.curl("GET", "/v1/ethnicGroups", api_key=other_junk,
                                headers=["X-Forwarded-For: 203.0.113.6"])
        self.assertEqual((status, self.reason(err)), (401, ["API_KEY_INVALID"]))
        # ...but the guessed key's prefix is counted wherever it comes from.
        status, err = self.curl("GET", "/v1/ethnicGroups", api_key=junk, headers=["X-Forwarded-For: 203.0.113.7"])
        self.assertEqual((status, self.reason(err)), (429, ["RATE_LIMITED"]))
        # A call without any credential is not a refused credential.
        status, _ = self.curl("GET", "/v1/apiKeys", headers=["X-Forwarded-For: 203.0.113.5"])
        self.assertEqual(status, 401)

    def test_4_each_key_has_its_own_rate_limit(self):
        slow = self.create_rest(displayName="slow", rateLimitRps=1)["secret"]
        fast = self.create_rest(displayName="fast")["secret"]
        codes = []
        for _ in range(4):
            status, _ = self.curl("GET", "/v1/ethnicGroups", api_key=slow)
            codes.append(status)
            if status == 429:
                self.assertIn("retry-after:", self.last_headers())
                break
        self.assertIn(429, codes)
        status, _ = self.curl("GET", "/v1/ethnicGroups", api_key=fast)
        self.assertEqual(status, 200)

    def test_5_admin_api_needs_the_permission_and_validates(self):
        status, err = self.curl("GET", "/v1/apiKeys", token=self.viewer_token)
        self.assertEqual(status, 403, err)
        status, err = self.curl("GET", "/v1/apiKeys")
        self.assertEqual(status, 401, err)
        status, err = self.curl("POST", "/v1/apiKeys", token=self.admin_token, body=json.dumps(
            {"displayName": "bad", "roles": ["PROVINCE_ADMIN"], "expireTime": rfc3339(60)}))
        self.assertEqual(status, 400, err)
        bad = [d for d in err["details"] if d["@type"].endswith("google.rpc.BadRequest")][0]
        self.assertEqual(bad["fieldViolations"][0]["field"], "api_key.roles[0]")
        status, page = self.curl("GET", "/v1/apiKeys?pageSize=1", token=self.admin_token)
        self.assertEqual(status, 200)
        self.assertEqual(len(page["apiKeys"]), 1)
        self.assertTrue(page["nextPageToken"])
        status, spec = self.curl("GET", "/openapi.json")
        self.assertIn("/v1/apiKeys", spec["paths"])

    def test_6_no_secret_is_stored(self):
        created = self.create_rest(displayName="stored?")
        secret = created["secret"]
        count = run("psql", dsn(dbname=self.db), "-Atc",
                    f"SELECT count(*) FROM gateway.api_keys k WHERE strpos(row_to_json(k)::text, '{secret}') > 0")
        self.assertEqual(count.strip(), "0")
        columns = run("psql", dsn(dbname=self.db), "-Atc",
                      "SELECT string_agg(column_name, ',') FROM information_schema.columns "
                      "WHERE table_schema = 'gateway' AND table_name = 'api_keys'")
        for col in columns.strip().split(","):
            hits = run("psql", dsn(dbname=self.db), "-Atc",
                       f"SELECT count(*) FROM gateway.api_keys WHERE {col}::text = '{secret}'")
            self.assertEqual(hits.strip(), "0", col)

    def test_7_gateway_without_database_disables_api_keys(self):
        with open(os.path.join(self.tmp, "gateway-nodb.log"), "w+") as log:
            proc, base = self.start_gateway(log, [])
            try:
                status, err = self.curl("GET", "/v1/ethnicGroups", api_key="lnob_" + "A" * 43, base=base)
                self.assertEqual((status, self.reason(err)), (401, ["API_KEYS_DISABLED"]))
                status, _ = self.curl("GET", "/v1/ethnicGroups", token=self.viewer_token, base=base)
                self.assertEqual(status, 200)
            finally:
                proc.terminate()
                proc.wait(timeout=15)
            log.seek(0)
            self.assertIn("API keys disabled", log.read())

    def test_9_the_gateway_key_signs_api_key_tokens_only_and_audiences_are_per_service(self):
        gateway_key = f"{self.tmp}/gateway/jwt_private.pem"
        # A leaked gateway key minting a province administrator: refused by the gateway and by
        # the registry itself.
        forged = run(LNOBCTL, "token", f"--private_key={gateway_key}", "--roles=PROVINCE_ADMIN",
                     "--subject=apikey:1", "--ttl=5m").strip()
        status, err = self.curl("GET", f"/v1/{self.households['25195']}", token=forged)
        self.assertEqual((status, self.reason(err)), (401, ["TOKEN_KEY_POLICY"]))
        out = subprocess.run([LNOBCTL, "export", "households", f"--target={self.registry_target}",
                              f"--token={forged}", "--unit=25195", f"--out={self.tmp}/forged.csv"], capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("may not sign role PROVINCE_ADMIN", out.stderr + out.stdout)
        # It may sign what an API key carries.
        viewer = run(LNOBCTL, "token", f"--private_key={gateway_key}", "--roles=VIEWER", "--subject=apikey:1",
                     "--ttl=5m").strip()
        status, _ = self.curl("GET", "/v1/ethnicGroups", token=viewer)
        self.assertEqual(status, 200)
        # A token minted for funding only is refused by the registry's routes.
        for_funding = run(LNOBCTL, "token", f"--private_key={self.tmp}/operator/jwt_private.pem",
                          "--roles=VIEWER", "--audience=lnob.funding", "--ttl=5m").strip()
        status, err = self.curl("GET", "/v1/ethnicGroups", token=for_funding)
        self.assertEqual((status, self.reason(err)), (401, ["TOKEN_AUDIENCE"]))
        # Tokens living longer than a day are refused.
        long_lived = run(LNOBCTL, "token", f"--private_key={self.tmp}/operator/jwt_private.pem",
                         "--roles=VIEWER", "--ttl=72h").strip()
        status, err = self.curl("GET", "/v1/ethnicGroups", token=long_lived)
        self.assertEqual((status, self.reason(err)), (401, ["TOKEN_LIFETIME"]))

    def test_8_bad_configuration_is_fatal(self):
        cases = [
            ([f"--database_url={self.gateway_url}", f"--page_token_secret={self.page_secret}"], "--jwt_signing_key"),
            ([f"--database_url={self.gateway_url}", f"--page_token_secret={self.page_secret}",
              f"--jwt_signing_key={self.tmp}/operator/jwt_public.pem"], "--jwt_signing_key"),
        ]
        # A signing key the services do not trust.
        run(LNOBCTL, "keys", f"--dir={self.tmp}/stranger")
        cases.append(([f"--database_url={self.gateway_url}", f"--page_token_secret={self.page_secret}",
                       f"--jwt_signing_key={self.tmp}/stranger/jwt_private.pem"], "not in --jwt_public_keys"))
        # A trusted key without a policy line (an operator's): a leak would mint anything.
        cases.append(([f"--database_url={self.gateway_url}", f"--page_token_secret={self.page_secret}",
                       f"--jwt_signing_key={self.tmp}/operator/jwt_private.pem"], "lnob-key-policy"))
        for extra, expected in cases:
            r = subprocess.run([os.path.join(BIN, "gateway"), "--http_port=0", "--grpc_port=0", "--metrics_port=0",
                                "--listen_host=127.0.0.1", "--metrics_host=127.0.0.1",
                                f"--jwt_public_keys={self.trusted}"] + extra,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(expected, r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""The image, for real: builds deploy/docker/Dockerfile with podman (on a Debian 12 base made
here with debootstrap: no image registry is needed), then runs lnobctl, the registry, funding,
campaigns and the gateway from that image as user 10001 with a read-only root filesystem, no capabilities
and no privilege escalation, against the PostgreSQL of ./lnob test. Checks that each process
runs as 10001 and cannot write its root filesystem, that the gateway reports every backend
healthy, and that one real call per service goes through the gateway to PostgreSQL and back.

Slow (the image's first stage compiles the project: several minutes; its ccache lives in a
podman cache mount between runs): ctest label `container`. Needs root, podman, runc and
debootstrap (tools/deps.sh installs them)."""
import json
import os
import resource
import secrets
import shutil
import subprocess
import tarfile
import tempfile
import unittest
import urllib.request

from lnob_e2e import dsn, free_port, run, wait_for  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("LNOB_BUILD_DIR", "build")
LNOBCTL = os.path.join(BUILD, "bin", "lnobctl")
BASE = "localhost/lnob-debian12-base:bookworm"
IMAGE = "localhost/lnob:container-test"
# This kernel's cgroups need runc with cgroupfs, and explicit ulimits (TOOLCHAIN notes).
PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"]
# Within this process's own hard limits (runc refuses to raise them).
_NOFILE = min(65536, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
_NPROC = min(4096, resource.getrlimit(resource.RLIMIT_NPROC)[1])
ULIMITS = ["--ulimit", f"nofile={_NOFILE}:{_NOFILE}", "--ulimit", f"nproc={_NPROC}:{_NPROC}"]
HARDENED = ["--read-only", "--user", "10001:10001", "--cap-drop=ALL", "--security-opt", "no-new-privileges",
            "--network", "host"]


def podman(*args, check=True, timeout=None):
    r = subprocess.run(PODMAN + list(args), capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"podman {args[0]} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


def debian_mirror():
    """The Debian mirror this machine's apt uses (debootstrap fetches the base from it)."""
    for path in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                words = line.split()
                if words[:1] == ["URIs:"] and "security" not in words[1]:
                    return words[1]
                if words[:1] == ["deb"] and "debian" in line and "security" not in line:
                    return next(w for w in words[1:] if w.startswith("http"))
    return "http://deb.debian.org/debian"


def ensure_base_image():
    if podman("image", "exists", BASE, check=False).returncode == 0:
        return
    root = tempfile.mkdtemp(prefix="lnob-debootstrap-")
    try:
        run("debootstrap", "--variant=minbase", "bookworm", root, debian_mirror())
        with subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE) as tar:
            subprocess.run(PODMAN + ["import", "-", BASE], stdin=tar.stdout, check=True, capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def build_context(dest):
    """The repository's tracked and new (not ignored) files: what a clean clone would build."""
    files = run("git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    with tarfile.open(os.path.join(dest, "context.tar"), "w") as tar:
        for f in files:
            if f and os.path.exists(os.path.join(ROOT, f)):
                tar.add(os.path.join(ROOT, f), arcname=f, recursive=False)
    ctx = os.path.join(dest, "context")
    os.mkdir(ctx)
    with tarfile.open(os.path.join(dest, "context.tar")) as tar:
        tar.extractall(ctx)
    return ctx


class ContainerE2E(unittest.TestCase):
    containers = []

    @classmethod
    def setUpClass(cls):
        try:
            cls.set_up()
        except BaseException:
            cls.tearDownClass()  # unittest skips it when setUpClass fails
            raise

    @classmethod
    def set_up(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lnob-ct-", dir=os.environ.get("LNOB_TEST_TMP"))
        os.chmod(cls.tmp, 0o755)
        ensure_base_image()
        ctx = build_context(cls.tmp)
        build = podman("build", "--network", "host", *ULIMITS, "-f", "deploy/docker/Dockerfile",
                       "--build-arg", f"DEBIAN_IMAGE={BASE}", "--build-arg", f"RUNTIME_IMAGE={BASE}",
                       "-t", IMAGE, ctx, check=False, timeout=3000)
        shutil.rmtree(ctx, ignore_errors=True)
        if build.returncode != 0:
            raise RuntimeError("podman build failed:\n" + (build.stdout + build.stderr)[-6000:])

        # Run files (ready files, keys) in a folder the containers mount; the keys read-only.
        cls.run_dir = os.path.join(cls.tmp, "run")
        os.mkdir(cls.run_dir)
        os.chmod(cls.run_dir, 0o777)
        keys = os.path.join(cls.tmp, "keys")
        run(LNOBCTL, "keys", f"--dir={keys}")
        # The gateway signs tokens for API keys with a key of its own, trusted with its policy.
        run(LNOBCTL, "keys", f"--dir={keys}/gateway", "--for=gateway")
        with open(f"{keys}/jwt_public.pem", "a") as trusted, open(f"{keys}/gateway/jwt_public.pem") as gw_pub:
            trusted.write(gw_pub.read())
        os.chmod(f"{keys}/gateway", 0o755)
        for f in os.listdir(f"{keys}/gateway"):
            os.chmod(os.path.join(keys, "gateway", f), 0o644)
        for f in os.listdir(keys):
            if f != "gateway":
                os.chmod(os.path.join(keys, f), 0o644)
        os.chmod(keys, 0o755)
        cls.keys = keys
        cls.token = run(LNOBCTL, "token", f"--private_key={keys}/jwt_private.pem", "--roles=PROVINCE_ADMIN",
                        "--ttl=30m").strip()

        suffix = secrets.token_hex(4)
        cls.suffix, cls.db = suffix, f"ct_{suffix}"
        run("psql", dsn(), "-qc", f"CREATE DATABASE {cls.db}")
        cls.urls = {}
        for svc in ("registry", "funding", "campaigns", "gateway"):
            owner, role = f"lnob_{svc}_owner_{suffix}", f"lnob_{svc}_{suffix}"
            cls.ctl("bootstrap", f"--admin_url={dsn(dbname=cls.db)}", f"--service={svc}", f"--owner_role={owner}",
                    f"--service_role={role}", f"--owner_password=o-{suffix}", f"--service_password=s-{suffix}")
            cls.ctl("migrate", f"--service={svc}",
                    f"--database_url={dsn(dbname=cls.db, user=owner, password='o-' + suffix)}")
            cls.urls[svc] = dsn(dbname=cls.db, user=role, password="s-" + suffix)
        cls.ctl("refdata", "load", f"--database_url={cls.urls['registry']}")

        cls.ports = {}
        common = {"LNOB_JWT_PUBLIC_KEYS": "/keys/jwt_public.pem", "LNOB_PAGE_TOKEN_SECRET": secrets.token_hex(16),
                  "LNOB_LISTEN_HOST": "127.0.0.1", "LNOB_METRICS_HOST": "127.0.0.1", "LNOB_METRICS_PORT": "0",
                  "LNOB_HEALTH_INTERVAL": "300ms"}
        cls.ports["registry"] = free_port()
        cls.start("registry", dict(common, LNOB_DATABASE_URL=cls.urls["registry"],
                                   LNOB_GRPC_PORT=str(cls.ports["registry"])))
        cls.ports["funding"] = free_port()
        cls.start("funding", dict(common, LNOB_DATABASE_URL=cls.urls["funding"],
                                  LNOB_GRPC_PORT=str(cls.ports["funding"]),
                                  LNOB_REGISTRY_ADDRESS=f"127.0.0.1:{cls.ports['registry']}",
                                  LNOB_SERVICE_SIGNING_KEY="/keys/jwt_private.pem"))
        cls.ports["campaigns"] = free_port()
        cls.start("campaigns", dict(common, LNOB_DATABASE_URL=cls.urls["campaigns"],
                                    LNOB_GRPC_PORT=str(cls.ports["campaigns"]),
                                    LNOB_REGISTRY_ADDRESS=f"127.0.0.1:{cls.ports['registry']}",
                                    LNOB_FUNDING_ADDRESS=f"127.0.0.1:{cls.ports['funding']}",
                                    LNOB_SERVICE_SIGNING_KEY="/keys/jwt_private.pem"))
        backends = ",".join(
            [f"lnob.registry.v1.{s}=127.0.0.1:{cls.ports['registry']}" for s in ("ReferenceDataService",
                                                                                 "HouseholdService")] +
            [f"lnob.funding.v1.{s}=127.0.0.1:{cls.ports['funding']}" for s in ("CatalogueService", "FundingService",
                                                                               "SupportService")] +
            [f"lnob.campaigns.v1.CampaignsService=127.0.0.1:{cls.ports['campaigns']}"])
        gw = dict(common, LNOB_HTTP_PORT="0", LNOB_GRPC_PORT="0", LNOB_BACKENDS=backends,
                  LNOB_DATABASE_URL=cls.urls["gateway"], LNOB_JWT_SIGNING_KEY="/keys/gateway/jwt_private.pem",
                  LNOB_ADMIN_LISTEN_HOST="127.0.0.1", LNOB_ADMIN_GRPC_PORT="0")
        ready = cls.start("gateway", gw)
        cls.rest = f"http://127.0.0.1:{ready['http_port']}"

    @classmethod
    def ctl(cls, *args):
        """lnobctl from the image, as the services run."""
        r = podman("run", "--rm", *HARDENED, *ULIMITS, IMAGE, "/usr/local/bin/lnobctl", *args, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"lnobctl {args[0]} in the image failed:\n{r.stdout}{r.stderr}")
        return r.stdout

    @classmethod
    def start(cls, name, env):
        container = f"lnob-ct-{name}-{cls.suffix}"
        ready = f"{name}.ready"
        args = ["run", "-d", "--name", container, *HARDENED, *ULIMITS,
                "-v", f"{cls.run_dir}:/run/lnob:rw", "-v", f"{cls.keys}:/keys:ro"]
        for k, v in env.items():
            args += ["-e", f"{k}={v}"]
        podman(*args, IMAGE, f"/usr/local/bin/{name}", f"--ready_file=/run/lnob/{ready}")
        cls.containers.append(container)
        path = os.path.join(cls.run_dir, ready)
        if not wait_for(lambda: os.path.exists(path), timeout=30):
            logs = podman("logs", container, check=False)
            raise RuntimeError(f"{name} did not start in its container:\n{logs.stdout}{logs.stderr}")
        with open(path) as f:
            return json.load(f)

    @classmethod
    def tearDownClass(cls):
        for c in cls.containers:
            podman("rm", "-f", "-t", "2", c, check=False)
        if getattr(cls, "db", None):
            subprocess.run(["psql", dsn(), "-qc", f"DROP DATABASE IF EXISTS {cls.db} WITH (FORCE)"],
                           capture_output=True)
            for svc in ("registry", "funding", "campaigns", "gateway"):
                for role in (f"lnob_{svc}_{cls.suffix}", f"lnob_{svc}_owner_{cls.suffix}"):
                    subprocess.run(["psql", dsn(), "-qc", f"DROP ROLE IF EXISTS {role}"], capture_output=True)

    def get(self, path, token=True):
        req = urllib.request.Request(self.rest + path)
        if token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def test_every_process_is_user_10001_on_a_read_only_root(self):
        for c in self.containers:
            status = podman("exec", c, "cat", "/proc/1/status").stdout
            uid = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
            self.assertEqual(set(uid), {"10001"}, c)
            self.assertIn("CapEff:\t0000000000000000", status, c)
            self.assertIn("NoNewPrivs:\t1", status, c)
            write = podman("exec", c, "sh", "-c", "echo x > /usr/local/bin/x", check=False)
            self.assertNotEqual(write.returncode, 0, c)
            self.assertIn("Read-only file system", write.stderr, c)
        inspect = json.loads(podman("image", "inspect", IMAGE).stdout)[0]
        self.assertEqual(inspect["Config"]["User"], "10001:10001")

    def test_gateway_reports_every_backend_healthy(self):
        self.assertEqual(self.get("/healthz", token=False)[0], 200)
        self.assertTrue(wait_for(lambda: self.get("/readyz", token=False)[0] == 200, timeout=20),
                        self.get("/readyz", token=False))

    def test_one_real_call_per_service_through_the_gateway(self):
        status, body = self.get("/v1/ethnicGroups")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["ethnicGroups"]), 54)
        status, body = self.get("/v1/programmeNodes?parentCode=NTP_EM&asOf.year=2024&asOf.month=1&asOf.day=1")
        self.assertEqual(status, 200, body)
        self.assertTrue(any(n["code"].startswith("NTP_EM.") for n in body["nodes"]), body)
        # Campaigns, and through it the registry's units and funding's catalogue with its own token.
        status, body = self.get("/v1/languages")
        self.assertEqual(status, 200, body)
        self.assertIn("VI", [lang["code"] for lang in body["languages"]])
        status, body = self.get("/v1/coverage?period.type=QUARTER&period.year=2025&period.index=2&unitCode=25195")
        self.assertEqual(status, 200, body)
        self.assertEqual(int(body["communes"]), 1)
        # Without a token the image's gateway refuses, as everywhere.
        self.assertEqual(self.get("/v1/ethnicGroups", token=False)[0], 401)


if __name__ == "__main__":
    unittest.main(verbosity=2)

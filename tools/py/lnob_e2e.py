"""Helpers shared by the end-to-end tests (tests/e2e): the PostgreSQL that ./lnob test
provides, subprocesses, free ports and polling."""
import os
import socket
import subprocess
import time

try:
    import grpc
    _TRANSIENT = (grpc.RpcError,)
except ImportError:  # a test without gRPC
    _TRANSIENT = ()


def dsn(**overrides):
    """libpq connection string of LNOB_TEST_ADMIN_URL with some keys replaced."""
    kv = dict(p.split("=", 1) for p in os.environ["LNOB_TEST_ADMIN_URL"].split())
    kv.update(overrides)
    return " ".join(f"{k}={v}" for k, v in kv.items())


def run(*args, **kw):
    """Runs a command, fails on a non-zero exit, returns its stdout."""
    return subprocess.run(list(args), check=True, capture_output=True, text=True, **kw).stdout


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout=20.0, step=0.1):
    """Polls pred until it is true (gRPC errors count as not yet) or the timeout passes."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if pred():
                return True
        except _TRANSIENT:
            pass
        time.sleep(step)
    return False

"""Run nortime under a real gunicorn for a test: `with running_gunicorn(database_url, instance, ...) as port:`."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_gunicorn(database_url: str, instance: Path, *options: str, env: dict | None = None,
                     start_seconds: float = 60):
    """gunicorn with `options` on a free port of 127.0.0.1, answering /healthz; yields the port, stops after."""
    port = free_port()
    environment = {**os.environ, "NORTIME_DATABASE_URL": database_url,
                   "NORTIME_SECRET_KEY": "test-secret-key-not-for-production", "NORTIME_INSTANCE_PATH": str(instance),
                   "PYTHONPATH": str(ROOT), **(env or {})}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *options,
                               "nortime:create_app()"],
                              cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)

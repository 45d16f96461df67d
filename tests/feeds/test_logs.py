"""Private feed tokens never reach a log line: werkzeug's dev server and gunicorn's access log."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mask_tokens():
    from nortime.logmask import mask_tokens

    line = '127.0.0.1 - - "GET /feeds/l/AbC-_123xyz.ics?download=1 HTTP/1.1" 200 -; /feeds/t/Qq_9.ics'
    assert mask_tokens(line) == '127.0.0.1 - - "GET /feeds/l/[token].ics?download=1 HTTP/1.1" 200 -; ' \
                                '/feeds/t/[token].ics'
    assert mask_tokens("GET /feeds/venue/senja-vo.ics") == "GET /feeds/venue/senja-vo.ics"


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_dev_server_request_log_masks_token(app, timetable, monkeypatch):
    from werkzeug.serving import make_server

    werkzeug_log = logging.getLogger("werkzeug")
    # An earlier test may have run Alembic, whose fileConfig disables existing loggers.
    monkeypatch.setattr(werkzeug_log, "disabled", False)
    monkeypatch.setattr(werkzeug_log, "level", logging.INFO)
    collect = Collect()
    werkzeug_log.addHandler(collect)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/feeds/l/{timetable.learner_token}.ics"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)
        werkzeug_log.removeHandler(collect)
    logged = collect.messages
    assert any("/feeds/l/[token].ics" in message for message in logged)
    assert not any(timetable.learner_token in message for message in logged)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log_masks_token(app, timetable, tmp_path):
    port, log = free_port(), tmp_path / "access.log"
    env = {**os.environ, "NORTIME_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "NORTIME_SECRET_KEY": "test-secret-key-not-for-production",
           "NORTIME_INSTANCE_PATH": str(tmp_path / "gunicorn-instance")}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--access-logfile", str(log), "nortime:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        url = f"http://127.0.0.1:{port}/feeds/l/{timetable.learner_token}.ics"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"BEGIN:VEVENT" in response.read()
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "/feeds/l/[token].ics" in text
    assert timetable.learner_token not in text

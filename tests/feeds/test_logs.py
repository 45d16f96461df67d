"""Private feed tokens never reach a log line: werkzeug's dev server and gunicorn's access log."""
from __future__ import annotations

import logging
import threading
import urllib.request
from pathlib import Path

from ..gunicorn import running_gunicorn

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


def test_gunicorn_access_log_masks_token(app, timetable, tmp_path):
    log = tmp_path / "access.log"
    with running_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "gunicorn-instance", "--workers", "1",
                          "--access-logfile", str(log), start_seconds=30) as port:
        url = f"http://127.0.0.1:{port}/feeds/l/{timetable.learner_token}.ics"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"BEGIN:VEVENT" in response.read()
    text = log.read_text()
    assert "/feeds/l/[token].ics" in text
    assert timetable.learner_token not in text

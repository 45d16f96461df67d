"""Learners' secret links never reach a log line: werkzeug, gunicorn's access and error logs, exceptions."""
from __future__ import annotations

import logging
import threading
import urllib.request
from pathlib import Path

import pytest

from ..gunicorn import running_gunicorn

ROOT = Path(__file__).resolve().parents[2]


def access_token(app, timetable) -> str:
    from nortime.db import db
    from nortime.models import Learner

    with app.app_context():
        return db.session.get(Learner, timetable.learner_id).access_token


def test_mask_tokens_covers_personal_pages():
    from nortime.logmask import mask_tokens

    assert mask_tokens('"GET /me/AbC-_123xyz/welcome?mailed=1 HTTP/1.1" 200; /me/Qq_9') == \
        '"GET /me/[token]/welcome?mailed=1 HTTP/1.1" 200; /me/[token]'
    assert mask_tokens("POST /me HTTP/1.1; GET /me/sent") == "POST /me HTTP/1.1; GET /me/sent"
    assert mask_tokens("KeyError: 'secret-value-1'", ("secret-value-1",)) == "KeyError: '[token]'"


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))  # message and exception text, as a file handler writes them


@pytest.fixture
def collect(monkeypatch):
    def attach(name: str) -> Collect:
        logger = logging.getLogger(name)
        # An earlier test may have run Alembic, whose fileConfig disables existing loggers.
        monkeypatch.setattr(logger, "disabled", False)
        monkeypatch.setattr(logger, "level", logging.DEBUG)
        handler = Collect()
        logger.addHandler(handler)
        return handler

    return attach


def test_an_exception_on_a_personal_page_is_logged_without_the_token(app, timetable, collect):
    token = access_token(app, timetable)

    def broken(token):
        raise RuntimeError(f"no such learner {token!r}")

    app.add_url_rule("/me/<token>/broken", "broken", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # log it as in production, not raise it into the test
    handler = collect(app.logger.name)
    try:
        assert app.test_client().get(f"/me/{token}/broken").status_code == 500
    finally:
        app.logger.removeHandler(handler)
    logged = "\n".join(handler.lines)
    assert "Exception on /me/[token]/broken" in logged and "no such learner '[token]'" in logged
    assert token not in logged


def test_dev_server_log_masks_the_personal_page(app, timetable, collect):
    from werkzeug.serving import make_server

    token = access_token(app, timetable)
    handler = collect("werkzeug")
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in (f"/me/{token}", f"/me/{token}/welcome?mailed=1", f"/feeds/l/{timetable.learner_token}.ics"):
            with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}", timeout=10) as response:
                assert response.status == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)
        logging.getLogger("werkzeug").removeHandler(handler)
    logged = "\n".join(handler.lines)
    assert "/me/[token]/welcome" in logged and "/feeds/l/[token].ics" in logged
    assert token not in logged and timetable.learner_token not in logged


def test_gunicorn_access_and_error_logs_mask_the_personal_page(app, timetable, tmp_path):

    token = access_token(app, timetable)
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    # --log-level debug: gunicorn's error log then names every request's path too.
    with running_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "gunicorn-instance", "--workers", "1",
                          "--log-level", "debug", "--access-logfile", str(access),
                          "--error-logfile", str(errors)) as port:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/me/{token}", timeout=10) as response:
            assert response.status == 200
    assert "/me/[token]" in access.read_text() and token not in access.read_text()
    assert "/me/[token]" in errors.read_text() and token not in errors.read_text()

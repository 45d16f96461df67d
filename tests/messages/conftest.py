"""Fixtures for the outbox: a real local SMS gateway (http.server in a thread), a real SMTP server, a region."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ..gunicorn import free_port
from ..learners.conftest import seed_region, smtp_server  # noqa: F401  (a shared fixture)

BASE_URL = "https://nortime.example.no"
NOON = dt.datetime(2027, 1, 5, 11, 0)  # a fixed clock for delivering: 12:00 in Oslo, outside quiet hours


class Gateway:
    """An SMS gateway on 127.0.0.1 that records what it gets; `mode` is "ok", "fail" (HTTP 500) or "hang"."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode = "ok"
        self.hang_seconds = 3.0
        self.released = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output quiet
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                record = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                if gateway.mode == "hang":
                    gateway.released.wait(gateway.hang_seconds)
                    status = 200
                elif gateway.mode == "fail":
                    status = 500
                else:
                    status = 200
                    gateway.requests.append(record)
                payload = b'{"ok": true}' if status == 200 else b'{"error": "down"}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up waiting
                    pass

            do_POST = do_GET = _answer

        ThreadingHTTPServer.request_queue_size = 64  # several workers connect at once
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def messages(self) -> list[dict]:
        """The JSON bodies of the accepted requests."""
        return [json.loads(record["body"]) if record["method"] == "POST"
                else dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(record["path"]).query))
                for record in self.requests]

    def config(self, **overrides) -> dict:
        return {"SMS_BACKEND": "http", "SMS_HTTP_URL": self.url, "SMS_HTTP_TIMEOUT": 5, "SMS_HTTP_TOKEN": "s3cret",
                "BASE_URL": BASE_URL, **overrides}


@pytest.fixture
def gateway():
    server = Gateway()
    server.thread.start()
    yield server
    server.released.set()
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def region(app):
    seed_region(app)
    return app


@pytest.fixture
def placed(region):
    """A published plan with one group (Norsk A2, Thursdays 18:00) and two placed learners who opted in to
    session messages: Amal (Arabic, phone only) and Olena (Ukrainian, e-mail and phone), plus Ola who did not
    opt in. The plan is a draft: publishing it is part of the tests. Returns the ids as a dict."""
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import (Group, GroupSlot, Learner, Placement, Plan, Provider, Teacher, TeacherAvailability,
                                Term, Venue)

    with region.app_context():
        provider = db.session.scalars(select(Provider).where(Provider.slug == "mtvo")).one()
        term = db.session.scalars(select(Term).where(Term.provider_id == provider.id)).one()
        amal = Learner(provider=provider, name="Amal Haddad", phone="+963944567890", language="ar",
                       home_place_id="finnsnes", level="A2", session_messages=True)
        olena = Learner(provider=provider, name="Olena Kovalenko", email="olena@example.org", phone="+380501234567",
                        language="uk", home_place_id="finnsnes", level="A2", session_messages=True)
        plan = Plan(provider=provider, term=term, status="draft")
        venue = db.session.scalars(select(Venue).where(Venue.slug == "finnsnes-vo")).one()
        course = next(c for c in provider.courses if c.level == "A2")
        # A teacher free on those evenings: publishing refuses a plan that breaks a hard rule (solver.verify).
        teacher = Teacher(slug="kari-a2", provider=provider, name="Kari Lærer", home_place_id="finnsnes", levels="A2",
                          availability=[TeacherAvailability(days="tue,thu", start=dt.time(17, 0), end=dt.time(21, 0))])
        group = Group(plan=plan, key="mtvo-a2-finnsnes-vo-1", course=course, venue=venue, sessions=42,
                      teacher=teacher)
        group.slots = [GroupSlot(day="tue", weekday=1, start=dt.time(18, 0)),
                       GroupSlot(day="thu", weekday=3, start=dt.time(18, 0))]
        ola = Learner(provider=provider, name="Ola Nordmann", phone="+4791234567", language="nb",
                      home_place_id="finnsnes", level="A2")
        db.session.add_all([amal, olena, ola, plan, group])
        db.session.flush()
        db.session.add_all([Placement(plan_id=plan.id, group=group, learner_id=learner.id)
                            for learner in (amal, olena, ola)])
        db.session.commit()
        return {"amal": amal.id, "olena": olena.id, "ola": ola.id, "group": group.id, "plan": plan.id}


def wait_for(condition, timeout: float = 10.0):
    """Poll until `condition()` is true (for work done by another process); fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.05)

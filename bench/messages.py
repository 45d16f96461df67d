"""Benchmark: publishing a plan for many learners only queues messages; the outbox delivers them to a local gateway.

Prints the seconds publishing took (target: under 1 s for 1,000 learners, messages queued) and the
messages per second the outbox delivered to an SMS gateway on 127.0.0.1 (target: at least 200/s).
Not a test: nothing is asserted.

    .venv/bin/python bench/messages.py [--learners 1000] [--database-url postgresql://...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import multiprocessing
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Gateway(BaseHTTPRequestHandler):
    """An SMS gateway that accepts everything and counts; it runs in its own process, as a real one would."""

    protocol_version = "HTTP/1.1"
    received = None  # a multiprocessing.Value

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with Gateway.received.get_lock():
            Gateway.received.value += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def serve(port, received) -> None:
    Gateway.received = received
    ThreadingHTTPServer.request_queue_size = 128  # a real gateway takes many connections at once
    server = ThreadingHTTPServer(("127.0.0.1", port.value), Gateway)
    server.daemon_threads = True
    port.value = server.server_port
    server.serve_forever()


def seed(learners: int) -> int:
    """A provider with one term, a course and a draft plan of groups of 12 holding every learner, each group with
    a teacher of its own, that keeps every hard rule (publishing verifies them); the plan's id."""
    from nortime.db import db
    from nortime.models import (CandidateSlot, Course, Group, GroupSlot, Learner, Municipality, Place, Placement, Plan,
                                Provider, Teacher, TeacherAvailability, Term, Venue, VenueOpening)

    db.session.add(Municipality(number="5530", name="Senja"))
    db.session.add(Place(id="finnsnes", name="Finnsnes", municipality_number="5530", lat=69.23, lon=17.98))
    provider = Provider(slug="mtvo", name="Midt-Troms voksenopplæring")
    term = Term(provider=provider, name="Vår 2027", first_day=dt.date(2027, 1, 11), last_day=dt.date(2027, 6, 11))
    venue = Venue(slug="finnsnes-vo", provider=provider, name="Finnsnes VO", place_id="finnsnes", rooms=200)
    course = Course(slug="a1", provider=provider, term=term, name="Norsk A1", level="A1", sessions_per_week=2,
                    min_group=1, max_group=12)
    venue.openings = [VenueOpening(days="tue,thu", opens=dt.time(8), closes=dt.time(22))]
    term.slots = [CandidateSlot(day="tue", start=dt.time(18)), CandidateSlot(day="thu", start=dt.time(18))]
    plan = Plan(provider=provider, term=term, status="draft")
    db.session.add_all([provider, term, venue, course, plan])
    db.session.flush()
    languages = ("nb", "en", "pl", "lt", "uk", "ar")
    people = [Learner(provider_id=provider.id, name=f"Learner {i}", phone=f"+479{i:07d}",
                      language=languages[i % len(languages)], home_place_id="finnsnes", level="A1")
              for i in range(learners)]
    db.session.add_all(people)
    db.session.flush()
    for start in range(0, learners, 12):
        teacher = Teacher(slug=f"t{start}", provider=provider, name=f"Teacher {start}", home_place_id="finnsnes",
                          levels="A1", availability=[TeacherAvailability(days="tue,thu", start=dt.time(17),
                                                                         end=dt.time(21))])
        group = Group(plan=plan, key=f"g{start}", course=course, venue=venue, sessions=42, teacher=teacher)
        group.slots = [GroupSlot(day="tue", weekday=1, start=dt.time(18)), GroupSlot(day="thu", weekday=3,
                                                                                   start=dt.time(18))]
        group.placements = [Placement(plan_id=plan.id, learner_id=person.id) for person in people[start:start + 12]]
        db.session.add(group)
    db.session.commit()
    return plan.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="an empty database to use (default: a new SQLite file)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="nortime-bench-")
    os.environ["NORTIME_INSTANCE_PATH"] = folder

    port, received = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    gateway = multiprocessing.Process(target=serve, args=(port, received), daemon=True)
    gateway.start()
    while port.value == 0:
        time.sleep(0.01)

    from nortime import create_app, outbox
    from nortime.db import db
    from nortime.models import Message, Plan
    from nortime.services import publishing

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{folder}/bench.sqlite",
                      "SECRET_KEY": "b" * 32, "BASE_URL": "https://nortime.example.no", "OUTBOX_WORKER": False,
                      "SMS_BACKEND": "http", "SMS_HTTP_URL": f"http://127.0.0.1:{port.value}/send"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        plan_id = seed(args.learners)
        plan = db.session.get(Plan, plan_id)
        started = time.perf_counter()
        publishing.publish(plan)
        published = time.perf_counter() - started
        queued = db.session.scalar(db.select(db.func.count()).select_from(Message))
        print(f"publish: {args.learners} learners, {queued} messages queued in {published:.2f} s")
        noon = dt.datetime(2027, 1, 5, 11, 0)  # outside quiet hours
        started = time.perf_counter()
        report = outbox.deliver_due(noon)
        delivered = time.perf_counter() - started
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"deliver: {report.sent} SMS to a local gateway ({received.value} received) in {delivered:.2f} s, "
              f"{report.sent / delivered:.0f} messages/s")
        db.drop_all()
    gateway.terminate()


if __name__ == "__main__":
    main()

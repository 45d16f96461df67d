"""Benchmark: the coordinators' counts on a big region, and registering attendance.

Loads the Midt-Troms demo with many learners into a temporary SQLite file,
publishes a hand-made plan (groups of 12 by level and venue, the rest not
placed), registers attendance for the first weeks, then times the counts,
the dashboard page and one attendance save. Prints figures; asserts nothing.

    .venv/bin/python bench/counting.py [--learners 3000] [--weeks 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def publish_hand_plan(seed: int) -> int:
    """A published plan per provider: learners in groups of up to 12 by course; returns the group count."""
    from nortime.db import db
    from nortime.models import WEEKDAYS, Group, GroupSlot, Learner, Placement, Plan, Provider, Unplacement

    rng = random.Random(seed)
    groups = 0
    for provider in db.session.query(Provider):
        term = provider.terms[0]
        plan = Plan(provider=provider, term=term, status="published", published_at=dt.datetime(2026, 12, 1))
        db.session.add(plan)
        db.session.flush()
        learners = db.session.query(Learner).filter_by(provider_id=provider.id).all()
        by_level: dict[str, list] = {}
        for learner in learners:
            by_level.setdefault(learner.level, []).append(learner)
        for course in provider.courses:
            venues = course.venues or provider.venues
            waiting = by_level.pop(course.level, [])
            for number, start in enumerate(range(0, len(waiting), 12)):
                members = waiting[start:start + 12]
                if len(members) < 5:
                    by_level.setdefault(course.level, []).extend(members)
                    break
                slot = term.slots[number % len(term.slots)]
                group = Group(plan=plan, key=f"{course.slug}-{number}", course=course,
                              venue=venues[number % len(venues)], sessions=0)
                group.slots = [GroupSlot(day=slot.day, weekday=WEEKDAYS.index(slot.day), start=slot.start)]
                db.session.add(group)
                db.session.flush()
                groups += 1
                db.session.add_all([Placement(plan_id=plan.id, group_id=group.id, learner_id=member.id)
                                    for member in members])
        for left in by_level.values():
            db.session.add_all([Unplacement(plan_id=plan.id, learner_id=learner.id, reasons=[
                {"code": rng.choice(["rota_conflict", "group_full", "no_teacher"]), "message": "", "details": {}}])
                for learner in left])
    db.session.commit()
    return groups


def register_weeks(weeks: int, seed: int) -> int:
    """Attendance (about 80 % present) for every session of the first `weeks` weeks; returns sessions."""
    from nortime.db import db
    from nortime.models import Group, Plan
    from nortime.services.attendance import record_attendance
    from nortime.services.timetable import group_sessions

    rng = random.Random(seed)
    registered = 0
    for group in db.session.query(Group).join(Plan).filter(Plan.status == "published"):
        last = group.plan.term.first_day + dt.timedelta(weeks=weeks)
        for session in group_sessions(group):
            if session.status == "cancelled" or session.occurrence_date >= last:
                continue
            present = {placement.learner_id for placement in group.placements if rng.random() < 0.8}
            record_attendance(group, session.occurrence_date, present, None)
            registered += 1
    return registered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=3000)
    parser.add_argument("--weeks", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import os

    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.services.counting import region_counts

    folder = Path(tempfile.mkdtemp(prefix="nortime-bench-"))
    os.environ["NORTIME_INSTANCE_PATH"] = str(folder)
    app = create_app({"SECRET_KEY": "benchmark-secret-key", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'b.sqlite'}",
                      "SERVER_NAME": "nortime.test", "CHECK_DATABASE_ON_START": False,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        load_demo(learners=args.learners, seed=args.seed)
        groups = publish_hand_plan(args.seed)
        setup_seconds = time.perf_counter() - started
        started = time.perf_counter()
        sessions = register_weeks(args.weeks, args.seed)
        attendance_seconds = time.perf_counter() - started
    print(f"learners {args.learners}, published groups {groups}, set-up {setup_seconds:.1f} s")
    print(f"attendance: {sessions} sessions registered in {attendance_seconds:.1f} s "
          f"({1000 * attendance_seconds / max(sessions, 1):.1f} ms per save)")
    with app.test_request_context("/?lang=en"):
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            counts = region_counts()
            timings.append(time.perf_counter() - started)
        total = counts.headline.total.values
    print(f"region_counts: best {min(timings):.2f} s of 3 (signed up {total['signed_up']}, placed {total['placed']}, "
          f"attending {total['attending']}, delivered hours {counts.delivered_hours}, planned {counts.planned_hours})")
    with app.app_context():
        from werkzeug.security import generate_password_hash

        from nortime.models import User

        db.session.add(User(email="bench@example.org", role="coordinator",
                            password_hash=generate_password_hash("benchmark password")))
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": "benchmark password"})
    started = time.perf_counter()
    response = client.get("/coordinator/?lang=en")
    print(f"dashboard page: {response.status_code}, {len(response.data) // 1024} KiB in "
          f"{time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    response = client.get("/coordinator/tables/municipality.csv")
    print(f"municipality CSV: {response.status_code} in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

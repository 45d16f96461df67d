"""How fast provider staff find learners: the learner list, search, and one learner's page, with 5,000 learners.

Loads the Midt-Troms demo with 5,000 learners into a temporary SQLite
database, publishes a plan that places about two thirds of one provider's
learners (the rest not placed, with a reason), then times requests through
the Flask test client as a logged-in staff member. Prints median and p95 per
kind of request; asserts nothing about speed (the goal is p95 <= 150 ms).

    .venv/bin/python bench/staff.py [--learners 5000] [--requests 40]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def publish_plan(provider):
    """A published plan: each course's learners in groups of up to max_group at its first venue."""
    from nortime.db import db
    from nortime.models import Course, Group, GroupSlot, Learner, Placement, Plan, Unplacement, utcnow
    from nortime.services.planning import current_term

    term = current_term(provider)
    plan = Plan(provider_id=provider.id, term_id=term.id, status="published", published_at=utcnow())
    db.session.add(plan)
    db.session.flush()
    learners = db.session.scalars(db.select(Learner).where(Learner.provider_id == provider.id)).all()
    courses = db.session.scalars(db.select(Course).where(Course.provider_id == provider.id)).all()
    venue = provider.venues[0]
    placements, unplaced = [], []
    for course in courses:
        level = [learner for learner in learners if learner.level == course.level]
        cut = len(level) * 2 // 3
        for number, start in enumerate(range(0, cut, course.max_group)):
            group = Group(plan_id=plan.id, key=f"{course.slug}-{number}", course_id=course.id, venue_id=venue.id,
                          sessions=30, slots=[GroupSlot(day="tue", weekday=1, start=term.slots[0].start)])
            db.session.add(group)
            db.session.flush()
            placements += [{"plan_id": plan.id, "group_id": group.id, "learner_id": learner.id,
                            "attendable_share": 0.9} for learner in level[start:start + course.max_group]]
        unplaced += [{"plan_id": plan.id, "learner_id": learner.id,
                      "reasons": [{"code": "group_full", "message": "full", "details": {}}]} for learner in level[cut:]]
    db.session.execute(db.insert(Placement), placements)
    db.session.execute(db.insert(Unplacement), unplaced)
    db.session.commit()
    return len(placements), len(unplaced)


def timed(client, paths: list[str]) -> list[float]:
    timings = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return timings


def report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print(f"{label:<34} n={len(timings):3d}  median {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nortime-bench-"))
    os.environ["NORTIME_INSTANCE_PATH"] = str(folder)
    from werkzeug.security import generate_password_hash

    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.models import Learner, Provider, User

    app = create_app({"SECRET_KEY": "bench-secret-key-0123", "SERVER_NAME": "nortime.test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'b.sqlite'}"})
    rng = random.Random(1)
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        load_demo(learners=args.learners, seed=1)
        provider = db.session.scalar(db.select(Provider).order_by(Provider.id))
        placed, unplaced = publish_plan(provider)
        mine = db.session.scalars(db.select(Learner).where(Learner.provider_id == provider.id)).all()
        for learner in mine[::3]:  # the demo gives e-mail only; a third get a phone number to search for
            learner.phone = f"+47 9{rng.randrange(10_000_000):07d}"
        db.session.commit()
        print(f"demo with {args.learners} learners loaded, {provider.slug} has {len(mine)} "
              f"({placed} placed, {unplaced} not placed) in {time.perf_counter() - started:.1f} s")
        user = User(email="bench@example.org", password_hash=generate_password_hash("x"), role="provider_staff",
                    provider_id=provider.id)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
        names = [learner.name for learner in mine]
        phones = [learner.phone for learner in mine if learner.phone]
        ids = [learner.id for learner in mine]
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
    n = args.requests
    timed(client, ["/provider/learners"] * 3)  # warm up templates and caches
    report("list, first page", timed(client, ["/provider/learners"] * n))
    report("list, status + sort + page 3", timed(client, [f"/provider/learners?status={rng.choice(['placed', 'waiting', 'unplaced', 'new'])}&sort=newest&page=3" for _ in range(n)]))
    report("search, two letters of a name", timed(client, [f"/provider/learners?q={rng.choice(names)[:2]}" for _ in range(n)]))
    report("search, a whole name", timed(client, [f"/provider/learners?q={rng.choice(names)}" for _ in range(n)]))
    report("search, phone digits", timed(client, [f"/provider/learners?q={rng.choice(phones)[-5:]}" for _ in range(n)]))
    report("a learner's staff page", timed(client, [f"/provider/learners/{rng.choice(ids)}" for _ in range(n)]))


if __name__ == "__main__":
    main()

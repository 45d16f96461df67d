"""How long offering a freed seat takes when 3,000 learners wait (issue 15; goal: at most 1 s).

Loads the Midt-Troms demo into a temporary SQLite database (or the database
given), publishes a plan for one provider whose groups are full, so that
about 3,000 of its learners wait, then, round after round, a placed learner
withdraws: the time from the withdrawal to the offer written and queued
(`learner_page.withdraw`, which calls `offers.offer_seats`). Also times the
worst case, a seat nobody waiting fits, so that every waiting learner's fit
is computed (each of them busy at one of its sessions, which the course does
not allow). Prints the median and the worst; asserts nothing.

    .venv/bin/python bench/offers.py [--learners 5000] [--rounds 15] [--database-url postgresql://...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def publish_full_plan(provider, groups_per_course: int = 6) -> int:
    """A published plan: each course gets groups at its venues, each full with learners of its level."""
    from nortime.db import db
    from nortime.models import Course, Group, GroupSlot, Learner, Placement, Plan, utcnow
    from nortime.services.planning import current_term

    term = current_term(provider)
    plan = Plan(provider_id=provider.id, term_id=term.id, status="published", published_at=utcnow())
    db.session.add(plan)
    db.session.flush()
    learners = db.session.scalars(db.select(Learner).where(Learner.provider_id == provider.id)
                                  .order_by(Learner.id)).all()
    courses = db.session.scalars(db.select(Course).where(Course.provider_id == provider.id)).all()
    slots = sorted(term.slots, key=lambda slot: (slot.day, slot.start))
    placements, taken = [], set()
    for course in courses:
        venues = course.venues or provider.venues
        level = [learner for learner in learners if learner.level == course.level and learner.id not in taken]
        for number in range(groups_per_course):
            first, second = slots[(2 * number) % len(slots)], slots[(2 * number + 3) % len(slots)]
            if first.day == second.day:
                second = slots[(2 * number + 4) % len(slots)]
            group = Group(plan_id=plan.id, key=f"{course.slug}-{number}", course_id=course.id,
                          venue_id=venues[number % len(venues)].id, sessions=40,
                          slots=[GroupSlot(day=slot.day, weekday=("mon", "tue", "wed", "thu", "fri", "sat",
                                                                  "sun").index(slot.day), start=slot.start)
                                 for slot in (first, second)][:course.sessions_per_week])
            db.session.add(group)
            db.session.flush()
            members = level[number * course.max_group:(number + 1) * course.max_group]
            taken.update(learner.id for learner in members)
            placements += [{"plan_id": plan.id, "group_id": group.id, "learner_id": learner.id,
                            "attendable_share": 0.9, "locked": False} for learner in members]
    db.session.execute(db.insert(Placement), placements)
    db.session.commit()
    return plan.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5000,
                        help="demo learners (about two thirds are one provider's)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--database-url", default=None, help="an empty database to use (default: a new SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nortime-bench-"))
    os.environ["NORTIME_INSTANCE_PATH"] = str(folder)

    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.models import BusyPeriod, Learner, Offer, Placement, Plan, Provider
    from nortime.services import offers
    from nortime.services.learner_page import withdraw

    app = create_app({"SECRET_KEY": "bench-secret-key-0123", "BASE_URL": "https://nortime.example.no",
                      "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{folder / 'b.sqlite'}",
                      "OUTBOX_WORKER": False, "SMS_BACKEND": "console"})
    rng = random.Random(1)
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        load_demo(learners=args.learners, seed=1)
        provider = db.session.scalar(db.select(Provider).order_by(Provider.id))
        plan_id = publish_full_plan(provider)
        plan = db.session.get(Plan, plan_id)
        waiting = len(db.session.scalars(offers._waiting(plan)).all())
        groups = len(plan.groups)
        print(f"demo with {args.learners} learners loaded in {time.perf_counter() - started:.1f} s; "
              f"{provider.slug}: {groups} full groups, {waiting} learners waiting")

        timings, made = [], 0
        for _ in range(args.rounds):
            placement = rng.choice(db.session.scalars(db.select(Placement).where(Placement.plan_id == plan_id)).all())
            learner = db.session.get(Learner, placement.learner_id)
            before = db.session.scalar(db.select(db.func.count()).select_from(Offer))
            started = time.perf_counter()
            withdraw(learner)
            timings.append(time.perf_counter() - started)
            made += db.session.scalar(db.select(db.func.count()).select_from(Offer)) - before
        print(f"a seat frees ({args.rounds} withdrawals, {made} offers made): "
              f"median {statistics.median(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms")

        # The worst case: nobody waiting fits the seat, so every waiting learner is checked, rota and all.
        # Everyone waiting is made the group's level (none is ruled out cheaply), the course needs every
        # session, and each of them is busy at the group's first session.
        group = plan.groups[0]
        group_id, first = group.id, offers.first_session_day(group)
        start_at = dt.datetime.combine(first, group.slots[0].start)
        group.course.min_attendance = 1.0
        waiting_ids = db.session.scalars(offers._waiting(plan)).all()
        db.session.execute(db.update(Learner).where(Learner.id.in_(waiting_ids)).values(level=group.course.level))
        db.session.execute(db.insert(BusyPeriod), [{"learner_id": learner_id, "start": start_at,
                                                     "end": start_at + dt.timedelta(hours=3), "note": ""}
                                                    for learner_id in waiting_ids])
        db.session.commit()
        scans, made = [], 0
        for _ in range(5):
            placement = db.session.scalars(db.select(Placement).where(Placement.group_id == group_id)).first()
            learner = db.session.get(Learner, placement.learner_id)
            before = db.session.scalar(db.select(db.func.count()).select_from(Offer))
            started = time.perf_counter()
            withdraw(learner)
            scans.append(time.perf_counter() - started)
            made += db.session.scalar(db.select(db.func.count()).select_from(Offer)) - before
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"worst case, a seat nobody fits ({len(waiting_ids)} waiting learners checked, {made} offers made): "
              f"median {statistics.median(scans) * 1000:.0f} ms, worst {max(scans) * 1000:.0f} ms")
        db.session.remove()
        if args.database_url:
            db.drop_all()


if __name__ == "__main__":
    main()

"""Benchmark: the published groups that fit one late joiner, over a plan of 250 groups and 3,000 learners.

Loads the Midt-Troms demo with 3,000 learners, publishes (by hand, without solving) a plan of 250
groups of one provider spread over its venues, courses and candidate slots, most of them filled with
learners of their level, and times `enrollment.openings` (the groups with a free seat that fit, with
first date and missed sessions, as the personal page shows them) and `fitting.fitting_groups` alone
for learners without a seat. Prints the median and 95th percentile (target: median <= 50 ms).
Not a test: nothing is asserted.

    .venv/bin/python bench/enrollment.py [--groups 250] [--learners 3000] [--samples 60]
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def seed(groups: int, learners: int) -> int:
    """The demo, and a published plan of `groups` groups for its first provider; the plan's id."""
    from sqlalchemy import select

    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.models import WEEKDAYS, Group, GroupSlot, Learner, Placement, Plan, Provider

    load_demo(learners=learners, seed=1)
    provider = db.session.scalars(select(Provider).order_by(Provider.id)).first()
    term = provider.terms[0]
    plan = Plan(provider=provider, term=term, status="published", published_at=dt.datetime(2027, 1, 1))
    db.session.add(plan)
    db.session.flush()
    courses = [course for course in provider.courses if course.term_id == term.id]
    slots = sorted(term.slots, key=lambda slot: (WEEKDAYS.index(slot.day), slot.start))
    by_day = [list(same) for _day, same in itertools.groupby(slots, key=lambda slot: slot.day)]
    waiting = {course.level: list(db.session.scalars(select(Learner.id).where(
        Learner.provider_id == provider.id, Learner.level == course.level).order_by(Learner.id)))
        for course in courses}
    waiting = {level: ids[:len(ids) * 85 // 100] for level, ids in waiting.items()}  # the rest join late
    combos = itertools.cycle(itertools.product(courses, provider.venues))
    for number in range(groups):
        course, venue = next(combos)
        days = [by_day[(number + k * 2) % len(by_day)] for k in range(min(course.sessions_per_week, len(by_day)))]
        group = Group(plan=plan, key=f"{course.slug}-{venue.slug}-{number}", course=course, venue=venue, sessions=40)
        group.slots = [GroupSlot(day=day[0].day, weekday=WEEKDAYS.index(day[0].day),
                                 start=day[number % len(day)].start) for day in dict.fromkeys(map(tuple, days))]
        take = course.max_group - 1 - number % 3  # one to three seats left free in every group
        members, waiting[course.level] = waiting[course.level][:take], waiting[course.level][take:]
        group.placements = [Placement(plan_id=plan.id, learner_id=learner_id) for learner_id in members]
        db.session.add(group)
    db.session.commit()
    return plan.id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=250)
    parser.add_argument("--learners", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--database-url", default=None, help="an empty database to use (default: a new SQLite file)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="nortime-bench-")
    os.environ["NORTIME_INSTANCE_PATH"] = folder

    from sqlalchemy import func, select

    from nortime import create_app
    from nortime.db import db
    from nortime.models import Group, Learner, Placement, Plan
    from nortime.services.enrollment import openings
    from nortime.services.fitting import fitting_groups

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{folder}/bench.sqlite",
                      "SECRET_KEY": "b" * 32, "SERVER_NAME": "nortime.example.no", "OUTBOX_WORKER": False})
    with app.test_request_context("/?lang=en"):
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        plan_id = seed(args.groups, args.learners)
        plan = db.session.get(Plan, plan_id)
        groups = db.session.scalar(select(func.count()).select_from(Group).where(Group.plan_id == plan_id))
        placed = db.session.scalar(select(func.count()).select_from(Placement).where(Placement.plan_id == plan_id))
        print(f"seeded {groups} groups, {placed} placed of {args.learners} learners "
              f"in {time.perf_counter() - started:.1f} s")
        unplaced = list(db.session.scalars(
            select(Learner).where(Learner.provider_id == plan.provider_id,
                                  Learner.id.not_in(select(Placement.learner_id).where(Placement.plan_id == plan_id)))
            .order_by(Learner.id).limit(args.samples)))
        wall = {"fitting_groups": [], "openings (page)": []}
        cpu = {"fitting_groups": [], "openings (page)": []}
        found = []
        for learner in unplaced:
            for name, work in (("fitting_groups", lambda: fitting_groups(plan, learner)),
                               ("openings (page)", lambda: found.append(len(openings(learner, plan))))):
                db.session.expire_all()  # as a new request would: nothing cached in the session
                begin, begin_cpu = time.perf_counter(), time.process_time()
                work()
                wall[name].append((time.perf_counter() - begin) * 1000)
                cpu[name].append((time.process_time() - begin_cpu) * 1000)
        print(f"{len(unplaced)} learners without a seat; groups that fit one: median {statistics.median(found):g}, "
              f"max {max(found)}  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for name in wall:
            print(f"{name:>16}: median {statistics.median(wall[name]):6.1f} ms   p95 {percentile(wall[name], 0.95):6.1f} ms"
                  f"   (CPU: median {statistics.median(cpu[name]):6.1f} ms, p95 {percentile(cpu[name], 0.95):6.1f} ms)"
                  f"   target: median <= 50 ms")


if __name__ == "__main__":
    main()

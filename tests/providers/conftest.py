"""Fixtures for the providers' tests: the demo's providers, staff accounts, hand-made solutions."""
from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import select

TEST_DATABASE_URL = os.environ.get("NORTIME_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A SQLite file with the demo (120 learners) loaded once per run; copied for every test."""
    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo

    folder = tmp_path_factory.mktemp("demo-template")
    path = folder / "demo.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NORTIME_INSTANCE_PATH", str(folder))
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
        with app.app_context():
            db.create_all()
            load_demo(learners=120, seed=1)
            db.session.remove()
            db.engine.dispose()
    return path


@pytest.fixture
def demo_app(app, demo_template):
    """The app with the demo loaded (as tests/conftest.py's demo_app), copied from a template on SQLite."""
    from nortime.db import db

    with app.app_context():
        if TEST_DATABASE_URL:
            from nortime.demo import load_demo

            load_demo(learners=120, seed=1)
            return app
        path = db.engine.url.database
        db.session.remove()
        db.engine.dispose()
        shutil.copyfile(demo_template, path)
    return app


def hand_solution(problem: dict, groups: int = 2, status: str = "feasible", members: int | None = None) -> dict:
    """A small solution in the spec's form, made by hand from a problem: one group for each of the first
    `groups` courses that can have one, at the first venue and weekly slots that keep every hard rule,
    with a teacher of its own and (up to `members` of) the learners of its level who can come.
    `solver.verify` finds nothing to fault in it.
    """
    from itertools import combinations

    from solver import verify
    from solver.options import build_options
    from solver.problem import read_problem
    from solver.rules import attendable_share, in_reach, pattern_faults, share_enough

    parsed = read_problem(problem)
    options = build_options(parsed)
    learner_index = {learner.id: i for i, learner in enumerate(parsed.learners)}
    course_index = {course.id: i for i, course in enumerate(parsed.courses)}
    venue_index = {venue.id: i for i, venue in enumerate(parsed.venues)}
    teacher_index = {teacher.id: i for i, teacher in enumerate(parsed.teachers)}
    slot_index = {(slot["day"], slot["start"]): i for i, slot in enumerate(problem["slots"])}
    taken: set[str] = set()
    busy_days: set[tuple[str, str]] = set()  # (venue, day) already used: rooms never clash
    busy_teachers: set[str] = set()  # a teacher each: teachers never clash
    solution_groups, attendance = [], {}
    for course in problem["courses"][:groups]:
        c = course_index[course["id"]]
        level = [entry["id"] for entry in problem["learners"]
                 if entry["level"] == course["level"] and entry["id"] not in taken]
        found = None
        for venue in course.get("venues") or [v["id"] for v in problem["venues"]]:
            v = venue_index[venue]
            reach = [key for key in level if in_reach(options, learner_index[key], v)]
            for days in combinations(problem["slots"], course["sessions_per_week"]):
                slots = [slot_index[(slot["day"], slot["start"])] for slot in days]
                if len(reach) < course["min_group"] or any((venue, slot["day"]) in busy_days for slot in days) \
                        or pattern_faults(options, c, v, slots):
                    continue
                shares = {key: attendable_share(options, learner_index[key], c, v, slots) for key in reach}
                chosen = [key for key in reach if share_enough(options, c, shares[key])][:members or course["max_group"]]
                teacher = next((t["id"] for t in problem["teachers"] if course["level"] in t["levels"]
                                and t["id"] not in busy_teachers and t["max_sessions_per_week"] >= len(slots)
                                and all(options.teacher_slots[teacher_index[t["id"]], c, s] for s in slots)), None)
                if len(chosen) >= course["min_group"] and teacher is not None:
                    found = ({"id": f"{course['id']}-{venue}-1", "course": course["id"], "venue": venue,
                              "teacher": teacher, "slots": list(days), "learners": chosen,
                              "sessions": int(options.availability.total[slots].sum())},
                             {key: round(shares[key], 3) for key in chosen})
                    break
            if found:
                break
        if found is None:
            continue
        solution_groups.append(found[0])
        attendance.update(found[1])
        taken.update(found[0]["learners"])
        busy_days.update((found[0]["venue"], slot["day"]) for slot in found[0]["slots"])
        busy_teachers.add(found[0]["teacher"])
    placed = sum(entry.get("priority", 1) for entry in problem["learners"] if entry["id"] in taken)
    unplaced = [{"learner": learner["id"],
                 "reasons": [{"code": "group_full", "message": "every group that suits them is full",
                              "details": {}}]}
                for learner in problem["learners"] if learner["id"] not in taken]
    solution = {"format": "nortime.solution/1", "status": status, "placed": placed, "placed_bound": placed,
                "groups": solution_groups, "attendance": attendance, "unplaced": unplaced,
                "stats": {"seconds": 0.1}, "errors": []}
    assert verify(problem, solution) == [], verify(problem, solution)
    return solution


def allow_small_groups(provider, minimum: int = 1) -> None:
    """Let the provider's courses run with as few as `minimum` learners (hand-made plans with small groups)."""
    from nortime.db import db

    for course in provider.courses:
        course.min_group = minimum
    db.session.commit()


def hand_draft(members: int | None = None, groups: int = 3) -> int:
    """A draft plan of the demo's mtvo, made by hand: a group for each of `groups` courses (small groups
    allowed), `members` learners each (None: as many as fit). Returns its id."""
    from nortime.db import db
    from nortime.models import Provider
    from nortime.services import planning

    provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
    allow_small_groups(provider)
    term = planning.current_term(provider)
    problem = planning.build_problem(provider, term)
    plan = planning.plan_from_solution(provider, term, problem, hand_solution(problem, groups=groups, members=members))
    db.session.commit()
    return plan.id


@pytest.fixture
def providers(demo_app):
    """(mtvo, fu-nord) ids."""
    from nortime.db import db
    from nortime.models import Provider

    with demo_app.app_context():
        return tuple(db.session.scalar(select(Provider.id).where(Provider.slug == slug)) for slug in ("mtvo", "fu-nord"))


@pytest.fixture
def staff(make_user, providers):
    return make_user("provider_staff", provider=providers[0])


@pytest.fixture
def other_staff(make_user, providers):
    return make_user("provider_staff", provider=providers[1])


@pytest.fixture
def fake_solver(monkeypatch):
    """Replace the optimizer at its boundary by hand_solution (records the problems it was given)."""
    from nortime import jobs

    calls = []

    def solve(problem, *, time_limit, workers, on_progress):
        calls.append(problem)
        on_progress({"placed": 1, "bound": 5})
        return hand_solution(problem)

    monkeypatch.setattr(jobs, "solve_problem", solve)
    return calls


def in_english(client):
    """Pages in English (the default is Norwegian bokmål), so tests can look for the source texts."""
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def in_threads(app, *jobs):
    """Run each job (a function of no arguments) in its own thread and app context, all starting together.

    Returns what each returned, or the exception it raised, in the order given.
    """
    import threading

    from nortime.db import db

    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                start.wait()
                results[index] = job()
            except Exception as error:  # handed back to the test, which says what it expects
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results

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
    """A small solution in the spec's form, made by hand from a problem (one group per course, in order).

    It is not checked against rotas: it only exercises what the web app does with a solution.
    """
    by_day = {}
    for slot in problem["slots"]:
        by_day.setdefault(slot["day"], slot)
    days = list(by_day.values())
    taken = set()
    solution_groups, attendance = [], {}
    for course in problem["courses"][:groups]:
        venue = (course.get("venues") or [problem["venues"][0]["id"]])[0]
        teacher = next((t["id"] for t in problem["teachers"] if course["level"] in t["levels"]), None)
        chosen = [learner["id"] for learner in problem["learners"]
                  if learner["level"] == course["level"] and learner["id"] not in taken][:members or course["max_group"]]
        taken.update(chosen)
        attendance.update({member: 0.9 for member in chosen})
        solution_groups.append({"id": f"{course['id']}-{venue}-1", "course": course["id"], "venue": venue,
                                "teacher": teacher, "slots": days[:course["sessions_per_week"]],
                                "learners": chosen, "sessions": 30})
    unplaced = [{"learner": learner["id"],
                 "reasons": [{"code": "group_full", "message": "every group that suits them is full",
                              "details": {}}]}
                for learner in problem["learners"] if learner["id"] not in taken]
    return {"format": "nortime.solution/1", "status": status, "placed": len(taken), "placed_bound": len(taken),
            "groups": solution_groups, "attendance": attendance, "unplaced": unplaced,
            "stats": {"seconds": 0.1}, "errors": []}


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

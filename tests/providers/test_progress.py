"""The progress page shows the real phase of a run, and labels head counts and priority-weighted values apart."""
from __future__ import annotations

import time

from sqlalchemy import select

from nortime import jobs
from nortime.db import db
from nortime.models import Plan, Provider, SolveRun
from nortime.services import planning

from .conftest import hand_solution, in_english


def _provider():
    provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
    return provider, planning.current_term(provider)


def _phase_in_database(run_id: int) -> str | None:
    """The phase as another process (the progress page) would read it now."""
    with db.engine.connect() as connection:
        progress = connection.execute(select(SolveRun.progress).where(SolveRun.id == run_id)).scalar()
    return (progress or {}).get("phase")


def test_a_run_goes_through_waiting_building_solving_saving(demo_app, monkeypatch):
    seen = {}

    def solve(problem, *, time_limit, workers, on_progress):
        seen["building"] = _phase_in_database(run_id)
        on_progress({"placed": 1, "bound": 5})
        time.sleep(0.35)  # progress is written at most every 0.3 s
        on_progress({"placed": 2, "bound": 5})
        seen["solving"] = _phase_in_database(run_id)
        return hand_solution(problem)

    real_apply = planning.apply_solution

    def apply(run):
        seen["saving"] = _phase_in_database(run.id)
        return real_apply(run)

    monkeypatch.setattr(jobs, "solve_problem", solve)
    monkeypatch.setattr(planning, "apply_solution", apply)
    with demo_app.app_context():
        provider, term = _provider()
        run = jobs.create_run(provider, term, planning.build_problem(provider, term), time_limit=1)
        run_id = run.id
        assert jobs.run_status(run)["phase"] == "waiting"
        run = jobs.execute_run(run_id)
        assert run.status == "done"
        assert seen == {"building": "building", "solving": "solving", "saving": "saving"}
        assert jobs.run_status(run)["phase"] == "done"


def test_the_page_shows_the_phase_it_is_in(demo_app, staff, login, monkeypatch):
    with demo_app.app_context():
        provider, term = _provider()
        run = jobs.create_run(provider, term, planning.build_problem(provider, term), time_limit=5)
        run.status, run.progress = "running", {"phase": "solving", "placed": 40, "bound": 60,
                                               "updated": "2099-01-01T00:00:00"}
        run.started_at = run.created_at
        db.session.commit()
        run_id = run.id
    client = in_english(login(staff))
    monkeypatch.setattr(jobs, "refresh", lambda run: run)  # no worker is really there; show what is stored
    page = client.get(f"/provider/runs/{run_id}").get_data(as_text=True)
    status = client.get(f"/provider/runs/{run_id}/status").get_json()
    assert 'data-phase="solving">Solving: looking for a better timetable…</span>' in page
    assert status["phase"] == "solving"
    assert "Priority-weighted value so far" in page


def test_head_count_and_weighted_value_are_labelled_as_what_they_are(demo_app, staff, login, monkeypatch):
    def solve(problem, *, time_limit, workers, on_progress):
        solution = hand_solution(problem)
        priority = {learner["id"]: learner.get("priority", 1) for learner in problem["learners"]}
        for learner_id in solution["groups"][0]["learners"]:
            priority[learner_id] = 3  # the optimizer's value counts these three times
        solution["placed"] = sum(priority[l] for g in solution["groups"] for l in g["learners"])
        return solution

    monkeypatch.setattr(jobs, "solve_problem", solve)
    with demo_app.app_context():
        provider, term = _provider()
        run = jobs.execute_run(jobs.create_run(provider, term, planning.build_problem(provider, term),
                                               time_limit=1).id)
        heads = sum(len(group["learners"]) for group in run.solution["groups"])
        weighted = run.solution["placed"]
        plan_id = db.session.scalar(select(Plan.id).where(Plan.solve_run_id == run.id))
        run_id = run.id
    assert weighted > heads
    client = in_english(login(staff))
    page = client.get(f"/provider/runs/{run_id}").get_data(as_text=True)
    assert f'id="placed-learners">{heads} /' in page
    assert "Learners placed (head count)" in page and "Priority-weighted value so far" in page
    review = client.get(f"/provider/plans/{plan_id}").get_data(as_text=True)
    assert f'id="figure-placed">{heads}<' in review


def test_the_plan_command_says_which_figure_is_which(demo_app, runner, monkeypatch, fake_solver):
    result = runner.invoke(args=["plan", "--provider", "mtvo", "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "priority-weighted value" in result.output and "learners" in result.output

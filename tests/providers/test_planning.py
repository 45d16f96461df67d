"""The planning service: the problem built from the database, and a solution turned back into a draft."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nortime.db import db
from nortime.models import Learner, Plan, Provider, SolveRun
from nortime.services import planning
from solver.problem import read_problem

from .conftest import hand_solution


def _mtvo():
    provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
    return provider, planning.current_term(provider)


def _draft_from(provider, term, problem, solution):
    run = SolveRun(provider_id=provider.id, term_id=term.id, status="done", problem=problem, solution=solution)
    db.session.add(run)
    db.session.commit()
    return planning.apply_solution(run)


def test_the_problem_is_valid_and_holds_only_this_providers_active_learners(demo_app):
    with demo_app.app_context():
        provider, term = _mtvo()
        withdrawn = db.session.scalar(select(Learner).where(Learner.provider_id == provider.id))
        withdrawn.withdrawn_at = dt.datetime(2027, 1, 1)
        db.session.commit()
        problem = planning.build_problem(provider, term)
        read_problem(problem)  # raises on anything the solver would refuse
        ids = {entry["id"] for entry in problem["learners"]}
        expected = {f"L{learner.id}" for learner in db.session.scalars(
            select(Learner).where(Learner.provider_id == provider.id, Learner.withdrawn_at.is_(None)))}
        assert ids == expected
        assert f"L{withdrawn.id}" not in ids
        assert {venue["id"] for venue in problem["venues"]} == {venue.slug for venue in provider.venues}
        assert {day.day.isoformat() for day in term.closed_dates} == set(problem["term"]["closed"])
        assert len(problem["slots"]) == len(term.slots)
        assert problem["current"] == {"groups": [], "locked": []}


def test_learner_json_carries_rota_busy_and_preferences(demo_app):
    with demo_app.app_context():
        learner = next(l for l in db.session.scalars(select(Learner)) if l.rota is not None and l.busy_periods)
        entry = planning.learner_json(learner)
        assert entry["id"] == f"L{learner.id}" and planning.learner_id(entry["id"]) == learner.id
        assert entry["rota"] == {"start": learner.rota.anchor.isoformat(), "cycle": learner.rota.cycle}
        assert entry["busy"][0]["start"] == learner.busy_periods[0].start.strftime("%Y-%m-%dT%H:%M")
        assert entry["home"] == learner.home_place_id and entry["level"] == learner.level


def test_extra_learners_join_the_problem_without_being_stored(demo_app):
    with demo_app.app_context():
        provider, term = _mtvo()
        extra = {"id": "preview", "home": "finnsnes", "level": "A2"}
        problem = planning.build_problem(provider, term, extra_learners=[extra])
        assert problem["learners"][-1] == extra
        read_problem(problem)
        assert planning.learner_id("preview") is None


def test_a_solution_becomes_a_draft_replacing_the_older_draft(demo_app):
    with demo_app.app_context():
        provider, term = _mtvo()
        problem = planning.build_problem(provider, term)
        solution = hand_solution(problem)
        _draft_from(provider, term, problem, solution)
        plan = _draft_from(provider, term, problem, solution)
        drafts = db.session.scalars(select(Plan).where(Plan.provider_id == provider.id, Plan.status == "draft")).all()
        assert drafts == [plan]
        assert plan.status == "draft"
        assert [group.key for group in plan.groups] == sorted(g["id"] for g in solution["groups"])
        placed = {f"L{p.learner_id}" for group in plan.groups for p in group.placements}
        assert placed == {member for g in solution["groups"] for member in g["learners"]}
        assert {f"L{u.learner_id}" for u in plan.unplaced} == {u["learner"] for u in solution["unplaced"]}
        group = plan.groups[0]
        assert len(group.slots) == group.course.sessions_per_week
        first = group.placements[0]
        assert first.attendable_share == pytest.approx(solution["attendance"][f"L{first.learner_id}"])


def test_an_unusable_solution_is_refused_with_its_errors(demo_app):
    with demo_app.app_context():
        provider, term = _mtvo()
        problem = planning.build_problem(provider, term)
        bad = {"status": "invalid_input", "errors": [{"path": "learners[0].home", "message": "unknown place"}]}
        with pytest.raises(planning.PlanningError, match=r"learners\[0\]\.home: unknown place"):
            _draft_from(provider, term, problem, bad)
        assert planning.draft_plan(provider, term) is None


def test_the_published_plan_becomes_current_with_its_locks(demo_app):
    from nortime.services.publishing import publish

    with demo_app.app_context():
        provider, term = _mtvo()
        problem = planning.build_problem(provider, term)
        plan = _draft_from(provider, term, problem, hand_solution(problem))
        plan.groups[0].locked = True
        plan.groups[1].placements[0].locked = True
        locked_learner = f"L{plan.groups[1].placements[0].learner_id}"
        publish(plan)
        again = planning.build_problem(provider, term)
        read_problem(again)
        current = again["current"]
        assert [g["id"] for g in current["groups"]] == [g.key for g in plan.groups]
        assert [g["locked"] for g in current["groups"]] == [True, False]
        assert current["locked"] == [locked_learner]
        # A fresh start ignores the published plan.
        assert planning.build_problem(provider, term, base_plan=None)["current"]["groups"] == []

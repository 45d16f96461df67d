"""Publishing and importing go through solver.verify: a plan or upload that breaks a hard rule is refused."""
from __future__ import annotations

import copy
import io
import json

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Placement, Plan, Provider, SolveRun
from nortime.services import planning, publishing
from nortime.services.plans import live_plan
from nortime.services.seats import seat_learner

from .conftest import allow_small_groups, hand_solution, in_english


def _mtvo():
    provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
    return provider, planning.current_term(provider)


def _draft() -> Plan:
    provider, term = _mtvo()
    problem = planning.build_problem(provider, term)
    plan = planning.plan_from_solution(provider, term, problem, hand_solution(problem, groups=3))
    db.session.commit()
    return plan


def test_publishing_refuses_an_overfull_group_and_keeps_the_live_plan(demo_app):
    with demo_app.test_request_context("/?lang=en"):
        live = publishing.publish(_draft(), notify=False)
        draft = _draft()
        group = draft.groups[0]
        extra = [u.learner_id for u in draft.unplaced][: group.course.max_group - len(group.placements) + 1]
        for learner_id in extra:  # straight into the table, as the old unlocked moves could
            db.session.add(Placement(plan_id=draft.id, group=group, learner_id=learner_id))
        db.session.commit()
        with pytest.raises(publishing.PublishError, match="Group size") as refused:
            publishing.publish(draft, notify=False)
        assert "Hard rules broken" in str(refused.value)
        db.session.expire_all()
        assert draft.status == "draft" and live_plan(*_mtvo()).id == live.id


def test_a_learner_seated_with_an_override_does_not_block_publishing(demo_app, make_user, providers):
    staff = make_user("provider_staff", provider=providers[0])
    with demo_app.test_request_context("/?lang=en"):
        provider, _term = _mtvo()
        allow_small_groups(provider)
        draft = _draft()
        group = draft.groups[0]
        misfit = next(u.learner for u in draft.unplaced if u.learner.level == group.course.level
                      and planning.fit_problems(draft, u.learner, group)[0])
        seat_learner(group, misfit, by=staff.id, override=True, reason="Her employer changes her shifts")
        assert publishing.publish(draft, notify=False).status == "published"


def test_an_uploaded_solution_that_double_books_a_teacher_is_refused_and_nothing_is_stored(demo_app, staff, login):
    client = in_english(login(staff))
    problem = client.get("/provider/problem.json").get_json()
    solution = hand_solution(problem)
    broken = copy.deepcopy(solution)
    first, second = broken["groups"][:2]
    second["teacher"], second["slots"] = first["teacher"], first["slots"]
    with demo_app.app_context():
        runs = db.session.scalar(select(func.count()).select_from(SolveRun))
    upload = {"solution": (io.BytesIO(json.dumps(broken).encode()), "solution.json")}
    page = client.post("/provider/solution", data=upload, content_type="multipart/form-data",
                       follow_redirects=True).get_data(as_text=True)
    assert "The solution cannot be used" in page and "Teacher:" in page
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SolveRun)) == runs
        assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
    upload = {"solution": (io.BytesIO(json.dumps(solution).encode()), "solution.json")}
    assert "/provider/plans/" in client.post("/provider/solution", data=upload,
                                             content_type="multipart/form-data").location

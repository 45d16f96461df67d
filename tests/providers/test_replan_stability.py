"""Re-plans keep what is published (issue 15): after one late sign-up on the demo, a re-plan changes
nothing but what the newcomer needs, unless it places more people."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from nortime import jobs
from nortime.db import db
from nortime.models import BusyPeriod, Learner, Plan, Provider, Rota
from nortime.services import planning, publishing
from nortime.services.planning import current_term, draft_plan
from nortime.services.plans import live_plan

from .conftest import hand_solution, in_english

SECONDS = "10"


@pytest.fixture
def full_demo(app):
    """The demo at its own size (300 learners): mtvo's 200 make the optimizer keep only a relaxation
    of the teacher rules in its model, the path on which re-plans moved people (issue 15)."""
    from nortime.demo import load_demo

    with app.app_context():
        load_demo(learners=300, seed=1)
    return app


def _plan(runner, *extra: str) -> str:
    result = runner.invoke(args=["plan", "--provider", "mtvo", "--time-limit", SECONDS, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _timetable(plan: Plan) -> tuple[dict, dict, int]:
    """Each group's course, venue, teacher and slots by key; each placed learner's group key; placed value."""
    groups = {g.key: (g.course.slug, g.venue.slug, g.teacher.slug if g.teacher else None,
                      sorted((s.day, s.start.isoformat()) for s in g.slots)) for g in plan.groups}
    where = {p.learner_id: g.key for g in plan.groups for p in g.placements}
    value = sum(p.learner.priority for g in plan.groups for p in g.placements)
    return groups, where, value


def _late_learner(provider: Provider, like: Learner) -> int:
    """A new learner with the same level, home, rota and busy days as `like`."""
    late = Learner(provider=provider, name="Late Sign-up", phone="+4791234567", language="en",
                   home_place_id=like.home_place_id, level=like.level, max_travel_minutes=like.max_travel_minutes,
                   buffer_minutes=like.buffer_minutes, priority=1, preferred_days=like.preferred_days)
    if like.rota is not None:
        late.rota = Rota(preset=like.rota.preset, anchor=like.rota.anchor, cycle=like.rota.cycle)
    late.busy_periods = [BusyPeriod(start=b.start, end=b.end) for b in like.busy_periods]
    db.session.add(late)
    db.session.commit()
    return late.id


def test_a_replan_after_one_late_sign_up_keeps_every_published_group_and_learner(full_demo, runner):
    _plan(runner, "--publish")
    with full_demo.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        term = current_term(provider)
        published = live_plan(provider, term)
        groups, where, value = _timetable(published)
        like = db.session.get(Learner, next(iter(where)))
        late = _late_learner(provider, like)
    _plan(runner)
    with full_demo.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        draft = draft_plan(provider, current_term(provider))
        new_groups, new_where, new_value = _timetable(draft)
    assert new_value >= value
    others = {learner: key for learner, key in new_where.items() if learner != late}
    if new_value <= value + 1:
        # Nobody else is placed: every published group and placement stays exactly as it was.
        assert {key: new_groups.get(key) for key in groups} == groups
        assert {learner: others.get(learner) for learner in where} == where
        assert set(others) == set(where)
    else:
        # More people placed: moves may be needed for them, but nobody published loses a place.
        assert set(where) <= set(others)


def _entry(key, learners, slots=(("mon", "18:00"),), locked=False, teacher="t1"):
    return {"id": key, "course": "a2", "venue": "fvo", "teacher": teacher, "learners": list(learners),
            "slots": [{"day": d, "start": t} for d, t in slots], "locked": locked}


def test_a_rerun_of_a_draft_keeps_the_published_plan_and_adds_only_the_drafts_locks():
    published = {"groups": [_entry("g1", ["L1", "L2", "L3"]), _entry("g2", ["L4", "L5", "L6"], [("tue", "18:00")]),
                            _entry("g3", ["L7", "L8", "L9"], [("wed", "18:00")])], "locked": []}
    # The draft moved g2 to Thursday and L1 into g3 unasked (neither locked): both are ignored.  Staff
    # locked L7 into g2 as the draft has it, and locked the new group g4 with L8 and L9.
    draft = {"groups": [_entry("g1", ["L2", "L3"]), _entry("g2", ["L4", "L5", "L6", "L7"], [("thu", "18:00")]),
                        _entry("g3", ["L1"], [("wed", "18:00")]),
                        _entry("g4", ["L8", "L9"], [("sat", "10:00")], locked=True, teacher="t2")],
             "locked": ["L7"]}
    current = planning.with_locks_of(published, draft)
    groups = {entry["id"]: entry for entry in current["groups"]}
    assert groups["g1"]["learners"] == ["L1", "L2", "L3"] and groups["g1"]["slots"] == published["groups"][0]["slots"]
    assert groups["g2"]["learners"] == ["L4", "L5", "L6", "L7"]
    assert groups["g2"]["slots"] == [{"day": "thu", "start": "18:00"}]   # L7 was locked in on the draft's days
    assert "g3" not in groups                                             # all its members sit elsewhere now
    assert groups["g4"] == draft["groups"][3]
    assert current["locked"] == ["L7"]


def test_the_rerun_button_measures_changes_against_the_published_plan(demo_app, staff, login):
    with demo_app.test_request_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        term = current_term(provider)
        problem = planning.build_problem(provider, term)
        published = publishing.publish(planning.plan_from_solution(provider, term, problem,
                                                                   hand_solution(problem, groups=2)))
        expected = planning.current_json(published, {e["id"] for e in problem["learners"]},
                                         {(s["day"], s["start"]) for s in problem["slots"]},
                                         {c["id"] for c in problem["courses"]})
        draft = planning.plan_from_solution(provider, term, problem, hand_solution(problem, groups=3))
        db.session.commit()
        assert {g.key for g in draft.groups} != {g["id"] for g in expected["groups"]}
    client = in_english(login(staff))
    response = client.post("/provider/plan", data={"base": "draft", "time_limit": "1"})
    run_id = int(response.location.rsplit("/", 1)[1])
    with demo_app.test_request_context():
        run = jobs.wait(run_id, timeout=90)
        assert run.problem["current"] == expected

"""One live plan per provider and term: the index, concurrent publishes, and a solve finishing during a publish."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from nortime.db import db
from nortime.models import Plan, Provider, SolveRun
from nortime.services import planning, publishing
from nortime.services.plans import current_live_plan, live_plan

from .conftest import hand_solution, in_threads


def _mtvo():
    provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
    return provider, planning.current_term(provider)


def _drafts(count: int) -> list[int]:
    """`count` drafts of mtvo's term side by side (as two runs' results could be)."""
    provider, term = _mtvo()
    problem = planning.build_problem(provider, term)
    ids = []
    for groups in range(1, count + 1):
        ids.append(planning.plan_from_solution(provider, term, problem, hand_solution(problem, groups=groups)).id)
    db.session.commit()
    return ids


def _live_count(provider_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Plan).where(Plan.provider_id == provider_id,
                                                                          Plan.status == "published"))


def test_the_database_refuses_a_second_published_plan_for_a_term(demo_app):
    with demo_app.app_context():
        provider, term = _mtvo()
        db.session.add(Plan(provider=provider, term=term, status="published"))
        db.session.commit()
        db.session.add(Plan(provider=provider, term=term, status="published"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(Plan(provider=provider, term=term, status="archived"))
        db.session.add(Plan(provider=provider, term=term, status="archived"))
        db.session.commit()  # any number of archived and draft plans


@pytest.mark.parametrize("same_draft", [False, True], ids=["two-drafts", "one-draft-twice"])
def test_two_concurrent_publishes_leave_exactly_one_live_plan(demo_app, same_draft):
    with demo_app.app_context():
        first, second = _drafts(2)
        provider_id = db.session.get(Plan, first).provider_id
    targets = (first, first) if same_draft else (first, second)

    def publish(plan_id):
        return lambda: publishing.publish(db.session.get(Plan, plan_id), notify=False).id

    results = in_threads(demo_app, *(publish(plan_id) for plan_id in targets))
    errors = [result for result in results if isinstance(result, Exception)]
    assert all(isinstance(error, publishing.PublishError) for error in errors), errors
    assert len(errors) == (1 if same_draft else 0)
    with demo_app.app_context():
        assert _live_count(provider_id) == 1
        live = current_live_plan(provider_id)
        assert live.id in targets and len(live.groups) > 0
        if not same_draft:
            assert {db.session.get(Plan, plan_id).status for plan_id in targets} == {"published", "archived"}


def test_a_solve_finishing_while_a_publish_is_open_leaves_the_published_plan(demo_app, monkeypatch):
    with demo_app.app_context():
        provider, term = _mtvo()
        problem = planning.build_problem(provider, term)
        run = SolveRun(provider_id=provider.id, term_id=term.id, status="done", problem=problem,
                       solution=hand_solution(problem, groups=3))
        db.session.add(run)
        db.session.commit()
        draft = planning.apply_solution(run).id
        newer = SolveRun(provider_id=provider.id, term_id=term.id, status="done", problem=problem,
                         solution=hand_solution(problem, groups=1))
        db.session.add(newer)
        db.session.commit()
        newer_id, provider_id = newer.id, provider.id

    inside, release = threading.Event(), threading.Event()
    check = publishing._check_complete

    def slow_check(plan):  # the publish is open: its checks take a while
        check(plan)
        inside.set()
        release.wait(30)

    monkeypatch.setattr(publishing, "_check_complete", slow_check)

    def publish():
        return publishing.publish(db.session.get(Plan, draft), notify=False).id

    def finish_solve():
        inside.wait(30)
        return planning.apply_solution(db.session.get(SolveRun, newer_id)).id

    def let_go():
        inside.wait(30)
        # Give the finishing solve time to run into the publish (it waits on the lock, or, unlocked, deletes).
        threading.Event().wait(2)
        release.set()

    results = in_threads(demo_app, publish, finish_solve, let_go)
    assert not any(isinstance(result, Exception) for result in results), results
    with demo_app.app_context():
        live = live_plan(provider_id, db.session.get(Plan, results[0]).term_id)
        assert live is not None and live.id == draft and len(live.groups) == 3
        new_draft = planning.draft_plan(*_mtvo())
        assert new_draft.id == results[1] and len(new_draft.groups) == 1


def test_page_feed_and_counts_agree_on_the_live_plan_of_the_current_term(demo_app):
    """A plan published later for the next term does not take over the running term's pages, feed and counts."""
    import datetime as dt

    from nortime.models import Group, Placement, Term
    from nortime.services.counting import learner_facts
    from nortime.services.learner_page import status_of
    from nortime.services.plans import current_live_plans
    from nortime.services.timetable import published_group_for

    with demo_app.test_request_context("/?lang=en"):
        provider, term = _mtvo()
        now_live = publishing.publish(db.session.get(Plan, _drafts(1)[0]), notify=False)
        group = now_live.groups[0]
        learner = group.placements[0].learner
        # Next term's plan, published afterwards, puts the same learner in another group.
        later = Term(provider=provider, name="Next", first_day=term.last_day + dt.timedelta(days=30),
                     last_day=term.last_day + dt.timedelta(days=150))
        db.session.add(later)
        next_plan = Plan(provider=provider, term=later, status="published",
                         published_at=now_live.published_at + dt.timedelta(days=1))
        other = Group(plan=next_plan, key="next-term-group", course=group.course, venue=group.venue)
        db.session.add_all([later, next_plan, other])
        db.session.flush()
        db.session.add(Placement(plan_id=next_plan.id, group=other, learner_id=learner.id))
        db.session.commit()

        today = term.first_day
        assert current_live_plan(provider, today).id == now_live.id
        assert status_of(learner).plan.id == now_live.id
        assert published_group_for(learner).id == group.id
        facts = {fact.learner_id: fact for fact in learner_facts(current_live_plans())}
        assert facts[learner.id].status == "placed" and facts[learner.id].venue_id == group.venue_id
        assert live_plan(provider, later).id == next_plan.id

"""Seats: concurrent moves into the last seat of a group, on SQLite and PostgreSQL; every seat is recorded."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Group, Learner, Placement, Plan, PlanChange
from nortime.services import planning, publishing
from nortime.services.seats import SeatError, free_seats, seat_learner, seat_limit

from .conftest import hand_draft, in_threads


def _draft(members: int | None = None) -> int:
    return hand_draft(members)


def _one_seat_left(group, limit_by: str = "course") -> None:
    """One seat left: by the course's max_group, or (issue 16) by the room's seats below it."""
    if limit_by == "room":
        group.course.max_group = len(group.placements) + 5
        group.venue.seats = len(group.placements) + 1
    else:
        group.course.max_group = len(group.placements) + 1
    db.session.commit()


def _count(group_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Placement).where(Placement.group_id == group_id))


@pytest.mark.parametrize("limit_by", ["course", "room"])
def test_seven_concurrent_moves_into_the_last_seat_seat_exactly_one(demo_app, staff, limit_by):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _draft())
        group = plan.groups[0]
        _one_seat_left(group, limit_by)
        movers = [u.learner_id for u in plan.unplaced if u.learner.level == group.course.level][:7]
        assert len(movers) == 7
        group_id, limit = group.id, len(group.placements) + 1
        assert seat_limit(group) == limit

    def move(learner_id):
        def job():
            with demo_app.test_request_context("/?lang=en"):
                return seat_learner(db.session.get(Group, group_id), db.session.get(Learner, learner_id),
                                    by=staff.id, reason="Staff decision in the test", override=True).learner_id
        return job

    results = in_threads(demo_app, *(move(learner_id) for learner_id in movers))
    seated = [result for result in results if isinstance(result, int)]
    refused = [result for result in results if isinstance(result, SeatError)]
    assert len(seated) == 1 and len(refused) == 6, results
    assert all(f"full ({limit} of {limit})" in str(error) for error in refused)
    with demo_app.app_context():
        assert _count(group_id) == limit
        assert free_seats(db.session.get(Group, group_id)) == 0
        change = db.session.scalar(select(PlanChange).where(PlanChange.kind == "seated"))
        assert (change.learner_id, change.group_id, change.created_by_id, change.override) == \
            (seated[0], group_id, staff.id, True)
        assert change.reason == "Staff decision in the test" and change.created_at is not None


def test_concurrent_move_requests_from_the_review_page_never_overfill(demo_app, staff):
    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _draft(members=2))
        group, candidates = None, []
        for group in plan.groups:
            candidates = [u.learner_id for u in plan.unplaced
                          if not planning.move_problems(plan, u.learner, group)[0]]
            if len(candidates) >= 3:
                break
        assert len(candidates) >= 3
        _one_seat_left(group)
        plan_id, group_id, limit = plan.id, group.id, group.course.max_group
    # One client per request, each its own session: as several members of staff at once.
    clients = []
    for _ in candidates:
        client = demo_app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"], session["lang"] = str(staff.id), True, "en"
        clients.append(client)

    def post(client, learner_id):
        return lambda: client.post(f"/provider/plans/{plan_id}/move",
                                   data={"learner_id": learner_id, "group_id": group_id}).status_code

    results = in_threads(demo_app, *(post(client, learner_id) for client, learner_id in zip(clients, candidates)))
    assert results == [302] * len(candidates)
    with demo_app.app_context():
        assert _count(group_id) == limit
        placed = set(db.session.scalars(select(Placement.learner_id).where(Placement.group_id == group_id)))
        assert len(placed & set(candidates)) == 1


def test_a_seat_in_the_live_plan_is_recorded_and_a_misfit_needs_an_override_with_a_reason(demo_app, staff):
    with demo_app.test_request_context("/?lang=en"):
        plan = publishing.publish(db.session.get(Plan, _draft(members=3)), notify=False)
        group = plan.groups[0]
        misfit = next(u.learner for u in plan.unplaced if u.learner.level != group.course.level)
        with pytest.raises(SeatError, match="Level:"):
            seat_learner(group, misfit, by=staff.id)
        with pytest.raises(SeatError, match="reason"):
            seat_learner(group, misfit, by=staff.id, override=True)
        placement = seat_learner(group, misfit, by=staff.id, override=True, reason="Placement test says A1")
        assert placement.group_id == group.id and misfit.id not in {u.learner_id for u in plan.unplaced}
        change = db.session.scalar(select(PlanChange).where(PlanChange.kind == "seated",
                                                            PlanChange.learner_id == misfit.id))
        assert change.plan_id == plan.id and change.override and change.created_by_id == staff.id
        with pytest.raises(SeatError, match="already"):
            seat_learner(group, misfit, by=staff.id)


def test_deleting_a_learner_deletes_the_record_of_their_seats(demo_app, staff):
    from nortime.services.learner_page import delete_learner

    with demo_app.test_request_context("/?lang=en"):
        plan = db.session.get(Plan, _draft(members=2))
        group = plan.groups[0]
        learner = next(u.learner for u in plan.unplaced if u.learner.level == group.course.level)
        seat_learner(group, learner, by=staff.id, override=True, reason="Test")
        learner_id = learner.id
        delete_learner(learner)
        assert db.session.scalar(select(func.count()).select_from(PlanChange)
                                 .where(PlanChange.learner_id == learner_id)) == 0


def test_a_seat_in_the_live_plan_moves_the_feed_stamp_other_workers_watch(demo_app, staff):
    from nortime.feeds.cache import database_stamp

    with demo_app.test_request_context("/?lang=en"):
        plan = publishing.publish(db.session.get(Plan, _draft(members=2)), notify=False)
        group = plan.groups[0]
        learner = next(u.learner for u in plan.unplaced if u.learner.level == group.course.level)
        before = database_stamp()
        seat_learner(group, learner, by=staff.id, override=True, reason="Test")
        assert database_stamp() != before

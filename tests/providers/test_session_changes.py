"""A cancelled or moved session can be undone the same day (learners told); a move is checked like a plan."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nortime.db import db
from nortime.models import Rota, SessionChange, TeacherAvailability, VenueOpening
from nortime.services import publishing, session_changes
from nortime.services.timetable import group_sessions

from .conftest import in_english
from .test_publishing import _draft, _next_session, mailbox  # noqa: F401  (mailbox is a fixture)


def _open_all_day(group):
    """Venue and teacher available every day 08:00-23:00, so only what a test sets up can block a move."""
    group.venue.openings = [VenueOpening(days="mon,tue,wed,thu,fri,sat,sun", opens=dt.time(8), closes=dt.time(23))]
    if group.teacher is not None:
        group.teacher.availability = [TeacherAvailability(days="mon,tue,wed,thu,fri,sat,sun", start=dt.time(8),
                                                          end=dt.time(23))]
    for placement in group.placements:
        placement.learner.rota = None
        placement.learner.busy_periods = []
    db.session.commit()


def _published_group():
    plan = publishing.publish(_draft(), notify=False)
    return plan, plan.groups[0], plan.groups[1]


def test_a_cancellation_is_undone_the_same_day_and_the_learners_are_told(demo_app, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        _plan, group, _other = _published_group()
        day = _next_session(group, after=dt.date(2027, 3, 1))
        publishing.change_session(group, day, "cancelled", "Teacher ill")
        mailbox.clear()
        told = session_changes.undo_change(group, day)
        assert told == len(group.placements)
        assert sorted((to, language) for to, _, language in mailbox) == sorted(
            (p.learner.email, p.learner.language) for p in group.placements)
        assert all("As planned after all" in subject for _, subject, language in mailbox if language == "en")
        assert db.session.scalar(select(SessionChange).where(SessionChange.group_id == group.id)) is None
        assert next(s for s in group_sessions(group) if s.occurrence_date == day).status == "confirmed"


def test_a_change_from_another_day_cannot_be_undone(demo_app, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        _plan, group, _other = _published_group()
        day = _next_session(group, after=dt.date(2027, 3, 1))
        result = publishing.change_session(group, day, "cancelled", "Teacher ill")
        result.change.created_at -= dt.timedelta(days=1)
        db.session.commit()
        with pytest.raises(publishing.PublishError, match="only on the day it was made"):
            session_changes.undo_change(group, day)
        assert db.session.scalar(select(SessionChange).where(SessionChange.group_id == group.id)) is not None
        with pytest.raises(publishing.PublishError, match="no change to undo"):
            session_changes.undo_change(group, _next_session(group, day + dt.timedelta(days=1)))


def test_a_move_into_a_room_and_teacher_already_taken_is_refused(demo_app, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        _plan, group, other = _published_group()
        _open_all_day(group)
        other.venue_id, other.teacher_id = group.venue_id, group.teacher_id
        group.venue.rooms = 1
        db.session.commit()
        busy = next(s for s in group_sessions(other) if s.occurrence_date >= dt.date(2027, 3, 1))
        day = _next_session(group, after=busy.occurrence_date - dt.timedelta(days=6))
        start, end = busy.start.replace(tzinfo=None), busy.end.replace(tzinfo=None)
        with pytest.raises(publishing.PublishError) as refused:
            session_changes.move_session(group, day, "Room swap", start, end)
        assert "Room:" in str(refused.value) and "Teacher:" in str(refused.value) and other.key in str(refused.value)
        at_night = dt.datetime.combine(day, dt.time(23, 30)), dt.datetime.combine(day + dt.timedelta(days=1), dt.time(1))
        with pytest.raises(publishing.PublishError, match="Venue:"):
            session_changes.move_session(group, day, "Late", *at_night)
        assert db.session.scalar(select(SessionChange).where(SessionChange.group_id == group.id)) is None


def test_a_move_checks_the_learners_rotas(demo_app, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        _plan, group, _other = _published_group()
        _open_all_day(group)
        away = group.placements[0].learner
        away.rota = Rota(preset=None, anchor=dt.date(2027, 1, 4), cycle=["away"])
        db.session.commit()
        day = _next_session(group, after=dt.date(2027, 3, 1))
        new = dt.datetime.combine(day, dt.time(10)), dt.datetime.combine(day, dt.time(12))
        assert session_changes.learners_who_cannot_come(group, *(t.replace(tzinfo=group_sessions(group)[0].start.tzinfo)
                                                                 for t in new)) == [f"{away.name} (#{away.id}): away"]
        with pytest.raises(publishing.PublishError, match="1 cannot come"):
            session_changes.move_session(group, day, "Exam week", *new)
        result = session_changes.move_session(group, day, "Exam week", *new, accept_absent=True)
        assert result.change.kind == "moved" and result.change.new_start == new[0]


def test_the_sessions_page_offers_undo_and_refuses_a_bad_move(demo_app, staff, login, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        _plan, group, _other = _published_group()
        _open_all_day(group)
        day = _next_session(group, after=dt.date(2027, 3, 1))
        group_id = group.id
    client = in_english(login(staff))
    client.post(f"/provider/groups/{group_id}/sessions", data={"date": day.isoformat(), "kind": "cancelled",
                                                               "reason": "Storm"})
    page = client.get(f"/provider/groups/{group_id}/sessions").get_data(as_text=True)
    assert "Undo: back as planned" in page
    done = client.post(f"/provider/groups/{group_id}/sessions/undo", data={"date": day.isoformat()},
                       follow_redirects=True).get_data(as_text=True)
    assert "takes place as planned again" in done
    refused = client.post(f"/provider/groups/{group_id}/sessions",
                          data={"date": day.isoformat(), "kind": "moved", "reason": "Late", "new_date": day.isoformat(),
                                "new_start": "23:30", "new_end": "23:59"}, follow_redirects=True)
    assert "Venue:" in refused.get_data(as_text=True)


def test_another_providers_group_cannot_be_undone(demo_app, other_staff, login, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        _plan, group, _other = _published_group()
        day = _next_session(group, after=dt.date(2027, 3, 1))
        publishing.change_session(group, day, "cancelled", "Storm")
        group_id = group.id
    client = login(other_staff)
    assert client.post(f"/provider/groups/{group_id}/sessions/undo", data={"date": day.isoformat()}).status_code == 404
    with demo_app.app_context():
        assert db.session.scalar(select(SessionChange).where(SessionChange.group_id == group_id)) is not None

"""Publishing is atomic; single sessions are cancelled or moved with a reason, learners told in their language."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from nortime.db import db
from nortime.models import Plan, Provider, SessionChange, SolveRun
from nortime.services import planning, publishing
from nortime.services.plans import live_plan

from .conftest import hand_solution

OSLO = ZoneInfo("Europe/Oslo")


def _draft(groups: int = 2):
    provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
    term = planning.current_term(provider)
    problem = planning.build_problem(provider, term)
    run = SolveRun(provider_id=provider.id, term_id=term.id, status="done", problem=problem,
                   solution=hand_solution(problem, groups=groups))
    db.session.add(run)
    db.session.commit()
    return planning.apply_solution(run)


def _statuses(provider_id):
    return dict(db.session.execute(select(Plan.id, Plan.status).where(Plan.provider_id == provider_id)).all())


def test_publishing_archives_the_previous_plan(demo_app):
    with demo_app.test_request_context("/?lang=en"):
        first = publishing.publish(_draft())
        second = publishing.publish(_draft(groups=3))
        assert _statuses(first.provider_id) == {first.id: "archived", second.id: "published"}
        assert live_plan(second.provider, second.term) == second
        with pytest.raises(publishing.PublishError):
            publishing.publish(second)


def test_a_failure_while_publishing_leaves_the_previous_plan_live(demo_app, monkeypatch):
    with demo_app.test_request_context("/?lang=en"):
        first = publishing.publish(_draft())
        draft = _draft(groups=3)
        before = _statuses(first.provider_id)

        def broken(previous, plan):
            previous.status = "archived"  # half-way through...
            raise RuntimeError("disk full")

        monkeypatch.setattr(publishing, "carry_session_changes", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            publishing.publish(draft)
        db.session.expire_all()
        assert _statuses(first.provider_id) == before
        assert before[draft.id] == "draft" and before[first.id] == "published"


def test_coming_session_changes_follow_their_group_into_the_new_plan(demo_app):
    with demo_app.test_request_context("/?lang=en"):
        plan = publishing.publish(_draft())
        group = plan.groups[0]
        day = _next_session(group, after=dt.date(2027, 3, 1))
        publishing.change_session(group, day, "cancelled", "Storm", now=dt.datetime(2027, 2, 1, tzinfo=OSLO))
        new = publishing.publish(_draft())
        same = next(g for g in new.groups if g.key == group.key)
        assert [(c.occurrence_date, c.kind, c.reason) for c in same.changes] == [(day, "cancelled", "Storm")]


def _next_session(group, after: dt.date) -> dt.date:
    weekdays = {slot.weekday for slot in group.slots}
    closed = {c.day for c in group.plan.term.closed_dates}
    day = after
    while day.weekday() not in weekdays or day in closed:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def mailbox(demo_app):
    """The e-mails queued in the outbox as (to, subject, language), newest last; every demo learner opted in."""
    from sqlalchemy import update

    from nortime.models import Learner, Message

    class Outbox:
        since = 0

        def rows(self):
            return list(db.session.scalars(select(Message).where(Message.id > self.since).order_by(Message.id)))

        def __iter__(self):
            return iter([(m.recipient, m.subject, m.language) for m in self.rows()])

        def __len__(self):
            return len(self.rows())

        def clear(self):
            self.since = max([m.id for m in self.rows()], default=self.since)

        @property
        def bodies(self):
            return {m.recipient: m.body for m in self.rows()}

    demo_app.config.update(MAIL_SERVER="smtp.example.org", BASE_URL="https://nortime.example.no")
    with demo_app.app_context():
        db.session.execute(update(Learner).values(session_messages=True))
        db.session.commit()
    return Outbox()


def test_cancelling_a_session_tells_each_learner_in_their_language(demo_app, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        plan = publishing.publish(_draft(), notify=False)
        group = plan.groups[0]
        day = _next_session(group, after=dt.date(2027, 3, 1))
        start = dt.datetime.combine(day, group.slots[0].start if group.slots[0].weekday == day.weekday()
                                    else group.slots[1].start, tzinfo=OSLO)
        result = publishing.change_session(group, day, "cancelled", "Teacher ill", now=start - dt.timedelta(hours=20))
        assert result.short_notice
        assert result.notified == len(group.placements)
        expected = sorted((p.learner.email, p.learner.language) for p in group.placements)
        assert sorted((to, language) for to, _, language in mailbox) == expected
        learner = group.placements[0].learner
        assert learner.access_token in mailbox.bodies[learner.email]  # the link to their page
        change = db.session.scalar(select(SessionChange).where(SessionChange.group_id == group.id))
        assert (change.occurrence_date, change.kind, change.reason) == (day, "cancelled", "Teacher ill")
        later = publishing.change_session(group, _next_session(group, day + dt.timedelta(days=10)), "cancelled",
                                          "Storm", now=start - dt.timedelta(hours=20))
        assert not later.short_notice


def test_a_move_needs_a_valid_new_time_and_a_real_session(demo_app, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        plan = publishing.publish(_draft(), notify=False)
        group = plan.groups[0]
        now = dt.datetime(2027, 2, 1, tzinfo=OSLO)
        day = _next_session(group, after=dt.date(2027, 3, 1))
        with pytest.raises(publishing.PublishError, match="new time"):
            publishing.change_session(group, day, "moved", "Room taken", now=now,
                                      new_start=dt.datetime.combine(day, dt.time(19)),
                                      new_end=dt.datetime.combine(day, dt.time(18)))
        with pytest.raises(publishing.PublishError, match="reason"):
            publishing.change_session(group, day, "cancelled", "  ", now=now)
        not_a_session = day + dt.timedelta(days=1)
        while not_a_session.weekday() in {slot.weekday for slot in group.slots}:
            not_a_session += dt.timedelta(days=1)
        with pytest.raises(publishing.PublishError, match="date"):
            publishing.change_session(group, not_a_session, "cancelled", "Storm", now=now)
        result = publishing.change_session(group, day, "moved", "Room taken", now=now,
                                           new_start=dt.datetime.combine(day, dt.time(17)),
                                           new_end=dt.datetime.combine(day, dt.time(19)))
        assert result.change.kind == "moved" and not result.short_notice
        assert len(mailbox) == len(group.placements)


def test_publishing_mails_only_learners_whose_group_is_new_or_changed(demo_app, mailbox):
    with demo_app.test_request_context("/?lang=en"):
        first = publishing.publish(_draft(groups=1))
        assert sorted(to for to, _, _ in mailbox) == sorted(p.learner.email for p in first.groups[0].placements)
        mailbox.clear()
        plan = _draft(groups=2)  # the same first group, plus a second one
        publishing.publish(plan)
        second = next(g for g in plan.groups if g.key != first.groups[0].key)
        assert sorted(to for to, _, _ in mailbox) == sorted(p.learner.email for p in second.placements)


def test_a_reason_chosen_from_the_list_reaches_each_learner_in_her_language(demo_app):
    from flask_babel import force_locale

    from nortime.services.timetable import group_sessions

    with demo_app.test_request_context("/?lang=en"):
        plan = publishing.publish(_draft())
        group = plan.groups[0]
        day = _next_session(group, after=dt.date(2027, 3, 1))
        now = dt.datetime(2027, 2, 1, tzinfo=OSLO)
        with pytest.raises(publishing.PublishError):
            publishing.change_session(group, day, "cancelled", "", reason_code="no-such-reason", now=now)
        with pytest.raises(publishing.PublishError):  # "another reason" needs the note
            publishing.change_session(group, day, "cancelled", "", reason_code="other", now=now)
        publishing.change_session(group, day, "cancelled", "Ny lærer fra mars.", reason_code="teacher_ill", now=now)
        for language, text in (("uk", "Викладач захворів."), ("ar", "المعلم مريض."), ("pl", "Nauczyciel jest chory."),
                               ("nb", "Læreren er syk.")):
            with force_locale(language):
                reason = next(s.reason for s in group_sessions(group) if s.occurrence_date == day)
            assert reason == f"{text} Ny lærer fra mars."
        # A new plan keeps the chosen reason.
        same = next(g for g in publishing.publish(_draft()).groups if g.key == group.key)
        assert [(c.reason_code, c.reason) for c in same.changes] == [("teacher_ill", "Ny lærer fra mars.")]

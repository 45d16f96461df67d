"""Changing one session of a published group with the same checks as planning, and undoing it the same day.

A move is checked like a planned session: the venue open and a room free, the
teacher available and not teaching elsewhere, and each learner's rota (with
the solver's own availability code, so buffers, travel and DST agree with the
optimizer). Room, venue and teacher problems refuse the move; learners who
cannot come refuse it unless staff accept that. A cancellation or move made
today (the term's time zone) can be undone until the session begins; the
learners are told either way.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from ..db import db
from ..models import WEEKDAYS, Group, SessionChange, utcnow
from . import publishing
from .publishing import ChangeResult, PublishError
from .timetable import Session, group_sessions


def _overlaps(session: Session, start: dt.datetime, end: dt.datetime) -> bool:
    return session.status != "cancelled" and session.start < end and session.end > start


def _published_groups(group: Group) -> list[Group]:
    return [other for other in db.session.scalars(select(Group).where(Group.plan_id == group.plan_id))
            if other.id != group.id]


def _windows_cover(rows, weekday: int, start: dt.time, end: dt.time, opens: str, closes: str) -> bool:
    day = WEEKDAYS[weekday]
    return any(day in row.days.split(",") and getattr(row, opens) <= start and end <= getattr(row, closes)
               for row in rows)


def hard_problems(group: Group, start: dt.datetime, end: dt.datetime) -> list[str]:
    """Why the venue or the teacher cannot take the session at start..end (aware times); empty when they can."""
    problems = []
    venue, teacher = group.venue, group.teacher
    same_day = start.date() == end.date()
    if not same_day or not _windows_cover(venue.openings, start.weekday(), start.time(), end.time(), "opens", "closes"):
        problems.append(_("Venue: %(venue)s is not open then.", venue=venue.name))
    others = _published_groups(group)
    at_venue = [other.key for other in others if other.venue_id == venue.id
                and any(_overlaps(session, start, end) for session in group_sessions(other))]
    if len(at_venue) >= venue.rooms:
        problems.append(_("Room: every room at %(venue)s is in use then (%(groups)s).", venue=venue.name,
                          groups=", ".join(at_venue)))
    if teacher is not None:
        if not same_day or not _windows_cover(teacher.availability, start.weekday(), start.time(), end.time(),
                                              "start", "end"):
            problems.append(_("Teacher: %(name)s is not available then.", name=teacher.name))
        busy = [other.key for other in others if other.teacher_id == teacher.id
                and any(_overlaps(session, start, end) for session in group_sessions(other))]
        if busy:
            problems.append(_("Teacher: %(name)s teaches %(groups)s then.", name=teacher.name,
                              groups=", ".join(busy)))
    return problems


def learners_who_cannot_come(group: Group, start: dt.datetime, end: dt.datetime) -> list[str]:
    """Each placed learner whose rota, busy times or travel keep them from start..end, with what blocks it."""
    from solver.availability import occurrence_conflicts
    from solver.problem import Slot, parse_clock, parse_day, read_problem

    from .planning import learner_json, learner_key, problem_frame

    learners = [placement.learner for placement in group.placements if placement.learner.withdrawn_at is None]
    term = group.plan.term
    if not learners or not term.first_day <= start.date() <= term.last_day:
        return []
    frame = problem_frame(group.plan.provider, term)
    day, clock = WEEKDAYS[start.weekday()], start.strftime("%H:%M")
    # The new time need not be a candidate slot (a weekday morning is allowed for one session): the slot is
    # only handed to occurrence_conflicts. The new date counts even when it is a closed day.
    closed = [entry for entry in frame["term"].get("closed", []) if entry != start.date().isoformat()]
    problem = read_problem(dict(frame, term=dict(frame["term"], closed=closed),
                                learners=[learner_json(learner) for learner in learners]))
    minutes = int((end - start).total_seconds() // 60)
    slot = Slot(parse_day(day), parse_clock(clock))
    found = []
    for learner in learners:
        for date, attendable, blocker in occurrence_conflicts(problem, learner_key(learner), group.venue.slug, slot,
                                                              minutes):
            if date == start.date() and not attendable:
                found.append(f"{learner.name} (#{learner.id}): {blocker}")
    return found


def move_session(group: Group, day: dt.date, reason: str, new_start: dt.datetime | None,
                 new_end: dt.datetime | None, *, user_id: int | None = None, accept_absent: bool = False,
                 now: dt.datetime | None = None, reason_code: str = "") -> ChangeResult:
    """Move one session after checking it like a planned one (see the module docstring); PublishError says why not."""
    if new_start is not None and new_end is not None and new_end > new_start:
        zone = ZoneInfo(group.plan.term.timezone)
        start, end = new_start.replace(tzinfo=zone), new_end.replace(tzinfo=zone)
        problems = hard_problems(group, start, end)
        if problems:
            raise PublishError(" ".join(problems))
        absent = learners_who_cannot_come(group, start, end)
        if absent and not accept_absent:
            raise PublishError(_("Learners: %(n)d cannot come then: %(who)s. Tick “move it anyway” to accept that.",
                                 n=len(absent), who="; ".join(absent)))
    return publishing.change_session(group, day, "moved", reason, new_start=new_start, new_end=new_end,
                                     user_id=user_id, now=now, reason_code=reason_code)


def can_undo(change: SessionChange, now: dt.datetime | None = None) -> bool:
    """A change made today (term time) whose session, as planned or moved, has not begun."""
    group = change.group
    zone = ZoneInfo(group.plan.term.timezone)
    now = now or dt.datetime.now(dt.timezone.utc)
    made = change.created_at.replace(tzinfo=dt.timezone.utc).astimezone(zone).date()
    starts = [session.start for session in group_sessions(group) if session.occurrence_date == change.occurrence_date]
    planned = publishing._occurrence_start(group, change.occurrence_date)
    earliest = min([moment for moment in [*starts, planned] if moment is not None], default=None)
    return made == now.astimezone(zone).date() and earliest is not None and earliest > now


def undo_change(group: Group, day: dt.date, *, now: dt.datetime | None = None) -> int:
    """Put the session on `day` back as planned and tell the learners; returns how many were told."""
    change = db.session.scalar(select(SessionChange).where(SessionChange.group_id == group.id,
                                                           SessionChange.occurrence_date == day))
    if group.plan.status != "published" or change is None:
        raise PublishError(_("date: the session on %(day)s has no change to undo.", day=day.isoformat()))
    if not can_undo(change, now):
        raise PublishError(_("A change can be undone only on the day it was made, before the session begins."))
    was = change.kind
    db.session.delete(change)
    db.session.commit()
    db.session.expire(group, ["changes"])
    return notify_restored(group, day, was)


def notify_restored(group: Group, day: dt.date, was: str) -> int:
    """Queue a "back as planned" message to the group's learners who asked for session messages, each in
    their language; returns how many were queued (the undo has committed; this commits the messages)."""
    from .messages import message_row, queue_messages

    start = publishing._occurrence_start(group, day)
    stamp = utcnow().strftime("%Y%m%d%H%M%S%f")
    queued = queue_messages(
        message_row(placement.learner, "restored", key=f"restored:{group.id}:{day.isoformat()}:{was}:{stamp}:"
                    f"{placement.learner_id}", session_at=start, course=group.course.name,
                    venue=group.venue.name, day=day, time=start.strftime("%H:%M") if start else "")
        for placement in group.placements if placement.learner.session_messages)
    db.session.commit()
    return queued



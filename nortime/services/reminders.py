"""Reminders: the day before a learner's first session, for learners who asked for session messages."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ..db import db
from ..models import Group
from .messages import message_row, queue_messages
from .plans import live_plans
from .timetable import group_sessions


def first_session(group: Group, after: dt.datetime):
    """The group's first session (not cancelled) that starts after `after` (aware), or None."""
    return next((session for session in group_sessions(group)
                 if session.status != "cancelled" and session.start > after), None)


def queue_due_reminders(now: dt.datetime | None = None) -> int:
    """Queue a reminder to each opted-in learner of a published group whose first session is tomorrow.

    "First" counts from the publication of the plan; "tomorrow" is in the term's time zone. Idempotent:
    a reminder's key names the learner, the group and the date, so running this twice queues it once.
    Commits; returns how many reminders were new.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    rows = []
    for plan in live_plans():
        zone = ZoneInfo(plan.term.timezone)
        tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
        published = (plan.published_at or plan.created_at).replace(tzinfo=dt.timezone.utc)
        for group in plan.groups:
            learners = [placement.learner for placement in group.placements if placement.learner.session_messages]
            if not learners:
                continue
            first = first_session(group, published)
            if first is None or first.start.astimezone(zone).date() != tomorrow:
                continue
            local_start = first.start.astimezone(zone).replace(tzinfo=None)
            rows += [message_row(learner, "reminder", key=f"reminder:{learner.id}:{group.key}:{first.occurrence_date}",
                                 session_at=first.start, course=group.course.name, venue=group.venue.name,
                                 start=local_start)
                     for learner in learners if learner.withdrawn_at is None]
    queued = queue_messages(rows)
    db.session.commit()
    return queued

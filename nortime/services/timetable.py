"""Published timetables: every session a group, learner or teacher really has.

This is the one place that expands a group's weekly slots into dated
sessions (closed dates removed, cancellations and moves applied). Pages,
feeds and attendance lists all read their sessions from here, so they agree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..db import db
from ..links import feed_links
from ..models import FeedToken, Group, Learner, Placement, Teacher
from .plans import current_live_plan, of_live_plans
from .session_reasons import reason_text

STATUSES = ("confirmed", "cancelled", "moved")
FEED_KINDS = ("learner", "teacher", "group", "venue", "municipality", "provider")


@dataclass(frozen=True)
class Session:
    """One dated occurrence of a group's weekly slot.

    `occurrence_date` is the date the weekly rule gave; for a moved session
    `start`/`end` are the new times. Times are aware, in the term's zone.
    """

    group_id: int
    occurrence_date: dt.date
    start: dt.datetime
    end: dt.datetime
    status: str  # confirmed | cancelled | moved
    reason: str = ""


def local_time(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    """Wall-clock `clock` on `day` in `zone`, as an aware datetime (DST-correct)."""
    return dt.datetime.combine(day, clock, tzinfo=zone)


def slot_dates(group: Group, weekday: int) -> list[dt.date]:
    """Every date of the group's term on `weekday` (0 = Monday) that is not closed."""
    term = group.plan.term
    closed = {closed_date.day for closed_date in term.closed_dates}
    first = term.first_day + dt.timedelta(days=(weekday - term.first_day.weekday()) % 7)
    days = []
    day = first
    while day <= term.last_day:
        if day not in closed:
            days.append(day)
        day += dt.timedelta(days=7)
    return days


def group_sessions(group: Group) -> list[Session]:
    """Every session of the group in its term, in time order.

    Closed dates are left out; a SessionChange marks its occurrence cancelled
    or moves it to the new (local wall-clock) times. A change on a date that
    is not an occurrence is ignored. The caller decides whether the group's
    plan is one that may be shown (see `services.plans`).
    """
    term = group.plan.term
    zone = ZoneInfo(term.timezone)
    length = dt.timedelta(minutes=group.course.session_minutes)
    changes = {change.occurrence_date: change for change in group.changes}
    sessions = []
    for slot in group.slots:
        for day in slot_dates(group, slot.weekday):
            start = local_time(day, slot.start, zone)
            # Wall-clock arithmetic, as a calendar client reads DTSTART/DTEND with a TZID.
            end = (dt.datetime.combine(day, slot.start) + length).replace(tzinfo=zone)
            change = changes.get(day)
            if change is None:
                sessions.append(Session(group.id, day, start, end, "confirmed"))
            elif change.kind == "cancelled":
                sessions.append(Session(group.id, day, start, end, "cancelled",
                                        reason_text(change.reason_code, change.reason)))
            else:
                sessions.append(Session(group.id, day, change.new_start.replace(tzinfo=zone),
                                        change.new_end.replace(tzinfo=zone), "moved",
                                        reason_text(change.reason_code, change.reason)))
    sessions.sort(key=lambda session: (session.start.astimezone(dt.timezone.utc), session.group_id))
    return sessions


def published_group_for(learner: Learner) -> Group | None:
    """The group the live plan of the learner's provider's current term places them in, or None."""
    plan = current_live_plan(learner.provider_id)
    if plan is None:
        return None
    return db.session.scalars(
        select(Group).join(Placement, Placement.group_id == Group.id)
        .where(Placement.learner_id == learner.id, Placement.plan_id == plan.id)
    ).first()


def learner_sessions(learner: Learner) -> list[Session]:
    """The sessions of the learner's published group; empty when not placed."""
    group = published_group_for(learner)
    return group_sessions(group) if group is not None else []


def published_groups_of_teacher(teacher: Teacher) -> list[Group]:
    """Groups the teacher teaches in published plans."""
    return list(db.session.scalars(
        of_live_plans(select(Group)).where(Group.teacher_id == teacher.id).order_by(Group.key)
    ))


def live_feed_token(owner: Learner | Teacher) -> FeedToken | None:
    """The owner's newest feed token that is not revoked, or None (reads only)."""
    kind = "learner" if isinstance(owner, Learner) else "teacher"
    column = FeedToken.learner_id if kind == "learner" else FeedToken.teacher_id
    return db.session.scalars(
        select(FeedToken).where(column == owner.id, FeedToken.owner_kind == kind, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.created_at.desc()).limit(1)
    ).first()


def issue_feed_token(owner: Learner | Teacher) -> FeedToken:
    """The owner's live feed token, made and committed on first need (this service owns the commit)."""
    token = live_feed_token(owner)
    if token is None:
        kind = "learner" if isinstance(owner, Learner) else "teacher"
        token = FeedToken(owner_kind=kind, **{f"{kind}_id": owner.id})
        db.session.add(token)
        db.session.commit()
    return token


def feed_endpoint(kind: str, obj) -> tuple[str, dict]:
    """The feed's endpoint and URL values. Private kinds accept the owner or a FeedToken.

    An owner without a live token raises LookupError: call `issue_feed_token` first (it commits),
    so that rendering a page never writes to the database.
    """
    if kind in ("learner", "teacher"):
        token = obj if isinstance(obj, FeedToken) else live_feed_token(obj)
        if token is None:
            raise LookupError(f"the {kind} has no live feed token; issue one with issue_feed_token first")
        return f"feeds.{kind}", {"token": token.token}
    if kind == "group":
        return "feeds.group", {"provider": obj.plan.provider.slug, "key": obj.key}
    if kind == "venue":
        return "feeds.venue", {"slug": obj.slug}
    if kind == "municipality":
        return "feeds.municipality", {"number": obj.number}
    if kind == "provider":
        return "feeds.provider", {"slug": obj.slug}
    raise ValueError(f"feed kind {kind!r} is unknown; use one of {', '.join(FEED_KINDS)}")


def feed_urls(kind: str, obj) -> dict[str, str]:
    """Subscribe links for a feed: {"webcal": webcal://…, "https": https://…, "download": …?download=1}.

    Built on BASE_URL by the links module, never on the request's host.
    """
    endpoint, values = feed_endpoint(kind, obj)
    return feed_links(endpoint, values)

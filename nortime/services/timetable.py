"""Published timetables: every session a group, learner or teacher really has.

This is the one place that expands a group's weekly slots into dated
sessions (closed dates removed, cancellations and moves applied). Pages,
feeds and attendance lists all read their sessions from here, so they agree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import select

from ..db import db
from ..models import FeedToken, Group, Learner, Placement, Plan, Teacher
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
    plan is one that may be shown (see `published_plan`).
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


def published_plan(provider_id: int) -> Plan | None:
    """The provider's published plan (the most recently published one), or None."""
    return db.session.scalars(
        select(Plan).where(Plan.provider_id == provider_id, Plan.status == "published")
        .order_by(Plan.published_at.desc().nulls_last(), Plan.id.desc()).limit(1)
    ).first()


def published_group_for(learner: Learner) -> Group | None:
    """The group the learner is placed in by a published plan, or None."""
    return db.session.scalars(
        select(Group).join(Placement, Placement.group_id == Group.id).join(Plan, Plan.id == Group.plan_id)
        .where(Placement.learner_id == learner.id, Plan.status == "published")
        .order_by(Plan.published_at.desc().nulls_last(), Plan.id.desc()).limit(1)
    ).first()


def learner_sessions(learner: Learner) -> list[Session]:
    """The sessions of the learner's published group; empty when not placed."""
    group = published_group_for(learner)
    return group_sessions(group) if group is not None else []


def published_groups_of_teacher(teacher: Teacher) -> list[Group]:
    """Groups the teacher teaches in published plans."""
    return list(db.session.scalars(
        select(Group).join(Plan, Plan.id == Group.plan_id)
        .where(Group.teacher_id == teacher.id, Plan.status == "published").order_by(Group.key)
    ))


def feed_token_for(owner: Learner | Teacher) -> FeedToken:
    """The owner's live feed token, made (and committed) on first need."""
    kind = "learner" if isinstance(owner, Learner) else "teacher"
    column = FeedToken.learner_id if kind == "learner" else FeedToken.teacher_id
    token = db.session.scalars(
        select(FeedToken).where(column == owner.id, FeedToken.owner_kind == kind, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.created_at.desc()).limit(1)
    ).first()
    if token is None:
        token = FeedToken(owner_kind=kind, **{f"{kind}_id": owner.id})
        db.session.add(token)
        db.session.commit()
    return token


def feed_endpoint(kind: str, obj) -> tuple[str, dict]:
    """The feed's endpoint and URL values. Private kinds accept the owner or a FeedToken."""
    if kind in ("learner", "teacher"):
        token = obj if isinstance(obj, FeedToken) else feed_token_for(obj)
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

    The host is BASE_URL when configured, else the current request's host
    (outside a request, SERVER_NAME).
    """
    endpoint, values = feed_endpoint(kind, obj)
    # Built from the URL map, so it works in a request, a CLI command or a mail job alike.
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base = current_app.config.get("BASE_URL")
    if not base and has_request_context():
        base = request.url_root
    if not base:
        scheme = current_app.config.get("PREFERRED_URL_SCHEME", "http")
        base = f"{scheme}://{current_app.config.get('SERVER_NAME') or 'localhost'}"
    absolute = base.rstrip("/") + path
    rest = absolute.partition("://")[2]
    return {"webcal": "webcal://" + rest, "https": absolute, "download": absolute + "?download=1"}

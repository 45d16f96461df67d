"""Publishing a plan and changing single sessions of the live timetable.

Publishing is one transaction: the previous published plan stays live until the
new one is completely written; any failure rolls everything back. Messages to
learners are queued in the outbox in the same transaction and delivered after
the commit by a worker (outbox.py), so a slow or failing gateway never holds
up or undoes a publication.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import joinedload, selectinload

from ..db import db
from ..models import Group, Placement, Plan, PlanChange, SessionChange, utcnow
from .messages import message_row, queue_messages
from .planning import plan_violations, violations_text
from .plans import live_plan, lock_term
from .session_reasons import REASONS

log = logging.getLogger(__name__)
SHORT_NOTICE = dt.timedelta(hours=48)


class PublishError(ValueError):
    """The plan cannot be published or the session cannot be changed; the message says why."""


def _weekly_times(group: Group) -> str:
    from ..i18n import weekday_name

    length = dt.timedelta(minutes=group.course.session_minutes)
    parts = []
    for slot in group.slots:
        end = (dt.datetime.combine(dt.date(2000, 1, 3), slot.start) + length).time()
        parts.append(f"{weekday_name(slot.day)} {slot.start:%H:%M}–{end:%H:%M}")
    return ", ".join(parts)


def _signature(group: Group | None) -> tuple | None:
    """What a learner sees of their group: course, venue, weekly times."""
    if group is None:
        return None
    return (group.course_id, group.venue_id, tuple((s.day, s.start) for s in group.slots))


def carry_session_changes(previous: Plan, plan: Plan) -> int:
    """Copy cancellations and moves of coming sessions onto the new plan's same group (same key, slot still there)."""
    today = dt.date.today()
    new_groups = {group.key: group for group in plan.groups}
    carried = 0
    for old in previous.groups:
        group = new_groups.get(old.key)
        if group is None:
            continue
        weekdays = {slot.weekday for slot in group.slots}
        kept = {change.occurrence_date for change in group.changes}
        for change in old.changes:
            if change.occurrence_date >= today and change.occurrence_date.weekday() in weekdays \
                    and change.occurrence_date not in kept:
                group.changes.append(SessionChange(occurrence_date=change.occurrence_date, kind=change.kind,
                                                   new_start=change.new_start, new_end=change.new_end,
                                                   reason=change.reason, reason_code=change.reason_code,
                                                   created_by_id=change.created_by_id))
                carried += 1
    return carried


def _load_groups(plan: Plan) -> list[Group]:
    """The plan's groups with their slots, course, venue and placed learners, in a few queries (not some per
    group and one per learner); keep the list while working on them (the session holds rows weakly)."""
    return db.session.scalars(select(Group).where(Group.plan_id == plan.id).options(
        selectinload(Group.slots), selectinload(Group.placements).joinedload(Placement.learner),
        joinedload(Group.course), joinedload(Group.venue))).unique().all()


def _check_complete(plan: Plan) -> None:
    for group in plan.groups:
        if len(group.slots) != group.course.sessions_per_week:
            raise PublishError(_("Group %(group)s has %(n)d weekly slots but its course needs %(m)d.",
                                 group=group.key, n=len(group.slots), m=group.course.sessions_per_week))


def publish(plan: Plan, *, notify: bool = True, user_id: int | None = None) -> Plan:
    """Make a draft the provider's live timetable, archiving the previous one, in one transaction.

    The term is locked first (`plans.lock_term`), so two publishes, or a publish and a
    finishing solve, never interleave: exactly one plan of the term is live afterwards.
    Learners whose course, venue or times are new get a message in their language (queued in the same
    transaction, delivered after it).
    """
    if plan.status != "draft":
        raise PublishError(_("Only a draft can be published; this plan is %(status)s.", status=plan.status))
    try:
        lock_term(plan.term_id)
        try:
            db.session.refresh(plan)  # what it is now, after whoever held the lock
        except InvalidRequestError:  # a newer solve replaced this draft meanwhile
            raise PublishError(_("This draft was replaced by a newer one; review that one before publishing.")) \
                from None
        if plan.status != "draft":
            raise PublishError(_("Only a draft can be published; this plan is %(status)s.", status=plan.status))
        previous = live_plan(plan.provider_id, plan.term_id)
        before = {placement.learner_id: _signature(placement.group)
                  for group in (previous.groups if previous else []) for placement in group.placements}
        groups = _load_groups(plan)  # noqa: F841  (kept loaded until the messages are written)
        _check_complete(plan)
        broken = plan_violations(plan)
        if broken:
            raise PublishError(violations_text(broken))
        if previous is not None:
            carry_session_changes(previous, plan)
            previous.status = "archived"
        db.session.flush()  # archived before the new one is live: the one-live-plan index never sees two
        plan.status = "published"
        plan.published_at = utcnow()
        db.session.add(PlanChange(plan_id=plan.id, kind="published", created_by_id=user_id))
        if notify:
            notify_placed(plan, before)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    from .offers import plan_published

    plan_published(plan)  # seats the optimizer left free go to the waiting list
    return plan


def notify_placed(plan: Plan, before: dict[int, tuple | None]) -> int:
    """Queue a message to each placed learner whose group is new or changed; returns how many were queued."""
    rows = []
    for group in plan.groups:
        times = None
        for placement in group.placements:
            if before.get(placement.learner_id) == _signature(group):
                continue
            times = times or _weekly_times(group)
            rows.append(message_row(placement.learner, "placed", key=f"placed:{plan.id}:{placement.learner_id}",
                                    course=group.course.name, venue=group.venue.name, times=times,
                                    first=plan.term.first_day, last=plan.term.last_day))
    return queue_messages(rows)


# --- single-session changes -------------------------------------------------------


@dataclass(frozen=True)
class ChangeResult:
    change: SessionChange
    short_notice: bool  # less than 48 hours ahead: subscribed calendars (Google) may not refresh in time
    notified: int


def _occurrence_start(group: Group, day: dt.date) -> dt.datetime | None:
    """The aware start of the group's session on `day`, or None when the group has no session that day."""
    term = group.plan.term
    closed = {closed.day for closed in term.closed_dates}
    if not term.first_day <= day <= term.last_day or day in closed:
        return None
    for slot in group.slots:
        if slot.weekday == day.weekday():
            return dt.datetime.combine(day, slot.start, tzinfo=ZoneInfo(term.timezone))
    return None


def change_session(group: Group, day: dt.date, kind: str, reason: str, *, new_start: dt.datetime | None = None,
                   new_end: dt.datetime | None = None, user_id: int | None = None,
                   now: dt.datetime | None = None, reason_code: str = "") -> ChangeResult:
    """Cancel or move one session of a published group, tell its learners, and flag short notice.

    `new_start`/`new_end` are local wall-clock (naive) times for a move. Raises PublishError
    naming the field when the change cannot be made.
    """
    if group.plan.status != "published":
        raise PublishError(_("Only sessions of the published plan can be changed."))
    if kind not in ("cancelled", "moved"):
        raise PublishError(_("kind: choose cancelled or moved."))
    reason = (reason or "").strip()
    if reason_code and reason_code not in REASONS:
        raise PublishError(_("reason: choose a reason from the list."))
    if not reason and (not reason_code or reason_code == "other"):
        raise PublishError(_("reason: choose a reason from the list, or say why in a few words; the learners will read it."))
    start = _occurrence_start(group, day)
    if start is None:
        raise PublishError(_("date: %(day)s is not a session of this group.", day=day.isoformat()))
    zone = start.tzinfo
    now = now or dt.datetime.now(dt.timezone.utc)
    if start <= now:
        raise PublishError(_("date: the session on %(day)s has already begun.", day=day.isoformat()))
    if kind == "moved":
        if new_start is None or new_end is None or new_end <= new_start:
            raise PublishError(_("new time: give a start and an end after it."))
        if new_start.replace(tzinfo=zone) <= now:
            raise PublishError(_("new time: choose a time in the future."))
    else:
        new_start = new_end = None
    change = db.session.scalar(select(SessionChange).where(SessionChange.group_id == group.id,
                                                           SessionChange.occurrence_date == day))
    if change is None:
        change = SessionChange(group=group, occurrence_date=day)
        db.session.add(change)
    change.kind, change.reason, change.new_start, change.new_end = kind, reason[:300], new_start, new_end
    change.reason_code = reason_code
    change.created_by_id = user_id
    change.created_at = utcnow()
    earliest = min(start, new_start.replace(tzinfo=zone)) if new_start is not None else start
    db.session.flush()
    notified = notify_change(group, change, earliest)
    db.session.commit()
    short_notice = earliest - now < SHORT_NOTICE
    return ChangeResult(change, short_notice, notified)


def notify_change(group: Group, change: SessionChange, session_at: dt.datetime) -> int:
    """Queue a message about one cancelled or moved session to the group's learners who asked for such
    messages, each in their language; returns how many were queued (no commit: the change's own)."""
    values = {"course": group.course.name, "venue": group.venue.name, "day": change.occurrence_date,
              "reason": change.reason, "reason_code": change.reason_code}
    if change.kind == "moved":
        values.update(start=change.new_start, end=change.new_end)
    stamp = change.created_at.strftime("%Y%m%d%H%M%S%f")
    return queue_messages(
        message_row(placement.learner, change.kind, key=f"change:{change.id}:{stamp}:{placement.learner_id}",
                    session_at=session_at, **values)
        for placement in group.placements if placement.learner.session_messages)

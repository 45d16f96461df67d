"""Publishing a plan and changing single sessions of the live timetable.

Publishing is one transaction: the previous published plan stays live until the
new one is completely written; any failure rolls everything back. E-mails go
out only after the commit, and a failed e-mail never undoes anything.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..db import db
from ..models import Group, Learner, Plan, SessionChange, utcnow
from .session_reasons import REASONS, reason_text

log = logging.getLogger(__name__)
SHORT_NOTICE = dt.timedelta(hours=48)


class PublishError(ValueError):
    """The plan cannot be published or the session cannot be changed; the message says why."""


def _send_mail(to: str | None, subject: str, body: str) -> bool:
    if not to:
        return False
    try:
        from ..mail import send_mail
    except ImportError:  # e-mail is optional
        return False
    return send_mail(to, subject, body)


def _link(learner: Learner) -> str:
    """The learner's personal page, or "" where no absolute link can be made (a command without BASE_URL)."""
    try:
        from ..learners.page import personal_link

        return personal_link(learner)
    except (ImportError, RuntimeError):
        return ""


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


def _check_complete(plan: Plan) -> None:
    for group in plan.groups:
        if len(group.slots) != group.course.sessions_per_week:
            raise PublishError(_("Group %(group)s has %(n)d weekly slots but its course needs %(m)d.",
                                 group=group.key, n=len(group.slots), m=group.course.sessions_per_week))


def publish(plan: Plan, *, notify: bool = True) -> Plan:
    """Make a draft the provider's live timetable, archiving the previous one, in one transaction.

    Learners whose course, venue or times are new get an e-mail in their language (when configured).
    """
    if plan.status != "draft":
        raise PublishError(_("Only a draft can be published; this plan is %(status)s.", status=plan.status))
    previous = list(db.session.scalars(select(Plan).where(
        Plan.provider_id == plan.provider_id, Plan.term_id == plan.term_id, Plan.status == "published")))
    before = {placement.learner_id: _signature(placement.group)
              for old in previous for group in old.groups for placement in group.placements}
    try:
        _check_complete(plan)
        for old in previous:
            carry_session_changes(old, plan)
            old.status = "archived"
        db.session.flush()
        plan.status = "published"
        plan.published_at = utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if notify:
        notify_placed(plan, before)
    return plan


def notify_placed(plan: Plan, before: dict[int, tuple | None]) -> int:
    """E-mail each placed learner whose group is new or changed; returns how many were accepted."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    sent = 0
    for group in plan.groups:
        for placement in group.placements:
            if before.get(placement.learner_id) == _signature(group):
                continue
            learner = placement.learner
            with force_locale(learner.language or "nb"):
                subject = _("Your Norwegian course: %(course)s", course=group.course.name)
                body = _("Hello %(name)s,\n\nYou have a place in %(course)s at %(venue)s, %(times)s, "
                         "from %(first)s to %(last)s.\n\nYour personal page and calendar link show every session: "
                         "%(link)s\n", name=learner.name, course=group.course.name, venue=group.venue.name,
                         times=_weekly_times(group), first=plan.term.first_day.isoformat(),
                         last=plan.term.last_day.isoformat(), link=_link(learner))
                sent += _send_mail(learner.email, subject, body)
    return sent


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
    db.session.commit()
    earliest = min(start, new_start.replace(tzinfo=zone)) if new_start is not None else start
    short_notice = earliest - now < SHORT_NOTICE
    return ChangeResult(change, short_notice, notify_change(group, change))


def notify_change(group: Group, change: SessionChange) -> int:
    """E-mail the group's learners about one cancelled or moved session, each in their language."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    from flask_babel import format_date

    sent = 0
    for placement in group.placements:
        learner: Learner = placement.learner
        with force_locale(learner.language or "nb"):
            day = format_date(change.occurrence_date, "full")
            link = _link(learner)
            if change.kind == "cancelled":
                subject = _("Cancelled: %(course)s on %(day)s", course=group.course.name, day=day)
                body = _("Hello %(name)s,\n\nThe session of %(course)s at %(venue)s on %(day)s is cancelled.\n"
                         "Reason: %(reason)s\n%(link)s\n", name=learner.name, course=group.course.name,
                         venue=group.venue.name, day=day, reason=reason_text(change.reason_code, change.reason),
                         link=link)
            else:
                subject = _("Moved: %(course)s on %(day)s", course=group.course.name, day=day)
                body = _("Hello %(name)s,\n\nThe session of %(course)s at %(venue)s on %(day)s is moved to "
                         "%(start)s–%(end)s.\nReason: %(reason)s\n%(link)s\n", name=learner.name,
                         course=group.course.name, venue=group.venue.name, day=day,
                         start=change.new_start.strftime("%Y-%m-%d %H:%M"), end=change.new_end.strftime("%H:%M"),
                         reason=reason_text(change.reason_code, change.reason), link=link)
            sent += _send_mail(learner.email, subject, body)
    return sent

"""The learner's personal page: what their status is, and what they can do about their data."""
from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from .. import mail, sms
from ..db import db
from ..phones import e164_or_none
from ..models import (Attendance, Group, Learner, Message, Offer, Placement, Plan, Unplacement, new_token,
                      utcnow)
from .attendance import attended_hours
from .messages import queue_message
from .reasons import Explanation, explain
from .retention import erase_learners


@dataclass
class LearnerStatus:
    kind: str  # waiting | placed | unplaced | withdrawn
    plan: Plan | None = None
    group: Group | None = None
    placement: Placement | None = None
    sessions: list = field(default_factory=list)
    explanation: Explanation | None = None
    feeds: dict | None = None
    attended_hours: float | None = None
    clashes: dict = field(default_factory=dict)  # session start -> Blocker ("away" is a BusyPeriod's too)


def learner_by_token(token: str) -> Learner | None:
    """The learner behind a personal link; None for anything else (compared in constant time)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    learner = db.session.scalars(select(Learner).where(Learner.access_token == token)).first()
    if learner is None or not hmac.compare_digest(learner.access_token, token):
        return None
    return learner


def status_of(learner: Learner) -> LearnerStatus:
    """Where the live plan of the learner's provider's current term puts them, and why."""
    from .plans import current_live_plan
    from .timetable import feed_urls, group_sessions, issue_feed_token

    if learner.withdrawn_at is not None:
        return LearnerStatus("withdrawn")
    plan = current_live_plan(learner.provider_id)
    if plan is None:
        return LearnerStatus("waiting")
    placement = db.session.scalars(select(Placement).where(Placement.plan_id == plan.id,
                                                           Placement.learner_id == learner.id)).first()
    if placement is not None:
        group = placement.group
        status = LearnerStatus("placed", plan, group, placement, group_sessions(group),
                               feeds=feed_urls("learner", issue_feed_token(learner)))
        status.clashes = session_clashes(status.sessions, rota_json(learner), learner_busy(learner))
        status.attended_hours = attended_hours(learner)
        return status
    unplaced = db.session.scalars(select(Unplacement).where(Unplacement.plan_id == plan.id,
                                                           Unplacement.learner_id == learner.id)).first()
    if unplaced is not None:
        return LearnerStatus("unplaced", plan, explanation=explain(unplaced.reasons or [], learner, plan))
    return LearnerStatus("waiting", plan)  # signed up after this plan was made


def page_fingerprint(learner: Learner) -> str:
    """A digest of everything of the learner's own that their page shows and that may change without the
    feeds' cache version moving (an edit, a rota, busy days, attendance taken by a teacher in another
    process; their offers and placement), and today's date (which term is current). Equal digests: the same page.

    One query besides the learner's row, which the caller has just read.
    """
    import hashlib

    from .fitting import oslo_today

    facts = (tuple(getattr(learner, column.key) for column in Learner.__table__.columns),
             tuple(tuple(row) for row in db.session.execute(_own_rows(), {"learner_id": learner.id})),
             oslo_today())  # the day the page's content is computed for, not the server's
    return hashlib.sha256(repr(facts).encode()).hexdigest()


@functools.cache
def _own_rows():
    """The learner's rota, busy days, attendance, offers and placement as text, one statement built once (bound: learner_id)."""
    from sqlalchemy import String, bindparam, cast, literal, union_all

    from ..models import BusyPeriod, Rota

    def text_of(column):
        return cast(column, String)

    learner_id = bindparam("learner_id")
    return union_all(
        select(literal("rota").label("kind"), text_of(Rota.id).label("ident"), text_of(Rota.preset),
               text_of(Rota.anchor), text_of(Rota.cycle)).where(Rota.learner_id == learner_id),
        select(literal("busy"), text_of(BusyPeriod.id), text_of(BusyPeriod.start), text_of(BusyPeriod.end),
               literal("")).where(BusyPeriod.learner_id == learner_id),
        select(literal("attendance"), text_of(Attendance.id), text_of(Attendance.group_id),
               text_of(Attendance.occurrence_date), text_of(Attendance.present))
        .where(Attendance.learner_id == learner_id),
        select(literal("offer"), text_of(Offer.id), text_of(Offer.group_id), text_of(Offer.state),
               text_of(Offer.expires_at)).where(Offer.learner_id == learner_id),
        select(literal("placement"), text_of(Placement.id), text_of(Placement.group_id),
               text_of(Placement.misfit_since), literal("")).where(Placement.learner_id == learner_id),
    ).order_by("kind", "ident")


def rota_json(learner: Learner) -> dict | None:
    rota = learner.rota
    return {"start": rota.anchor.isoformat(), "cycle": rota.cycle} if rota is not None else None


def learner_busy(learner: Learner) -> list[dict]:
    return [{"start": busy.start.isoformat(), "end": busy.end.isoformat()} for busy in learner.busy_periods]


def session_clashes(sessions: list, rota: dict | None, busy: list[dict]) -> dict:
    """The sessions (by start) a rota shift, an away day or a one-off busy time overlaps, with what overlaps."""
    import datetime as dt

    from .rota_days import Blocker, clash_on

    found = {}
    start = dt.date.fromisoformat(rota["start"]) if rota else None
    periods = [(dt.datetime.fromisoformat(b["start"]), dt.datetime.fromisoformat(b["end"])) for b in busy]
    for session in sessions:
        if session.status == "cancelled":
            continue
        begin, end = session.start.replace(tzinfo=None), session.end.replace(tzinfo=None)
        blocker = clash_on(rota["cycle"], start, begin, end) if rota else None
        if blocker is None and any(first < end and last > begin for first, last in periods):
            blocker = Blocker(None, "busy", None)
        if blocker is not None:
            found[session.start] = blocker
    return found


def group_fit(learner: Learner, rota: dict | None, busy: list[dict], today=None):
    """With this rota and these busy times (not saved yet), how her published group fits her from today on.

    A `fitting.GroupFit` (None: no published group, or none of its lessons left), by the rule joining
    and re-checking use: `fitting.group_fits`, on an unsaved copy of her with the new rota and busy times.
    """
    import datetime as dt
    from types import SimpleNamespace

    from .fitting import group_fits
    from .plans import current_live_plan

    plan = current_live_plan(learner.provider_id)
    placement = db.session.scalars(select(Placement).where(Placement.plan_id == plan.id,
                                                           Placement.learner_id == learner.id)).first() \
        if plan is not None else None
    if placement is None:
        return None
    draft = SimpleNamespace(
        id=learner.id, level=learner.level, home_place_id=learner.home_place_id,
        max_travel_minutes=learner.max_travel_minutes, buffer_minutes=learner.buffer_minutes,
        priority=learner.priority, preferred_days=learner.preferred_days,
        rota=SimpleNamespace(anchor=dt.date.fromisoformat(rota["start"]), cycle=rota["cycle"]) if rota else None,
        busy_periods=[SimpleNamespace(start=dt.datetime.fromisoformat(b["start"]), end=dt.datetime.fromisoformat(b["end"]))
                      for b in busy])
    fit = group_fits(plan, [draft], [placement.group_id], from_day=today)[learner.id, placement.group_id]
    return fit if fit.sessions else None


def withdraw(learner: Learner) -> None:
    """The learner leaves the course list: their seat in the live plan and any offer held for them go to
    the next waiting learner (recorded as a PlanChange "left")."""
    from . import offers

    learner.withdrawn_at = utcnow()
    freed = offers.learner_leaves(learner, "withdrew")
    db.session.commit()
    offers.pass_on(freed)


def come_back(learner: Learner) -> None:
    learner.withdrawn_at = None
    db.session.commit()


def export_data(learner: Learner) -> dict:
    """Everything nortime holds about the learner, as JSON-ready data (GDPR access and portability)."""
    placements = db.session.scalars(select(Placement).where(Placement.learner_id == learner.id)).all()
    unplaced = db.session.scalars(select(Unplacement).where(Unplacement.learner_id == learner.id)).all()
    attendance = db.session.scalars(select(Attendance).where(Attendance.learner_id == learner.id)).all()
    return {
        "format": "nortime.learner-data/1",
        "exported_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "learner": {
            "name": learner.name, "email": learner.email, "phone": learner.phone, "language": learner.language,
            "home_place": learner.home_place_id, "level": learner.level,
            "max_travel_minutes": learner.max_travel_minutes, "buffer_minutes": learner.buffer_minutes,
            "preferred_days": [day for day in (learner.preferred_days or "").split(",") if day],
            "provider": learner.provider.slug if learner.provider else None,
            "consent_at": learner.consent_at.isoformat() if learner.consent_at else None,
            "created_at": learner.created_at.isoformat() if learner.created_at else None,
            "withdrawn_at": learner.withdrawn_at.isoformat() if learner.withdrawn_at else None,
            "employer": learner.employer.name if learner.employer else None,
            "team": learner.team.name if learner.team else None,
            "employer_may_see_since": (learner.employer_consent_at.isoformat()
                                       if learner.employer_consent_at else None),
        },
        "rota": None if learner.rota is None else {
            "preset": learner.rota.preset, "start": learner.rota.anchor.isoformat(), "cycle": learner.rota.cycle},
        "busy": [{"start": b.start.isoformat(), "end": b.end.isoformat(), "note": b.note} for b in learner.busy_periods],
        "placements": [{"plan": p.plan_id, "group": p.group.key, "attendable_share": p.attendable_share,
                        "no_longer_fits_since": p.misfit_since.isoformat() if p.misfit_since else None}
                       for p in placements],
        "not_placed": [{"plan": u.plan_id, "reasons": u.reasons} for u in unplaced],
        "attendance": [{"group": a.group_id, "date": a.occurrence_date.isoformat(), "present": a.present}
                       for a in attendance],
        "offers": [{"plan": o.plan_id, "group": o.group.key, "state": o.state, "offered_at": o.created_at.isoformat(),
                    "until": o.expires_at.isoformat()}
                   for o in db.session.scalars(select(Offer).where(Offer.learner_id == learner.id).order_by(Offer.id))],
        "messages": [{"kind": m.kind, "channel": m.channel, "to": m.recipient, "state": m.state,
                      "queued_at": m.created_at.isoformat(), "sent_at": m.sent_at.isoformat() if m.sent_at else None}
                     for m in db.session.scalars(select(Message).where(Message.learner_id == learner.id)
                                                 .order_by(Message.id))],
    }


def delete_learner(learner: Learner) -> None:
    """Remove the learner and everything about them; their calendar feeds answer 410 Gone from now on."""
    erase_learners([learner])


def find_by_contact(contact: str) -> list[Learner]:
    """Learners who signed up with this e-mail address (any case) or phone number (any way of writing it)."""
    text = contact.strip()
    if "@" in text:
        return list(db.session.scalars(select(Learner).where(func.lower(Learner.email) == text.lower())))
    phone = e164_or_none(text)
    if phone is None:
        return []
    return list(db.session.scalars(select(Learner).where(Learner.phone == phone)))


def send_link(learner: Learner, *, channel: str | None = None) -> str | None:
    """Queue the personal link to the learner (by `channel`, else their usual one) and commit.

    Returns the channel it goes by, or None when it cannot be sent (no such contact, or the channel is off).
    """
    from .messages import channel_for

    if channel is None:
        found = channel_for(learner)
        channel, recipient = found if found else (None, None)
    elif channel == "email":
        recipient = learner.email if mail.enabled(current_app.config) else None
    else:
        recipient = learner.phone if sms.enabled(current_app.config) else None
    if recipient is None:
        return None
    queue_message(learner, "link", key=f"link:{new_token()}", channel=channel, recipient=recipient)
    db.session.commit()
    return channel


def resend_links(contact: str) -> int:
    """Send every learner with this e-mail address or phone number their link, by the same channel.

    Returns how many messages were queued; never shown to the asker, who sees the same answer either way.
    """
    channel = "email" if "@" in contact else "sms"
    queued = sum(send_link(learner, channel=channel) is not None for learner in find_by_contact(contact))
    current_app.logger.info("link request: %d message(s) queued", queued)
    return queued

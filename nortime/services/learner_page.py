"""The learner's personal page: what their status is, and what they can do about their data."""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import delete, func, or_, select

from ..db import db
from ..mail import send_mail
from ..models import (Attendance, FeedToken, Group, Learner, Placement, Plan, Unplacement, utcnow)
from .reasons import Explanation, explain


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
    """Where the latest published plan of the learner's provider puts them, and why."""
    from .timetable import feed_urls, group_sessions, published_plan

    if learner.withdrawn_at is not None:
        return LearnerStatus("withdrawn")
    plan = published_plan(learner.provider_id) if learner.provider_id is not None else None
    if plan is None:
        return LearnerStatus("waiting")
    placement = db.session.scalars(select(Placement).where(Placement.plan_id == plan.id,
                                                           Placement.learner_id == learner.id)).first()
    if placement is not None:
        group = placement.group
        status = LearnerStatus("placed", plan, group, placement, group_sessions(group), feeds=feed_urls("learner", learner))
        status.clashes = session_clashes(status.sessions, rota_json(learner), learner_busy(learner))
        try:
            from .attendance import attended_hours

            status.attended_hours = attended_hours(learner)
        except ImportError:
            status.attended_hours = None
        return status
    unplaced = db.session.scalars(select(Unplacement).where(Unplacement.plan_id == plan.id,
                                                           Unplacement.learner_id == learner.id)).first()
    if unplaced is not None:
        return LearnerStatus("unplaced", plan, explanation=explain(unplaced.reasons or [], learner))
    return LearnerStatus("waiting", plan)  # signed up after this plan was made


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


@dataclass(frozen=True)
class GroupFit:
    """How much of her group's coming lessons a learner can attend with a (new) rota."""
    share: float
    needed: float
    lessons: int

    @property
    def fits(self) -> bool:
        return self.share + 1e-9 >= self.needed


def group_fit(learner: Learner, rota: dict | None, busy: list[dict], today=None) -> GroupFit | None:
    """With this rota and these busy times, the share of her published group's lessons from today (None: no group)."""
    import datetime as dt

    from .timetable import group_sessions, published_group_for

    group = published_group_for(learner)
    if group is None:
        return None
    today = today or dt.date.today()
    coming = [s for s in group_sessions(group) if s.status != "cancelled" and s.start.date() >= today]
    if not coming:
        return None
    clashing = session_clashes(coming, rota, busy)
    return GroupFit((len(coming) - len(clashing)) / len(coming), group.course.min_attendance, len(coming))


def withdraw(learner: Learner) -> None:
    learner.withdrawn_at = utcnow()
    db.session.commit()


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
        },
        "rota": None if learner.rota is None else {
            "preset": learner.rota.preset, "start": learner.rota.anchor.isoformat(), "cycle": learner.rota.cycle},
        "busy": [{"start": b.start.isoformat(), "end": b.end.isoformat(), "note": b.note} for b in learner.busy_periods],
        "placements": [{"plan": p.plan_id, "group": p.group.key, "attendable_share": p.attendable_share}
                       for p in placements],
        "not_placed": [{"plan": u.plan_id, "reasons": u.reasons} for u in unplaced],
        "attendance": [{"group": a.group_id, "date": a.occurrence_date.isoformat(), "present": a.present}
                       for a in attendance],
    }


def delete_learner(learner: Learner) -> None:
    """Remove the learner and everything about them; their calendar feeds answer 410 Gone from now on."""
    now = utcnow()
    for token in db.session.scalars(select(FeedToken).where(FeedToken.learner_id == learner.id)):
        token.revoked_at = token.revoked_at or now
        token.learner_id = None
    # Rows that point at the learner without an ORM cascade (SQLite does not enforce ON DELETE).
    for model in (Placement, Unplacement, Attendance):
        db.session.execute(delete(model).where(model.learner_id == learner.id))
    db.session.delete(learner)
    db.session.commit()


def find_by_contact(contact: str) -> list[Learner]:
    """Learners who signed up with this e-mail address (any case) or phone number (any spacing)."""
    from .signup import normalise_phone

    text = contact.strip()
    if "@" in text:
        return list(db.session.scalars(select(Learner).where(func.lower(Learner.email) == text.lower())))
    phone = normalise_phone(text)
    digits = phone.lstrip("+")
    if len(digits) < 8:
        return []
    return list(db.session.scalars(select(Learner).where(or_(Learner.phone == phone, Learner.phone == digits,
                                                                Learner.phone == "+" + digits))))


def send_link_mail(learner: Learner, link: str) -> bool:
    """E-mail the personal link, in the learner's language; False when mail is off or there is no address."""
    if not learner.email:
        return False
    with force_locale(learner.language or "nb"):
        subject = _("Your page at nortime")
        body = "\n\n".join([
            _("Hello %(name)s,", name=learner.name),
            _("This is the link to your own page at nortime. There you see your course, your times, "
              "or why we have not found a group for you yet."),
            link,
            _("Keep the link to yourself. Anyone with the link can see and change your details."),
            _("If you did not ask for this, you can ignore this e-mail."),
        ])
    return send_mail(learner.email, subject, body)


def resend_links(contact: str, link_for) -> int:
    """Send every matching learner their link; returns how many mails went (never shown to the asker)."""
    sent = 0
    for learner in find_by_contact(contact):
        if send_link_mail(learner, link_for(learner)):
            sent += 1
    current_app.logger.info("link request: %d mail(s) sent", sent)
    return sent



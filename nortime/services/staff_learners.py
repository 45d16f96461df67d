"""Provider staff's daily work on learners: find them, see where they stand, edit for them, send their link.

Everything is scoped to one provider: a learner of another provider is never
listed, found or changed here. Every change staff make is a LearnerEdit row
(who, when, what, why).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from ..db import db
from ..models import (Attendance, FeedToken, Group, Learner, LearnerEdit, Message, Offer, Placement, Plan,
                      PlanChange, Provider, Unplacement, User)
from .learner_page import status_of
from .rota_days import weeks_from
from .plans import current_live_plan, is_live, lock_row

PAGE_SIZE = 50


@dataclass(frozen=True)
class PlanColumns:
    """What a status condition may look at: the learner, and their rows in the published plan (outer-joined)."""

    placement: type
    unplacement: type


# Each status is one line: its label and the condition a learner meets.
STATUSES: dict[str, tuple] = {
    "new": (_l("New since the plan"),
            lambda c: and_(Learner.withdrawn_at.is_(None), c.placement.id.is_(None), c.unplacement.id.is_(None))),
    "waiting": (_l("Waiting"), lambda c: and_(Learner.withdrawn_at.is_(None), c.placement.id.is_(None))),
    "placed": (_l("Placed"), lambda c: and_(Learner.withdrawn_at.is_(None), c.placement.id.isnot(None))),
    "unplaced": (_l("Not placed"), lambda c: and_(Learner.withdrawn_at.is_(None), c.unplacement.id.isnot(None))),
    "withdrawn": (_l("Withdrawn"), lambda c: Learner.withdrawn_at.isnot(None)),
    "offered": (_l("Offered a seat"), lambda c: and_(Learner.withdrawn_at.is_(None), _holds_offer())),
    "misfit": (_l("No longer fits"), lambda c: and_(Learner.withdrawn_at.is_(None),
                                                    c.placement.misfit_since.isnot(None))),
    "duplicate": (_l("Possible duplicates"), lambda c: and_(Learner.withdrawn_at.is_(None), _has_namesake_contact())),
}
SORTS = {
    "name": (_l("Name"), (func.lower(Learner.name), Learner.id)),
    "newest": (_l("Newest first"), (Learner.created_at.desc(), Learner.id.desc())),
    "level": (_l("Level"), (Learner.level, func.lower(Learner.name), Learner.id)),
}


def _same_person(other):
    """SQL: `other` has the learner's name (any case) and the same e-mail (any case) or phone (any spacing)."""
    return and_(other.provider_id == Learner.provider_id, other.id != Learner.id,
                func.lower(other.name) == func.lower(Learner.name),
                or_(func.lower(other.email) == func.lower(Learner.email),
                    func.replace(other.phone, " ", "") == func.replace(Learner.phone, " ", "")))


def _holds_offer():
    from .seats import held_offers

    return exists().where(Offer.learner_id == Learner.id, held_offers())


def _has_namesake_contact():
    other = aliased(Learner)
    return exists().where(_same_person(other))


@dataclass(frozen=True)
class ListRow:
    id: int
    name: str
    email: str | None
    phone: str | None
    level: str
    home: str
    created_at: dt.datetime
    status: str
    group: str | None


@dataclass(frozen=True)
class LearnerList:
    rows: list[ListRow]
    total: int
    page: int
    pages: int
    query: str
    status: str
    sort: str


def _search_condition(text: str):
    """Name or e-mail containing the text (any case); a phone number containing its digits."""
    text = text.strip()
    if not text:
        return None
    like = f"%{text.lower()}%"
    conditions = [func.lower(Learner.name).like(like), func.lower(Learner.email).like(like)]
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and re.fullmatch(r"[\d\s+()-]+", text):
        conditions.append(func.replace(Learner.phone, " ", "").like(f"%{digits}%"))
    return or_(*conditions)


def list_learners(provider: Provider, query: str = "", status: str = "", sort: str = "name",
                  page: int = 1) -> LearnerList:
    """One page of the provider's learners matching the search and the status, in the chosen order."""
    status = status if status in STATUSES else ""
    sort = sort if sort in SORTS else "name"
    plan = current_live_plan(provider.id)
    columns = PlanColumns(aliased(Placement), aliased(Unplacement))
    plan_id = plan.id if plan is not None else -1
    base = (select(Learner.id)
            .outerjoin(columns.placement, and_(columns.placement.learner_id == Learner.id,
                                               columns.placement.plan_id == plan_id))
            .outerjoin(columns.unplacement, and_(columns.unplacement.learner_id == Learner.id,
                                                 columns.unplacement.plan_id == plan_id))
            .where(Learner.provider_id == provider.id))
    conditions = [STATUSES[status][1](columns)] if status else [Learner.withdrawn_at.is_(None)]
    found = _search_condition(query)
    if found is not None:
        conditions.append(found)
    base = base.where(*conditions)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        base.with_only_columns(Learner.id, Learner.name, Learner.email, Learner.phone, Learner.level,
                               Learner.home_place_id, Learner.created_at, Learner.withdrawn_at,
                               columns.placement.id, columns.unplacement.id, Group.key, _holds_offer(),
                               columns.placement.misfit_since)
        .outerjoin(Group, Group.id == columns.placement.group_id)
        .order_by(*SORTS[sort][1]).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return LearnerList([ListRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _status(r[7], r[8], r[9], r[11], r[12]), r[10])
                        for r in rows], total, page, pages, query, status, sort)


def _status(withdrawn_at, placement_id, unplacement_id, offered=False, misfit_since=None) -> str:
    if withdrawn_at is not None:
        return "withdrawn"
    if misfit_since is not None:
        return "misfit"
    if placement_id is not None:
        return "placed"
    if offered:
        return "offered"
    if unplacement_id is not None:
        return "unplaced"
    return "new"


def status_label(code: str) -> str:
    return str(STATUSES[code][0])


# --- one learner ---------------------------------------------------------------------


@dataclass
class StaffView:
    learner: Learner
    status: object  # learner_page.LearnerStatus
    weeks: list
    edits: list[LearnerEdit]
    duplicates: list[Learner]
    offers: list  # offers.OpenOffer: seats held for them now (issue 15)


def staff_view(learner: Learner, today: dt.date) -> StaffView:
    """Everything a staff member needs on one learner's page."""
    rota = learner.rota
    weeks = weeks_from(rota.cycle, rota.anchor, today, 4) if rota is not None else weeks_from([], today, today, 4)
    edits = list(db.session.scalars(select(LearnerEdit).where(LearnerEdit.learner_id == learner.id)
                                    .order_by(LearnerEdit.at.desc(), LearnerEdit.id.desc())))
    from .offers import open_offers

    return StaffView(learner, status_of(learner), weeks, edits, possible_duplicates(learner), open_offers(learner))


def possible_duplicates(learner: Learner) -> list[Learner]:
    """The provider's other learners with the same name and the same e-mail or phone (sign-up or import twice)."""
    from .setup import same_person_keys

    mine = set(same_person_keys(learner.name, learner.email, learner.phone))
    if not mine or learner.provider_id is None:
        return []
    candidates = db.session.scalars(select(Learner).where(
        Learner.provider_id == learner.provider_id, Learner.id != learner.id,
        func.lower(Learner.name) == learner.name.lower()).order_by(Learner.id))
    return [other for other in candidates if mine & set(same_person_keys(other.name, other.email, other.phone))]


class MergeError(ValueError):
    """Two records cannot be merged; the message says why."""


def merge_learners(keep: Learner, duplicate: Learner, user: User, reason: str) -> dict:
    """Fold `duplicate` into `keep` and delete it, in one transaction.

    `keep` keeps its placements; where it has none in a plan it takes the duplicate's (placed or not,
    with the reasons). Attendance, staff's log and calendar links move over; missing contact details and
    a missing rota are filled in from the duplicate. The merge is logged on `keep` with who and why.
    """
    if keep.id == duplicate.id or keep.provider_id != duplicate.provider_id:
        raise MergeError(_("Choose two different records of your own learners."))
    reason = (reason or "").strip()
    if not reason:
        raise MergeError(_("Say why the records are the same person (kept in the log)."))
    keep_id, duplicate_id = keep.id, duplicate.id
    # Take the provider's row for writing before reading anything (as a CSV import does), so that merges of
    # this provider's learners run one after the other on SQLite and PostgreSQL; then look again whether
    # both records are still there (another merge may have folded one of them away meanwhile).
    lock_row(Provider, keep.provider_id)
    still_there = set(db.session.scalars(select(Learner.id).where(Learner.id.in_((keep_id, duplicate_id)))))
    if still_there != {keep_id, duplicate_id}:
        db.session.rollback()
        raise MergeError(_("One of the two records was merged or deleted meanwhile; look at the list again."))
    db.session.expire(keep)
    db.session.expire(duplicate)
    kept_plans = set(db.session.scalars(select(Placement.plan_id).where(Placement.learner_id == keep.id)))
    kept_plans |= set(db.session.scalars(select(Unplacement.plan_id).where(Unplacement.learner_id == keep.id)))
    # Seats the duplicate gives up (a second placement in a plan, a seat held for it) go to the next in line.
    freed = db.session.execute(select(Placement.plan_id, Placement.group_id).where(
        Placement.learner_id == duplicate.id, Placement.plan_id.in_(kept_plans))).all()
    freed += db.session.execute(select(Offer.plan_id, Offer.group_id).where(
        Offer.learner_id == duplicate.id, Offer.state == "open")).all()
    db.session.execute(delete(Offer).where(Offer.learner_id == duplicate.id, Offer.state == "open"))
    for model in (Placement, Unplacement):
        db.session.execute(delete(model).where(model.learner_id == duplicate.id, model.plan_id.in_(kept_plans)))
        db.session.execute(update(model).where(model.learner_id == duplicate.id).values(learner_id=keep.id))
    kept_sessions = set(db.session.execute(select(Attendance.group_id, Attendance.occurrence_date)
                                           .where(Attendance.learner_id == keep.id)).all())
    for record in db.session.scalars(select(Attendance).where(Attendance.learner_id == duplicate.id)):
        if (record.group_id, record.occurrence_date) in kept_sessions:
            db.session.delete(record)
        else:
            record.learner_id = keep.id
    for model in (LearnerEdit, FeedToken, Message, PlanChange, Offer):  # their history moves with them
        db.session.execute(update(model).where(model.learner_id == duplicate.id).values(learner_id=keep.id))
    filled = {}
    for name in ("email", "phone"):
        if not getattr(keep, name) and getattr(duplicate, name):
            filled[name] = [None, getattr(duplicate, name)]
            setattr(keep, name, getattr(duplicate, name))
    if keep.rota is None and duplicate.rota is not None:
        rota = duplicate.rota
        keep.rota = type(rota)(preset=rota.preset, anchor=rota.anchor, cycle=rota.cycle)
        filled["rota"] = [None, rota.preset or "custom"]
    db.session.add(LearnerEdit(learner_id=keep.id, user_id=user.id, action="merge",
                               changes={"merged": [duplicate.id, keep.id], **filled}, reason=reason[:300]))
    db.session.delete(duplicate)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    from .offers import pass_on

    live = [(db.session.get(Plan, plan_id), group_id) for plan_id, group_id in freed]
    pass_on([(plan, group_id) for plan, group_id in live if is_live(plan)])
    return filled


EDITABLE = ("name", "email", "phone", "language", "home_place_id", "level", "max_travel_minutes",
            "buffer_minutes", "priority")


def edit_learner(learner: Learner, values: Mapping, user: User, reason: str) -> dict:
    """Change the learner's details for them; the change and the reason are logged.

    Returns {field: [before, after]} of what changed (empty: nothing to do).
    Raises SetupError (one message per field) when a value or the reason is missing or wrong.
    """
    from .setup import SetupError, _int, _text, learner_details

    errors: dict[str, str] = {}
    name, email, phone, language, place, level = learner_details(errors, values)
    travel = _int(errors, "max_travel_minutes", values.get("max_travel_minutes"), 0, 300)
    buffer = _int(errors, "buffer_minutes", values.get("buffer_minutes"), 0, 240)
    priority = _int(errors, "priority", values.get("priority"), 1, 10)
    reason = _text(errors, "reason", reason, limit=300)
    if errors:
        raise SetupError(errors)
    after = {"name": name, "email": email, "phone": phone, "language": language, "home_place_id": place.id,
             "level": level, "max_travel_minutes": travel, "buffer_minutes": buffer, "priority": priority}
    changes = {key: [getattr(learner, key), value] for key, value in after.items() if getattr(learner, key) != value}
    if not changes:
        return {}
    for key, (_before, value) in changes.items():
        setattr(learner, key, value)
    db.session.add(LearnerEdit(learner_id=learner.id, user_id=user.id, action="edit", changes=changes, reason=reason))
    from .enrollment import recheck_placement

    recheck_placement(learner)  # a new home, level or travel time may rule their group out
    db.session.commit()
    return changes


def send_personal_link(learner: Learner, user: User) -> str | None:
    """Queue the learner's personal link again (outbox, their usual channel) and log that staff did.

    Returns the channel it goes by ("email" or "sms"), or None when the learner cannot be reached.
    """
    from .learner_page import send_link

    channel = send_link(learner)
    if channel:
        db.session.add(LearnerEdit(learner_id=learner.id, user_id=user.id, action="link_sent",
                                   changes={"channel": channel}, reason=""))
        db.session.commit()
    return channel

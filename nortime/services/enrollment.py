"""All-year enrollment: a learner who signs up after a plan is published takes a free seat that fits.

- `openings(learner)`: the published groups with a free seat that the learner can
  really attend (`fitting.fitting_groups`), each with its first date and the
  sessions their rota makes them miss;
- `join(learner, group_id)`: the one step that places them (`seats.seat_learner`,
  under a row lock) and queues the "joined" confirmation in the same transaction;
- `waiting_query(plan)`: who waits for a seat, in the order seats are offered;
- `recheck_placement(learner)`: after a rota or details change, whether the
  learner's group still fits (`Placement.misfit_since`, a "no_longer_fits" message).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exists, select

from ..db import db
from ..ids import row_id
from ..models import Group, Learner, Offer, Placement, Plan, utcnow
from .fitting import SHARE_EPSILON, GroupFit, fitting_groups, from_day_of, group_fits, missed_sessions
from .messages import queue_message
from .planning import placement_of
from .plans import current_live_plan
from .seats import SeatError


@dataclass(frozen=True)
class Opening:
    """A published group a learner may join now."""

    group: Group
    fit: GroupFit
    free_seats: int
    first_day: dt.date | None  # the first session from today on that takes place
    missed: tuple[dt.date, ...]  # the sessions from today on their rota or busy times rule out


@dataclass
class Enrollment:
    """What the learner's pages offer: groups to join, or why none fits (then they wait)."""

    plan: Plan
    openings: list[Opening]
    misses: list[str] = field(default_factory=list)  # plain sentences: the nearest miss
    hints: list[str] = field(default_factory=list)
    misfit: bool = False  # placed, but their group no longer fits them


def first_session_day(group: Group, from_day: dt.date) -> dt.date | None:
    """The date of the group's first session from `from_day` on that is not cancelled (a moved one on its new date)."""
    from .timetable import group_sessions

    return min((session.start.date() for session in group_sessions(group)
                if session.status != "cancelled" and session.start.date() >= from_day), default=None)


def openings(learner: Learner, plan: Plan | None = None, *, from_day: dt.date | None = None) -> list[Opening]:
    """The published groups with a free seat that fit `learner`, best share first (empty without a live plan)."""
    plan = plan or current_live_plan(learner.provider_id)
    if plan is None:
        return []
    found = fitting_groups(plan, learner, from_day=from_day)
    first = from_day_of(plan, from_day)
    # Only a share below 1 has sessions to miss: the per-session answer is asked for those alone.
    missed = missed_sessions(plan, learner, [group for group, fit, _free in found if fit.share < 1 - SHARE_EPSILON],
                             from_day=first)
    return [Opening(group, fit, free, first_session_day(group, first), tuple(missed.get(group.id, ())))
            for group, fit, free in found]


def enrollment_of(learner: Learner) -> Enrollment | None:
    """What to offer the learner now; None when there is nothing to choose (no live plan, placed and fitting)."""
    from .reasons import nearest_miss

    if learner.withdrawn_at is not None or learner.provider_id is None:
        return None
    plan = current_live_plan(learner.provider_id)
    if plan is None:
        return None
    placement = placement_of(plan, learner)
    if placement is not None and placement.misfit_since is None:
        return None
    found = openings(learner, plan)
    enrollment = Enrollment(plan, found, misfit=placement is not None)
    if not found:
        explanation = nearest_miss(plan, learner)
        enrollment.misses, enrollment.hints = explanation.reasons, explanation.hints
    return enrollment


def join(learner: Learner, group_id: int) -> Placement:
    """Place the learner in a group of their provider's live plan at once; SeatError says why not.

    Commits the placement and the "joined" message together. A learner whose group no
    longer fits them may move to one that does (their own lock in the old group is lifted).
    """
    plan = current_live_plan(learner.provider_id)
    group_id = row_id(group_id)
    group = db.session.get(Group, group_id) if group_id is not None else None
    if plan is None or group is None or group.plan_id != plan.id:
        raise SeatError(_("This group is not open for joining."))
    from .seats import seat_learner

    current = placement_of(plan, learner)
    if current is not None and current.misfit_since is None and current.group_id != group.id:
        raise SeatError(_("You have a place in a group already."))
    if current is not None and current.misfit_since is not None:
        current.locked = False  # written with the new seat, or rolled back with it
    try:
        return seat_learner(group, learner, by=None, notify=True)
    except SeatError:
        db.session.rollback()
        raise


def queue_joined(plan: Plan, group: Group, learner: Learner) -> int:
    """Queue the confirmation of a seat taken after publishing (joined or an accepted offer); no commit."""
    from .publishing import _weekly_times

    first = first_session_day(group, from_day_of(plan)) or plan.term.first_day
    return queue_message(learner, "joined", key=f"joined:{plan.id}:{learner.id}:{group.id}",
                         course=group.course.name, venue=group.venue.name, times=_weekly_times(group),
                         first=first, last=plan.term.last_day)


def waiting_query(plan: Plan, levels: Iterable[str] | None = None, *, holding_offer: bool = True):
    """The ids of the provider's learners without a seat in `plan`, in the order seats are offered to them.

    Higher priority first, then who signed up first (then the lower id, so the order is total).
    Withdrawn learners do not wait. `levels` narrows to those levels; `holding_offer=False` leaves out
    learners who hold an open offer (the offers service gives nobody two seats at once).
    """
    placed = select(Placement.learner_id).where(Placement.plan_id == plan.id)
    query = (select(Learner.id).where(Learner.provider_id == plan.provider_id, Learner.withdrawn_at.is_(None),
                                      Learner.id.not_in(placed))
             .order_by(Learner.priority.desc(), Learner.created_at, Learner.id))
    if levels is not None:
        query = query.where(Learner.level.in_(list(levels)))
    if not holding_offer:
        query = query.where(~exists().where(Offer.learner_id == Learner.id, Offer.state == "open"))
    return query


def recheck_placement(learner: Learner) -> GroupFit | None:
    """Whether the learner's published group still fits them as they are now (no commit; None: no group).

    The first time it stops fitting, `misfit_since` is set and the learner is told
    ("no_longer_fits"); when it fits again, `misfit_since` is cleared.
    """
    if learner.id is None or learner.provider_id is None:
        return None
    plan = current_live_plan(learner.provider_id)
    placement = placement_of(plan, learner) if plan is not None else None
    if placement is None:
        return None
    db.session.flush()  # the changed rota and busy times, as group_fits reads them
    fit = group_fits(plan, [learner], [placement.group_id])[learner.id, placement.group_id]
    if fit.level_ok and fit.in_reach and not fit.sessions:
        return fit  # no lesson left (the term is over): nothing to re-check, nobody to tell
    if fit.fits:
        placement.misfit_since = None
    elif placement.misfit_since is None:
        placement.misfit_since = utcnow()
        group = placement.group
        queue_message(learner, "no_longer_fits",
                      key=f"no_longer_fits:{plan.id}:{learner.id}:{group.id}:{placement.misfit_since:%Y%m%d%H%M%S}",
                      course=group.course.name, venue=group.venue.name)
    return fit

"""Seats: the one way a learner is put into a group, so that no group ever holds more than it may.

Every path that places a learner by hand or on request (a staff move, a late
joiner, an accepted offer, an import) calls `seat_learner`. A seat held by an
open offer (services/offers.py) counts as taken for everyone but the learner it
is held for. It counts the
group's learners only after taking a lock on the group's row
(`plans.lock_row`), so two requests for the last seat never both get it, on
PostgreSQL or SQLite. The optimizer's own placements come in whole through
`planning.plan_from_solution` and are checked by publishing instead.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..models import Group, Learner, Offer, Placement, PlanChange, Unplacement, utcnow
from .planning import fit_problems, placing_problems
from .plans import is_live, lock_row

SEATABLE = ("draft", "published")


class SeatError(ValueError):
    """The learner cannot have this seat; the message says why (in the reader's language)."""


class GroupFull(SeatError):
    """Every seat of the group is taken (counted under the lock)."""


def seat_limit(group: Group) -> int:
    """How many learners the group may hold: its course's `max_group`, or its venue's `seats` when fewer.

    The same limit as the optimizer's (`solver.problem.Problem.max_group`), so a
    learner who joins by hand never gets a seat a re-plan would have to take away.
    """
    seats = group.venue.seats
    return group.course.max_group if seats is None else min(group.course.max_group, seats)


def held_offers(now=None):
    """SQL condition: an offer that still holds its seat (open and not expired)."""
    return (Offer.state == "open") & (Offer.expires_at > (now or utcnow()))


def seats_taken(group: Group, *, for_learner: int | None = None) -> int:
    """The group's learners as the database has them now, plus the seats held by open offers.

    For `for_learner` holding an open offer for this group, only the learners count: the
    offer is their claim to a seat, and when staff lowered the group's size after offers
    went out, the holders who answer first get the seats that are left.
    """
    placed = db.session.scalar(select(func.count()).select_from(Placement).where(Placement.group_id == group.id))
    held = select(func.count()).select_from(Offer).where(Offer.group_id == group.id, held_offers())
    if for_learner is not None and db.session.scalar(held.where(Offer.learner_id == for_learner)):
        return placed
    return placed + db.session.scalar(held)


def free_seats(group: Group, *, for_learner: int | None = None) -> int:
    return max(0, seat_limit(group) - seats_taken(group, for_learner=for_learner))


def seat_learner(group: Group, learner: Learner, *, by: int | None, reason: str = "", override: bool = False,
                 lock: bool = True, notify: bool = False, offer_id: int | None = None) -> Placement:
    """Put `learner` into `group` (out of any other group of the same plan) and commit; SeatError says why not.

    `group` belongs to a draft or to the live plan. The group must suit the learner
    (level, travel, attendable share); `override=True` lets staff skip that check and
    then needs a `reason`. A full group is never overridden. `by` is the acting user's id
    (None for the learner themself or a job); `lock` keeps the learner in the group on a
    re-run of the plan. The change is recorded as a PlanChange (who, when, what, why). `notify`
    queues the "joined" confirmation (a published plan only) in the same transaction. `offer_id`: the
    seat is an offer being accepted, and the offer must still be open once the group is locked (a decline
    of the same offer takes that lock too).
    """
    plan = group.plan
    reason = (reason or "").strip()
    if plan.status not in SEATABLE:
        raise SeatError(_("Only a draft can be adjusted; this plan is %(status)s.", status=plan.status))
    if learner.withdrawn_at is not None:
        raise SeatError(_("%(name)s has withdrawn.", name=learner.name))
    problems = placing_problems(plan, learner, group)
    if problems:
        raise SeatError(" ".join(problems))
    fit, share = fit_problems(plan, learner, group)
    if fit and not override:
        raise SeatError(" ".join(fit))
    if fit and override and not reason:
        raise SeatError(_("reason: say why the learner gets this group although it does not suit them."))
    try:
        lock_row(Group, group.id)
        # Counted after the lock: whoever seated someone before us has committed by now.
        if db.session.scalar(select(Group.id).where(Group.id == group.id)) is None:
            raise SeatError(_("This group no longer exists; a newer plan replaced it."))
        db.session.refresh(plan)
        if plan.status not in SEATABLE:
            raise SeatError(_("Only a draft can be adjusted; this plan is %(status)s.", status=plan.status))
        if offer_id is not None and db.session.scalar(select(Offer.state).where(Offer.id == offer_id)) != "open":
            raise SeatError(_("This offer is no longer open: it was answered or withdrawn."))
        taken = seats_taken(group, for_learner=learner.id)
        if taken >= seat_limit(group):
            raise GroupFull(_("Capacity: the group is full (%(n)d of %(max)d).", n=taken, max=seat_limit(group)))
        current = db.session.scalar(select(Placement).where(Placement.plan_id == plan.id,
                                                            Placement.learner_id == learner.id))
        from_group = current.group_id if current is not None else None
        if current is not None:
            db.session.delete(current)
        for unplaced in db.session.scalars(select(Unplacement).where(Unplacement.plan_id == plan.id,
                                                                     Unplacement.learner_id == learner.id)):
            db.session.delete(unplaced)
        db.session.flush()
        placement = Placement(plan_id=plan.id, group_id=group.id, learner_id=learner.id, attendable_share=share,
                              locked=lock)
        db.session.add(placement)
        db.session.add(PlanChange(plan_id=plan.id, kind="seated", group_id=group.id, from_group_id=from_group,
                                  learner_id=learner.id, override=bool(fit) and override, reason=reason[:300],
                                  created_by_id=by))
        # Their open offers in this plan are answered by this seat: accepted here, withdrawn elsewhere.
        released = [] if from_group is None else [from_group]
        for offer in db.session.scalars(select(Offer).where(Offer.plan_id == plan.id, Offer.learner_id == learner.id,
                                                            Offer.state == "open")):
            offer.state, offer.answered_at = ("accepted" if offer.group_id == group.id else "withdrawn"), utcnow()
            if offer.group_id != group.id:
                released.append(offer.group_id)
        if notify and is_live(plan):
            from .enrollment import queue_joined

            queue_joined(plan, group, learner)
        db.session.commit()
    except IntegrityError:  # the same learner seated elsewhere at the same moment
        db.session.rollback()
        raise SeatError(_("%(name)s was placed by someone else just now; look again.", name=learner.name)) from None
    except Exception:
        db.session.rollback()
        raise
    db.session.expire(group, ["placements"])
    db.session.expire(plan, ["unplaced"])
    if released and is_live(plan):
        from .offers import offer_seats

        offer_seats(plan, released)  # the seat they left, or held for them elsewhere, goes to the next
    return placement

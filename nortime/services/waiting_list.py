"""For staff: who waits for a seat in the live plan and which groups fit them; every change to live plans.

`waiting(provider, page)` lists the learners not placed in the live plan (late
sign-ups and those the plan could not place) in waiting order, each with the
groups that fit them (`fitting.group_fits`, one batch per page) and any offer
held for them. Staff add one directly with `seats.seat_learner` (the same
checks; an override needs a reason and is logged). `changes(provider)` lists the
PlanChange records of the provider's plans: who, when, what, why.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..db import db
from ..models import Group, Learner, Offer, Plan, PlanChange, Provider, Unplacement, User
from .enrollment import waiting_query
from .fitting import GroupFit, group_fits, seats_taken_by_group
from .offers import load_learners, refresh
from .plans import current_live_plan
from .seats import held_offers, seat_limit

PAGE_SIZE = 25


@dataclass(frozen=True)
class Waiter:
    learner: Learner
    late: bool  # signed up after the plan was made (no verdict from the optimizer)
    fitting: list[tuple[Group, GroupFit, int]]  # groups that fit, with their free seats
    offer: Offer | None


@dataclass(frozen=True)
class WaitingPage:
    plan: Plan | None
    waiters: list[Waiter]
    groups: list[Group]  # every group of the plan, for adding someone by hand
    free: dict[int, int]  # group id -> free seats
    total: int
    page: int
    pages: int


def waiting(provider: Provider, page: int = 1) -> WaitingPage:
    """One page of the learners waiting for a seat in the provider's live plan, in waiting order."""
    plan = current_live_plan(provider)
    if plan is None:
        return WaitingPage(None, [], [], {}, 0, 1, 1)
    refresh(plan)
    groups = list(db.session.scalars(select(Group).where(Group.plan_id == plan.id).options(
        selectinload(Group.course), selectinload(Group.venue), selectinload(Group.slots)).order_by(Group.key)))
    taken = seats_taken_by_group(plan)
    free = {group.id: max(0, seat_limit(group) - taken.get(group.id, 0)) for group in groups}
    ids_query = waiting_query(plan)  # in waiting order; a learner holding an offer is listed too
    total = db.session.scalar(select(func.count()).select_from(ids_query.subquery()))
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    ids = list(db.session.scalars(ids_query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    learners = load_learners(ids)
    fits = group_fits(plan, learners) if learners else {}
    unplaced = set(db.session.scalars(select(Unplacement.learner_id).where(Unplacement.plan_id == plan.id,
                                                                           Unplacement.learner_id.in_(ids))))
    held = {offer.learner_id: offer for offer in db.session.scalars(
        select(Offer).where(Offer.learner_id.in_(ids), held_offers()))}
    waiters = []
    for learner in learners:
        fitting = [(group, fits[learner.id, group.id], free[group.id]) for group in groups
                   if fits[learner.id, group.id].fits]
        fitting.sort(key=lambda item: (-item[1].share, item[1].travel_minutes, item[0].key))
        waiters.append(Waiter(learner, learner.id not in unplaced, fitting, held.get(learner.id)))
    return WaitingPage(plan, waiters, groups, free, total, page, pages)


@dataclass(frozen=True)
class ChangeRow:
    change: PlanChange
    who: User | None
    learner: Learner | None
    group: Group | None
    from_group: Group | None


def changes(provider: Provider, limit: int = 200) -> list[ChangeRow]:
    """The latest changes to the provider's plans, newest first: who, when, what, why."""
    rows = db.session.execute(
        select(PlanChange, User, Learner).join(Plan, Plan.id == PlanChange.plan_id)
        .outerjoin(User, User.id == PlanChange.created_by_id).outerjoin(Learner, Learner.id == PlanChange.learner_id)
        .where(Plan.provider_id == provider.id, Plan.published_at.is_not(None),
               PlanChange.created_at >= Plan.published_at)  # adjustments of a draft are not changes to a live plan
        .order_by(PlanChange.created_at.desc(), PlanChange.id.desc())
        .limit(limit)).all()
    group_ids = {gid for change, _u, _l in rows for gid in (change.group_id, change.from_group_id) if gid}
    groups = {group.id: group for group in db.session.scalars(select(Group).where(Group.id.in_(group_ids)))}
    return [ChangeRow(change, user, learner, groups.get(change.group_id), groups.get(change.from_group_id))
            for change, user, learner in rows]

"""The waiting list: a seat that frees in a live plan is offered to the next waiting learner it fits.

A seat frees when a learner withdraws or is deleted, when staff move someone
out of a group, when a group is new or its course's `max_group` is raised, and
when a plan is published. Then `offer_seats(plan, groups)`:

- lapses the plan's open offers whose hold time (`OFFER_HOLD_HOURS`, default
  48) has passed, so their seats go round again;
- counts each group's free seats (placements and held seats, `seats.seats_taken`);
- walks the waiting learners in order (priority, highest first, then sign-up
  time) and gives each the free group that fits them best (`fitting.group_fits`:
  level, reach, attendable share of the sessions still to come), skipping a
  group they declined or let lapse before; one open offer per learner;
- writes the offers under the group's row lock (`plans.lock_row`), counting
  again, so a seat is never held twice, and queues message kind "offer" in the
  learner's language with their personal link.

Accepting goes through `seats.seat_learner` (the row lock, the same checks),
which marks the offer accepted in the same transaction; the confirmation is
message kind "joined". Declining or letting an offer lapse passes the seat on.
`flask --app nortime offers` runs the lapses from cron; pages that show offers
run them too when one is due (`refresh`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..db import db
from ..models import Group, Learner, Offer, Placement, Plan, PlanChange, utcnow
from .plans import is_live, live_plans, lock_row, of_live_plans
from .seats import SeatError, held_offers, seat_learner, seat_limit, seats_taken

# Waiting learners whose fit is computed in one batch: a small first batch (most seats go to one of the
# first in line), then large ones (fewer passes when nobody near the front fits). bench/offers.py measures it.
FIRST_CHUNK, CHUNK = 100, 1000
REFUSED = ("declined", "lapsed")  # a group once refused or let lapse is not offered to them again
# Why a seat changed, when a service (not a person) says so; staff read them translated (changes page).
REASONS = {
    "offer": _l("accepted an offered seat"),
    "withdrew": _l("left the course list"),
    "deleted": _l("details deleted"),
}


class OfferError(ValueError):
    """The offer cannot be answered; the message says why (in the reader's language)."""


class SeatTaken(SeatError):
    """Accepting failed because the group has no seat left for them (someone answered first)."""


def hold_time() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config.get("OFFER_HOLD_HOURS") or 48))


def reason_text(code: str) -> str:
    """A PlanChange reason as staff read it: a service's code translated, staff's own words as written."""
    return str(REASONS[code]) if code in REASONS else code


# --- who waits -------------------------------------------------------------------------


def load_learners(ids: list[int]) -> list[Learner]:
    rows = {learner.id: learner for learner in db.session.scalars(
        select(Learner).where(Learner.id.in_(ids)).options(selectinload(Learner.rota),
                                                          selectinload(Learner.busy_periods)))}
    return [rows[i] for i in ids if i in rows]


@dataclass(frozen=True)
class _RotaFacts:
    anchor: dt.date
    cycle: list


@dataclass(frozen=True)
class _BusyFacts:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class WaitingLearner:
    """What `fitting.group_fits` reads of a learner, read in two plain queries: checking thousands of waiting
    learners spent half its time building ORM objects (bench/offers.py)."""

    id: int
    level: str
    home_place_id: str
    max_travel_minutes: int
    buffer_minutes: int
    priority: int
    preferred_days: str
    rota: _RotaFacts | None
    busy_periods: tuple


def waiting_facts(ids: list[int]) -> list[WaitingLearner]:
    """The learners with these ids as `WaitingLearner`s, in the order given."""
    from ..models import BusyPeriod, Rota

    busy: dict[int, list] = {}
    for learner_id, start, end in db.session.execute(
            select(BusyPeriod.learner_id, BusyPeriod.start, BusyPeriod.end).where(BusyPeriod.learner_id.in_(ids))
            .order_by(BusyPeriod.start)):
        busy.setdefault(learner_id, []).append(_BusyFacts(start, end))
    rows = {}
    for row in db.session.execute(
            select(Learner.id, Learner.level, Learner.home_place_id, Learner.max_travel_minutes,
                   Learner.buffer_minutes, Learner.priority, Learner.preferred_days, Rota.anchor, Rota.cycle)
            .outerjoin(Rota, Rota.learner_id == Learner.id).where(Learner.id.in_(ids))):
        rota = _RotaFacts(row.anchor, row.cycle) if row.anchor is not None else None
        rows[row.id] = WaitingLearner(row.id, row.level, row.home_place_id, row.max_travel_minutes,
                                      row.buffer_minutes, row.priority, row.preferred_days or "", rota,
                                      tuple(busy.get(row.id, ())))
    return [rows[i] for i in ids if i in rows]


# --- offering ------------------------------------------------------------------------------


def lapse_due(plan: Plan, now: dt.datetime | None = None) -> list[int]:
    """Mark the plan's open offers whose hold time has passed as lapsed (not committed); their group ids."""
    now = now or utcnow()
    due = list(db.session.execute(select(Offer.id, Offer.group_id).where(
        Offer.plan_id == plan.id, Offer.state == "open", Offer.expires_at <= now)))
    if due:
        db.session.execute(update(Offer).where(Offer.id.in_([row[0] for row in due]), Offer.state == "open")
                           .values(state="lapsed", answered_at=now))
    return sorted({row[1] for row in due})


def _free_seats(plan: Plan, group_ids: Iterable[int] | None) -> dict[int, int]:
    from .fitting import seats_taken_by_group

    query = select(Group).where(Group.plan_id == plan.id).options(selectinload(Group.course))
    if group_ids is not None:
        query = query.where(Group.id.in_(list(group_ids)))
    taken = seats_taken_by_group(plan)
    free = {}
    for group in db.session.scalars(query):
        left = seat_limit(group) - taken.get(group.id, 0)
        if left > 0:
            free[group.id] = left
    return free


def chunks(total: int) -> list[tuple[int, int]]:
    """(start, end) of the batches in which `total` waiting learners are checked."""
    bounds = [0] + list(range(min(FIRST_CHUNK, total), total, CHUNK)) + [total]
    return [(start, end) for start, end in zip(bounds, bounds[1:]) if end > start]


def _choose(plan: Plan, free: dict[int, int], now: dt.datetime) -> dict[int, list[int]]:
    """Which waiting learners get which free seats: group id -> learner ids, in waiting order."""
    from .fitting import group_fits

    groups = {group.id: group for group in db.session.scalars(
        select(Group).where(Group.id.in_(list(free))).options(selectinload(Group.course)))}
    refused = set(db.session.execute(select(Offer.learner_id, Offer.group_id).where(
        Offer.plan_id == plan.id, Offer.group_id.in_(list(free)), Offer.state.in_(REFUSED))).tuples())
    left = dict(free)
    chosen: dict[int, list[int]] = {}
    from .enrollment import waiting_query

    waiting = list(db.session.scalars(
        waiting_query(plan, {group.course.level for group in groups.values()}, holding_offer=False)))
    for start, end in chunks(len(waiting)):
        open_groups = [group_id for group_id, seats in left.items() if seats > 0]
        if not open_groups:
            break
        learners = waiting_facts(waiting[start:end])
        fits = group_fits(plan, learners, open_groups)
        for learner in learners:
            best = None
            for group_id in open_groups:
                fit = fits.get((learner.id, group_id))
                if fit is None or not fit.fits or left[group_id] <= 0 or (learner.id, group_id) in refused:
                    continue
                if best is None or (-fit.share, fit.travel_minutes, group_id) < best[0]:
                    best = ((-fit.share, fit.travel_minutes, group_id), group_id)
            if best is not None:
                left[best[1]] -= 1
                chosen.setdefault(best[1], []).append(learner.id)
    return chosen


def offer_seats(plan: Plan, group_ids: Iterable[int] | None = None, *, now: dt.datetime | None = None) -> list[Offer]:
    """Offer the free seats of `plan`'s groups (or of the given ones) to the waiting learners they fit; commits.

    Returns the offers made. Nothing happens unless `plan` is live.
    """
    if not is_live(plan):
        return []
    for _attempt in range(3):
        now = now or utcnow()
        try:
            lapsed = lapse_due(plan, now)
            wanted = None if group_ids is None else sorted(set(group_ids) | set(lapsed))
            free = _free_seats(plan, wanted)
            chosen = _choose(plan, free, now) if free else {}
            made = _write_offers(plan, chosen, now)
            db.session.commit()
            return made
        except IntegrityError:  # one of them got an offer from a run at the same moment: choose again
            db.session.rollback()
        except Exception:
            db.session.rollback()
            raise
    return []


def _write_offers(plan: Plan, chosen: dict[int, list[int]], now: dt.datetime) -> list[Offer]:
    made = []
    until = now + hold_time()
    for group_id in sorted(chosen):  # always in the same order: two runs never wait on each other crosswise
        lock_row(Group, group_id)
        group = db.session.get(Group, group_id)
        if group is None:
            continue
        db.session.refresh(plan)
        if not is_live(plan):
            return []
        room = seat_limit(group) - seats_taken(group)  # counted again, under the lock
        for learner_id in chosen[group_id][:max(0, room)]:
            offer = Offer(plan_id=plan.id, group_id=group_id, learner_id=learner_id, state="open",
                          created_at=now, expires_at=until)
            db.session.add(offer)
            db.session.flush()  # the one-open-offer index speaks now, and the message needs the id
            _tell(offer, "offer", key=f"offer:{offer.id}", until=_local(group, until))
            made.append(offer)
    return made


def _local(group: Group, moment: dt.datetime) -> dt.datetime:
    """A stored UTC moment as the term's wall-clock time (what the learner reads)."""
    zone = ZoneInfo(group.plan.term.timezone)
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(zone).replace(tzinfo=None)


def _tell(offer_or_group, kind: str, *, key: str, learner: Learner | None = None, **values) -> None:
    from .messages import queue_message
    from .publishing import _weekly_times

    group = offer_or_group.group if isinstance(offer_or_group, Offer) else offer_or_group
    learner = learner or offer_or_group.learner
    queue_message(learner, kind, key=key, course=group.course.name, venue=group.venue.name,
                  times=_weekly_times(group), **values)


# --- the learner answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenOffer:
    """An open offer as the learner's page shows it."""

    offer: Offer
    group: Group
    first: dt.date | None  # the first session still to come
    expires: dt.datetime  # local wall-clock
    share: float | None


def open_offers(learner: Learner) -> list[OpenOffer]:
    """The learner's offers that still hold a seat, with what the page shows of each."""
    from .enrollment import first_session_day
    from .fitting import group_fits, oslo_today

    found = []
    for offer in db.session.scalars(select(Offer).where(Offer.learner_id == learner.id, held_offers())
                                    .order_by(Offer.id)):
        group = offer.group
        fit = group_fits(group.plan, [learner], [group.id]).get((learner.id, group.id))
        found.append(OpenOffer(offer, group, first_session_day(group, oslo_today()),
                               _local(group, offer.expires_at),
                               fit.share if fit is not None else None))
    return found


def _own_offer(learner: Learner, offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.learner_id != learner.id:
        raise OfferError(_("This offer does not exist."))
    if offer.state != "open":
        raise OfferError(_("This offer is no longer open: it was answered or withdrawn."))
    if offer.expires_at <= utcnow():
        plan = offer.group.plan
        offer_seats(plan, [offer.group_id])  # lapses it and passes the seat on
        raise OfferError(_("This offer ran out: the seat was held for you until %(until)s.",
                           until=_local(offer.group, offer.expires_at).strftime("%Y-%m-%d %H:%M")))
    return offer


def accept(learner: Learner, offer_id: int) -> Placement:
    """Take the offered seat: placed at once under the group's lock, the offer accepted and the confirmation
    ("joined") queued, all in one transaction. OfferError or SeatError say why not."""
    offer = _own_offer(learner, offer_id)
    group, plan = offer.group, offer.group.plan
    try:
        # The same seat and "joined" confirmation as the personal page's Join (enrollment.queue_joined).
        placement = seat_learner(group, learner, by=None, reason="offer", notify=True, offer_id=offer_id)
    except SeatError as error:
        # The seat is gone (staff lowered the group's size and another holder answered first), or the
        # group no longer suits them (e.g. a new rota): either way the offer ends, and a seat left goes on.
        db.session.rollback()
        offer = db.session.get(Offer, offer_id)
        full = offer is not None and seats_left_for(offer) <= 0
        if offer is not None and offer.state == "open":
            offer.state, offer.answered_at = "withdrawn", utcnow()
            db.session.commit()
            if not full:
                offer_seats(plan, [offer.group_id])
        if full:
            raise SeatTaken(str(error)) from None
        raise
    except Exception:
        db.session.rollback()
        raise
    return placement


def seats_left_for(offer: Offer) -> int:
    return seat_limit(offer.group) - seats_taken(offer.group, for_learner=offer.learner_id)


def decline(learner: Learner, offer_id: int) -> None:
    """Say no to the offer; the seat goes to the next waiting learner it fits."""
    offer = _own_offer(learner, offer_id)
    group_id, plan = offer.group_id, offer.group.plan
    try:
        lock_row(Group, group_id)  # as an acceptance does: the two answers to one offer never interleave
        if db.session.scalar(select(Offer.state).where(Offer.id == offer_id)) != "open":
            raise OfferError(_("This offer is no longer open: it was answered or withdrawn."))
        db.session.execute(update(Offer).where(Offer.id == offer_id).values(state="declined", answered_at=utcnow()))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.expire(offer)
    offer_seats(plan, [group_id])


def refresh(plan: Plan | None) -> None:
    """Pass on the seats of offers that lapsed since anyone looked (cheap when none did)."""
    if plan is None or not is_live(plan):
        return
    due = db.session.scalar(select(exists().where(Offer.plan_id == plan.id, Offer.state == "open",
                                                  Offer.expires_at <= utcnow())))
    if due:
        offer_seats(plan, [])


def run_all(now: dt.datetime | None = None) -> int:
    """Lapse every due offer and offer every free seat of every live plan (the cron command); offers made."""
    return sum(len(offer_seats(plan, now=now)) for plan in live_plans())


# --- seats that free ---------------------------------------------------------------------------


def learner_leaves(learner: Learner, reason: str) -> list[tuple[Plan, int]]:
    """Take the learner out of every live plan's group and withdraw their open offers (not committed).

    Recorded as PlanChange "left" (`reason` one of REASONS' codes). Returns (plan, group id) of each seat
    they freed or held, to hand to `offer_seats` after the commit.
    """
    freed = []
    keep_name = reason != "deleted"  # a deleted learner leaves no trace in the record
    for placement in db.session.scalars(select(Placement).where(
            Placement.learner_id == learner.id, Placement.group_id.in_(of_live_plans(select(Group.id))))):
        freed.append((placement.group.plan, placement.group_id))
        db.session.add(PlanChange(plan_id=placement.plan_id, kind="left", from_group_id=placement.group_id,
                                  learner_id=learner.id if keep_name else None, reason=reason))
        db.session.delete(placement)
    for offer in db.session.scalars(select(Offer).where(Offer.learner_id == learner.id, Offer.state == "open")):
        offer.state, offer.answered_at = "withdrawn", utcnow()
        freed.append((offer.group.plan, offer.group_id))
    return freed


def pass_on(freed: list[tuple[Plan, int]]) -> None:
    """Offer the seats `learner_leaves` freed (after its commit)."""
    by_plan: dict[int, tuple[Plan, set[int]]] = {}
    for plan, group_id in freed:
        by_plan.setdefault(plan.id, (plan, set()))[1].add(group_id)
    for plan, group_ids in by_plan.values():
        offer_seats(plan, group_ids)


def capacity_raised(group_ids: Iterable[int]) -> None:
    """A course's `max_group` grew: offer the new seats of its groups in live plans."""
    by_plan: dict[int, list[int]] = {}
    for group_id, plan_id in db.session.execute(of_live_plans(select(Group.id, Group.plan_id))
                                                .where(Group.id.in_(list(group_ids)))):
        by_plan.setdefault(plan_id, []).append(group_id)
    for plan_id, ids in by_plan.items():
        offer_seats(db.session.get(Plan, plan_id), ids)


def capacity_lowered(group_ids: Iterable[int]) -> int:
    """A course's `max_group` shrank: offers that now hold more seats than a live group has left end, newest
    first (commits). Returns how many ended."""
    ended = 0
    groups = db.session.scalars(of_live_plans(select(Group)).where(Group.id.in_(list(group_ids)))
                                .order_by(Group.id)).all()
    try:
        for group in groups:
            lock_row(Group, group.id)
            over = seats_taken(group) - seat_limit(group)
            if over <= 0:
                continue
            for offer in db.session.scalars(select(Offer).where(Offer.group_id == group.id, held_offers())
                                            .order_by(Offer.created_at.desc(), Offer.id.desc()).limit(over)):
                offer.state, offer.answered_at = "withdrawn", utcnow()
                ended += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ended


def plan_published(plan: Plan) -> list[Offer]:
    """A plan went live: offers held in the plans it replaced end, and its free seats are offered."""
    db.session.execute(update(Offer).where(Offer.state == "open", Offer.plan_id.in_(
        select(Plan.id).where(Plan.provider_id == plan.provider_id, Plan.term_id == plan.term_id,
                              Plan.status != "published"))).values(state="withdrawn", answered_at=utcnow()))
    db.session.commit()
    return offer_seats(plan)

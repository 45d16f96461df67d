"""Which groups of a plan a learner can really attend, and which learners a group suits.

The one place that answers "does this group fit this learner?" for a group that
already exists (a late joiner choosing a published group, a freed seat offered to
the waiting list, a rota edit re-checked, staff adding someone by hand). It asks
the solver's own code, so daylight-saving changes, buffers, driving and away days
agree with the optimizer:

- level: the learner's level is the course's;
- reach: driving minutes from home to the venue within the learner's travel time
  (`solver.travel.travel_matrix`, listed times first, else the estimate);
- rota: the share of the group's sessions their rota and busy times allow
  (`solver.availability.compute_availability`) is at least the course's
  `min_attendance`.

Everything is computed in one batch (one problem document, one availability
matrix), so one learner against every group of a plan, or one group against
thousands of waiting learners, costs one pass. The share counts the sessions from
`from_day` on (default today): for someone joining in week 5, the sessions that
are already over neither count for nor against them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..db import db
from ..models import Course, Group, Learner, Offer, Placement, Plan, Venue
from .rota_days import clock_text

SHARE_EPSILON = 1e-9  # shares are ratios of counts; compare them as the optimizer does


@dataclass(frozen=True)
class GroupFit:
    """How one group suits one learner: each of the three rules, and the numbers behind them."""

    learner_id: int
    group_id: int
    level_ok: bool
    travel_minutes: int
    max_travel_minutes: int
    share: float  # of the group's sessions from `from_day` on, the part the learner can attend
    min_share: float  # the course's min_attendance
    sessions: int  # the group's sessions from `from_day` on (0: nothing left to attend)

    @property
    def in_reach(self) -> bool:
        return self.travel_minutes <= self.max_travel_minutes

    @property
    def rota_ok(self) -> bool:
        return self.sessions > 0 and self.share + SHARE_EPSILON >= self.min_share

    @property
    def fits(self) -> bool:
        return self.level_ok and self.in_reach and self.rota_ok


def oslo_today() -> dt.date:
    from .signup import today

    return today()


def _groups_of(plan: Plan, group_ids: Iterable[int] | None) -> list[Group]:
    query = (select(Group).where(Group.plan_id == plan.id)
             .options(selectinload(Group.slots), selectinload(Group.changes),
                      selectinload(Group.course).selectinload(Course.venues),
                      selectinload(Group.venue).selectinload(Venue.openings))
             .order_by(Group.key))
    if group_ids is not None:
        query = query.where(Group.id.in_(list(group_ids)))
    return list(db.session.scalars(query))


def from_day_of(plan: Plan, from_day: dt.date | None = None) -> dt.date:
    """The first day whose sessions count: `from_day` (default today), never before the term starts."""
    return max(plan.term.first_day, from_day or oslo_today())


def _fit_frame(plan: Plan, groups: Sequence[Group], first_day: dt.date) -> dict:
    """The provider's problem frame cut to what the groups' availability needs, with the term from `first_day`."""
    from .planning import problem_frame

    # Only what the availability needs: the groups' venues and courses (no teachers, no current).
    venues = list({group.venue.id: group.venue for group in groups}.values())
    frame = problem_frame(plan.provider, plan.term, teachers=False, venues=venues,
                          courses={group.course.id: group.course for group in groups}.values())
    frame["term"] = dict(frame["term"], first_day=min(first_day, plan.term.last_day).isoformat())
    venue_slugs = {venue.slug for venue in venues}
    frame["courses"] = [dict(course, venues=[v for v in course.get("venues", venue_slugs) if v in venue_slugs])
                        for course in frame["courses"]]
    # A group may meet at a time that is no longer a candidate slot (staff changed the slots since).
    labels = {(slot["day"], slot["start"]) for slot in frame["slots"]}
    for group in groups:
        for slot in group.slots:
            if (slot.day, clock_text(slot.start)) not in labels:
                labels.add((slot.day, clock_text(slot.start)))
                frame["slots"].append({"day": slot.day, "start": clock_text(slot.start)})
    return frame


def group_fits(plan: Plan, learners: Sequence[Learner], group_ids: Iterable[int] | None = None, *,
               from_day: dt.date | None = None, share_for_all: bool = False) -> dict[tuple[int, int], GroupFit]:
    """`GroupFit` for every (learner, group) pair of `plan` (or of the given groups), keyed by their ids.

    Learners are taken as stored (rota, busy times, home, travel time, buffer).
    Pairs whose level or reach already rules them out are still returned, with
    share 0 when the rota was not computed for them, so a caller can say why;
    `share_for_all` computes it for them too (a staff override records the share).
    """
    from solver.availability import compute_availability
    from solver.problem import Slot, parse_clock, parse_day, read_problem
    from solver.travel import travel_matrix

    from .planning import learner_json

    groups = _groups_of(plan, group_ids)
    if not groups or not learners:
        return {}
    first_day = from_day_of(plan, from_day)
    frame = _fit_frame(plan, groups, first_day)

    places, travel = travel_matrix(read_problem(dict(frame, learners=[])))
    reach = {}  # (learner, group) -> minutes
    wanted = []  # learners whose rota has to be computed: a group of their level within reach
    for learner in learners:
        needed = False
        for group in groups:
            minutes = int(travel[places[learner.home_place_id], places[group.venue.place_id]])
            reach[learner.id, group.id] = minutes
            needed |= share_for_all or (learner.level == group.course.level
                                        and minutes <= learner.max_travel_minutes)
        if needed:
            wanted.append(learner)

    shares: dict[tuple[int, int], tuple[float, int]] = {}
    if wanted and first_day <= plan.term.last_day:  # after the term's last day no session is left to share
        problem = read_problem(dict(frame, learners=[learner_json(learner) for learner in wanted]))
        availability = compute_availability(problem)
        venue_index = {venue.id: v for v, venue in enumerate(problem.venues)}
        slot_index = {slot: s for s, slot in enumerate(problem.slots)}
        for group in groups:
            slots = [slot_index[Slot(parse_day(slot.day), parse_clock(clock_text(slot.start)))]
                     for slot in group.slots]
            sessions = int(availability.total[slots].sum()) if slots else 0
            v = venue_index[group.venue.slug]
            for row, learner in enumerate(wanted):
                if share_for_all or (learner.level == group.course.level
                                     and reach[learner.id, group.id] <= learner.max_travel_minutes):
                    share = availability.share(row, v, group.course.session_minutes, slots) if sessions else 0.0
                    shares[learner.id, group.id] = (share, sessions)

    fits = {}
    for learner in learners:
        for group in groups:
            share, sessions = shares.get((learner.id, group.id), (0.0, 0))
            fits[learner.id, group.id] = GroupFit(
                learner.id, group.id, learner.level == group.course.level, reach[learner.id, group.id],
                learner.max_travel_minutes, share, group.course.min_attendance, sessions)
    return fits


def seats_taken_by_group(plan: Plan, *, for_learner: int | None = None) -> dict[int, int]:
    """Each group's learners as the database has them now, plus the seats open offers hold (groups with
    nobody are left out); where `for_learner` holds an offer, only the learners count (`seats.seats_taken`)."""
    from .seats import held_offers

    rows = db.session.execute(select(Placement.group_id, func.count()).where(Placement.plan_id == plan.id)
                              .group_by(Placement.group_id))
    taken = {group_id: count for group_id, count in rows}
    held = select(Offer.group_id, func.count()).where(Offer.plan_id == plan.id, held_offers())
    own = set() if for_learner is None else set(db.session.scalars(
        select(Offer.group_id).where(Offer.plan_id == plan.id, Offer.learner_id == for_learner, held_offers())))
    for group_id, count in db.session.execute(held.group_by(Offer.group_id)):
        if group_id not in own:
            taken[group_id] = taken.get(group_id, 0) + count
    return taken


def fitting_groups(plan: Plan, learner: Learner, *,
                   from_day: dt.date | None = None) -> list[tuple[Group, GroupFit, int]]:
    """The groups of `plan` with a free seat that fit `learner`, as (group, fit, free seats), best share
    first, then nearest.

    The learner's own group (if any) is left out. The seat count is a first look;
    `seats.seat_learner` counts again under a lock when they join.
    """
    from .seats import seat_limit

    at_level = select(Group.id).join(Course, Course.id == Group.course_id).where(Group.plan_id == plan.id,
                                                                                Course.level == learner.level)
    fits = group_fits(plan, [learner], db.session.scalars(at_level).all(), from_day=from_day)
    taken = seats_taken_by_group(plan, for_learner=learner.id)
    current = db.session.scalar(select(Placement.group_id).where(Placement.plan_id == plan.id,
                                                                 Placement.learner_id == learner.id))
    found = []
    # The groups are in the session already (group_fits loaded them): `get` takes them from there.
    for group in sorted((db.session.get(Group, group_id) for (_, group_id), fit in fits.items() if fit.fits),
                        key=lambda group: group.key):
        if group.id == current:
            continue
        free = max(0, seat_limit(group) - taken.get(group.id, 0))
        if free:
            found.append((group, fits[learner.id, group.id], free))
    found.sort(key=lambda item: (-item[1].share, item[1].travel_minutes, item[0].key))
    return found


def missed_sessions(plan: Plan, learner: Learner, groups: Sequence[Group], *,
                    from_day: dt.date | None = None) -> dict[int, list[dt.date]]:
    """For each group, the dates from `from_day` on (default today) of its sessions the learner cannot attend.

    The solver's per-occurrence answer (`occurrence_conflicts`), which agrees with the share `group_fits` gives.
    """
    from solver.availability import occurrence_conflicts
    from solver.problem import Slot, parse_clock, parse_day, read_problem

    from .planning import learner_json

    first_day = from_day_of(plan, from_day)
    if not groups or first_day > plan.term.last_day:
        return {}
    entry = learner_json(learner)
    problem = read_problem(dict(_fit_frame(plan, groups, first_day), learners=[entry]))
    missed = {}
    for group in groups:
        days = []
        for slot in group.slots:
            for day, attendable, _why in occurrence_conflicts(
                    problem, entry["id"], group.venue.slug, Slot(parse_day(slot.day), parse_clock(clock_text(slot.start))),
                    group.course.session_minutes):
                if not attendable and day >= first_day:
                    days.append(day)
        missed[group.id] = sorted(days)
    return missed

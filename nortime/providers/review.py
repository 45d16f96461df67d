"""What the review page shows of a plan: week grids, teacher load, unplaced by reason, figures, differences."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..models import WEEKDAYS, Group, Plan

REASON_TITLES = {
    "no_course_at_level": _l("No course at their level"),
    "no_venue_in_reach": _l("No venue within their travel time"),
    "rota_conflict": _l("Their rota leaves too few sessions"),
    "group_full": _l("The groups that suit them are full"),
    "too_few_for_group": _l("Too few learners for a group that would suit them"),
    "no_teacher": _l("No teacher for a group that would suit them"),
    "locked_out": _l("Locked parts of the plan leave no room"),
}


def end_time(start: dt.time, minutes: int) -> dt.time:
    return (dt.datetime.combine(dt.date(2000, 1, 3), start) + dt.timedelta(minutes=minutes)).time()


@dataclass
class VenueWeek:
    """One venue's week: rows are start times, columns weekdays, cells the groups meeting then."""

    venue: object
    days: list[str]
    rows: list[tuple[dt.time, list[list[Group]]]]


def week_grids(plan: Plan) -> list[VenueWeek]:
    by_venue: dict[int, list[Group]] = defaultdict(list)
    for group in plan.groups:
        by_venue[group.venue_id].append(group)
    grids = []
    for groups in sorted(by_venue.values(), key=lambda gs: gs[0].venue.name):
        days = [day for day in WEEKDAYS if any(slot.day == day for g in groups for slot in g.slots)]
        starts = sorted({slot.start for g in groups for slot in g.slots})
        rows = [(start, [[g for g in groups for slot in g.slots if slot.day == day and slot.start == start]
                         for day in days]) for start in starts]
        grids.append(VenueWeek(groups[0].venue, days, rows))
    return grids


@dataclass
class TeacherLoad:
    teacher: object
    sessions_per_week: int
    groups: list[Group]

    @property
    def full(self) -> bool:
        return self.sessions_per_week >= self.teacher.max_sessions_per_week


def teacher_load(plan: Plan) -> list[TeacherLoad]:
    loads: dict[int, TeacherLoad] = {}
    for group in plan.groups:
        if group.teacher is None:
            continue
        load = loads.setdefault(group.teacher_id, TeacherLoad(group.teacher, 0, []))
        load.sessions_per_week += len(group.slots)
        load.groups.append(group)
    return sorted(loads.values(), key=lambda load: load.teacher.name)


def unplaced_by_reason(plan: Plan, describe) -> list[tuple[str, list[tuple[object, list[str]]]]]:
    """Unplaced learners grouped by their first reason code, each with the reasons in plain words."""
    groups: dict[str, list] = defaultdict(list)
    for unplaced in plan.unplaced:
        code = (unplaced.reasons or [{}])[0].get("code", "unknown")
        groups[code].append((unplaced.learner, describe(unplaced.reasons, unplaced.learner, plan)))
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


@dataclass(frozen=True)
class Figures:
    learners: int
    placed: int
    unplaced: int
    groups: int
    teachers: int
    mean_share: float | None


def figures(plan: Plan | None) -> Figures | None:
    if plan is None:
        return None
    shares = [p.attendable_share for g in plan.groups for p in g.placements if p.attendable_share is not None]
    placed = sum(len(g.placements) for g in plan.groups)
    return Figures(placed + len(plan.unplaced), placed, len(plan.unplaced), len(plan.groups),
                   len({g.teacher_id for g in plan.groups if g.teacher_id}),
                   sum(shares) / len(shares) if shares else None)


def _signature(group: Group) -> tuple:
    return (group.venue_id, group.teacher_id, tuple((s.day, s.start) for s in group.slots))


@dataclass
class Difference:
    """Who moves, who is added or removed, and whose times change, from `before` to `after`."""

    added: list = field(default_factory=list)       # (learner, group after)
    removed: list = field(default_factory=list)     # (learner, group before)
    moved: list = field(default_factory=list)       # (learner, group before, group after)
    retimed: list = field(default_factory=list)     # (learner, group before, group after): same group, new times/venue/teacher

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved or self.retimed)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.moved) + len(self.retimed)


def difference(before: Plan | None, after: Plan) -> Difference:
    old = {p.learner_id: (p.learner, g) for g in (before.groups if before else []) for p in g.placements}
    new = {p.learner_id: (p.learner, g) for g in after.groups for p in g.placements}
    diff = Difference()
    for learner_id, (learner, group) in sorted(new.items()):
        if learner_id not in old:
            diff.added.append((learner, group))
            continue
        was = old[learner_id][1]
        if was.key != group.key:
            diff.moved.append((learner, was, group))
        elif _signature(was) != _signature(group):
            diff.retimed.append((learner, was, group))
    for learner_id, (learner, group) in sorted(old.items()):
        if learner_id not in new:
            diff.removed.append((learner, group))
    return diff


def slot_suggestions(plan: Plan, limit: int = 5) -> list[dict]:
    """The optimizer's unused candidate slots that could suit the most unplaced learners (its `what_if`)."""
    solution = plan.solve_run.solution if plan.solve_run is not None and plan.solve_run.solution else {}
    return [entry for entry in solution.get("what_if") or [] if entry.get("learners")][:limit]

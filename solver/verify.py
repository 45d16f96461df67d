"""`verify(problem, solution)`: the hard rules a solution document breaks.

    from solver import verify
    for violation in verify(problem_document, solution_document):
        print(violation.rule, violation.message)

An empty list means every hard rule of `solver.rules.RULES` holds.  It never
raises on a malformed or hostile solution: unknown ids, wrong types, duplicate
placements and slots the problem does not list are violations like any other.
Only `groups` is required; the summary fields (`format`, `status`, `placed`,
`placed_bound`, `attendance`, `unplaced`, a group's `sessions`) are checked
when they are present, so a plan the web app assembles from its own tables
can be verified too.  A problem document that is itself invalid gives one
violation with the rule "problem".

The checks use the optimizer's own reading of the problem (`problem.py`), its
availability (`availability.py`) and its room bookkeeping (`timetable.py`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from solver.explain import REASON_CODES
from solver.options import build_options
from solver.problem import InvalidProblem, Problem, parse_clock, parse_day, read_problem
from solver.rules import (attendable_share, in_reach, pattern_faults, share_enough, slot_label,
                          teacher_clash)
from solver.solution import FORMAT
from solver.timetable import Group, Timetable

STATUSES = ("optimal", "feasible", "infeasible", "unknown", "invalid_input")
WITHOUT_TIMETABLE = ("infeasible", "unknown", "invalid_input")
ATTENDANCE_TOLERANCE = 0.0051   # the document rounds shares to three decimals


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: its code (`solver.rules.RULES`), a sentence, and whom it concerns."""

    rule: str
    message: str
    group: str | None = None
    learner: str | None = None

    def to_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message, "group": self.group, "learner": self.learner}


@dataclass
class _Group:
    """A group of the document, read as far as it could be: indexes into the problem, or None."""

    id: str | None
    label: str                 # how messages name it
    course: int | None = None
    venue: int | None = None
    slots: tuple[int, ...] | None = None
    teacher: int | None = None
    teacher_named: bool = False
    learners: list[str] | None = None   # known learner ids, in document order
    listed: int = -1                    # how many entries its learner list has (-1: no list)
    raw: Mapping | None = None


def verify(problem: Mapping, solution: object) -> list[Violation]:
    """Every hard rule `solution` breaks for `problem` (both JSON documents); [] when it keeps them all."""
    try:
        parsed = read_problem(problem)
    except InvalidProblem as error:
        return [Violation("problem", f"The problem document is not valid: {error}")]
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as error:
        return [Violation("problem", f"The problem document cannot be read: {error}")]
    return _Verifier(parsed).check(solution)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Verifier:
    def __init__(self, problem: Problem):
        self.problem = problem
        self.found: list[Violation] = []
        self.courses = {c.id: i for i, c in enumerate(problem.courses)}
        self.venues = {v.id: i for i, v in enumerate(problem.venues)}
        self.teachers = {t.id: i for i, t in enumerate(problem.teachers)}
        self.learners = {l.id: l for l in problem.learners}
        self.slots = {(s.day, s.start): i for i, s in enumerate(problem.slots)}

    def add(self, rule: str, message: str, group: str | None = None, learner: str | None = None) -> None:
        self.found.append(Violation(rule, message, group, learner))

    # -- reading --------------------------------------------------------------
    def check(self, solution: object) -> list[Violation]:
        if not isinstance(solution, Mapping):
            self.add("format", f"The solution must be a JSON object, not {type(solution).__name__}.")
            return self.found
        if "format" in solution and solution["format"] != FORMAT:
            self.add("format", f"The solution's format is {_short(solution['format'])}, not {FORMAT}.")
        status = solution.get("status")
        if "status" in solution and status not in STATUSES:
            self.add("format", f"The status {_short(status)} is none of {', '.join(STATUSES)}.")
        raw_groups = solution.get("groups", [])
        if not isinstance(raw_groups, list):
            self.add("format", "The solution's groups must be a list.")
            return self.found
        if status in WITHOUT_TIMETABLE:
            if raw_groups:
                self.add("format", f"A solution with status {status} has no timetable, but it lists groups.")
            return self.found
        groups = [self._read_group(i, raw) for i, raw in enumerate(raw_groups)]
        groups = [g for g in groups if g is not None]
        self._check_memberships(groups)
        options = self._options(groups)
        index = {l.id: i for i, l in enumerate(options.problem.learners)}
        for g in groups:
            self._check_group(options, index, g)
        self._check_rooms(options, groups)
        self._check_teachers(options, groups)
        self._check_locks(groups)
        self._check_figures(options, index, solution, groups)
        return self.found

    def _read_group(self, position: int, raw: object) -> _Group | None:
        if not isinstance(raw, Mapping):
            self.add("format", f"Group number {position + 1} is not a JSON object.")
            return None
        gid = _text(raw.get("id"))
        label = gid if gid is not None else f"number {position + 1}"
        if gid is None or not gid.strip():
            self.add("format", f"Group {label} has no id; every group needs a text id.")
        g = _Group(gid, label, raw=raw, learners=[])
        course, venue = raw.get("course"), raw.get("venue")
        g.course = self.courses.get(course) if isinstance(course, str) else None
        if g.course is None:
            self.add("unknown_id", f"Group {label} names the course {_short(course)}, which the problem does "
                                   "not have.", gid)
        g.venue = self.venues.get(venue) if isinstance(venue, str) else None
        if g.venue is None:
            self.add("unknown_id", f"Group {label} names the venue {_short(venue)}, which the problem does "
                                   "not have.", gid)
        teacher = raw.get("teacher")
        if teacher is None:
            self.add("teacher", f"Group {label} has no teacher.", gid)
        else:
            g.teacher_named = True
            g.teacher = self.teachers.get(teacher) if isinstance(teacher, str) else None
            if g.teacher is None:
                self.add("unknown_id", f"Group {label} names the teacher {_short(teacher)}, who is not in the "
                                       "problem.", gid)
        g.slots = self._read_slots(g, raw.get("slots"))
        learners = raw.get("learners")
        if not isinstance(learners, list):
            self.add("format", f"Group {label} must list its learners (a list of ids).", gid)
        else:
            g.listed = len(learners)
            for lid in learners:
                if isinstance(lid, str) and lid in self.learners:
                    g.learners.append(lid)
                else:
                    self.add("unknown_id", f"Group {label} lists the learner {_short(lid)}, who is not in the "
                                           "problem.", gid, _text(lid))
        return g

    def _read_slots(self, g: _Group, raw: object) -> tuple[int, ...] | None:
        if not isinstance(raw, list):
            self.add("format", f"Group {g.label} must list its slots.", g.id)
            return None
        slots = []
        for item in raw:
            try:
                key = (parse_day(item["day"]), parse_clock(item["start"]))
            except (TypeError, KeyError, ValueError, IndexError):
                self.add("format", f"Group {g.label} has the slot {_short(item)}; a slot is "
                                   '{"day": "mon".."sun", "start": "HH:MM"}.', g.id)
                return None
            if key not in self.slots:
                self.add("unknown_id", f"Group {g.label} meets on {_short(item.get('day'))} at "
                                       f"{_short(item.get('start'))}, which is not one of the problem's slots.", g.id)
                return None
            slots.append(self.slots[key])
        return tuple(slots)

    def _options(self, groups: list[_Group]):
        """The solver's index arrays for the problem, with only the learners the groups hold."""
        named = {lid for g in groups for lid in g.learners}
        learners = tuple(l for l in self.problem.learners if l.id in named)
        return build_options(replace(self.problem, learners=learners))

    # -- rules ------------------------------------------------------------------
    def _check_memberships(self, groups: list[_Group]) -> None:
        seen_group: set[str] = set()
        where: dict[str, str] = {}
        for g in groups:
            if g.id is not None:
                if g.id in seen_group:
                    self.add("format", f"The group id {g.id} is used twice; every group needs its own id.", g.id)
                seen_group.add(g.id)
            for lid in g.learners:
                if lid in where:
                    other = "this group" if where[lid] == g.label else f"group {where[lid]}"
                    self.add("one_group", f"Learner {lid} is in group {g.label} and also in {other}.", g.id, lid)
                else:
                    where[lid] = g.label

    def _check_group(self, options, index: dict[str, int], g: _Group) -> None:
        problem = self.problem
        known = g.course is not None and g.venue is not None
        if known and g.slots is not None:
            for fault in pattern_faults(options, g.course, g.venue, g.slots):
                self.add("pattern", f"Group {g.label} breaks its weekly pattern: {fault}.", g.id)
        if g.course is None:
            return
        course = problem.courses[g.course]
        size = len(g.learners)
        most = problem.max_group(g.course, g.venue)
        if g.listed >= 0 and not course.min_group <= size <= most:
            where = (f"; its room at {problem.venues[g.venue].id} seats {most}" if most < course.max_group
                     else "")
            self.add("group_size", f"Group {g.label} has {size} learners; course {course.id} takes "
                                   f"{course.min_group} to {course.max_group}{where}.", g.id)
        if g.teacher is not None:
            teacher = problem.teachers[g.teacher]
            if course.level not in teacher.levels:
                self.add("teacher", f"Teacher {teacher.id} of group {g.label} does not teach level "
                                    f"{course.level}.", g.id)
            elif g.slots is not None:
                for s in g.slots:
                    if not options.teacher_slots[g.teacher, g.course, s]:
                        self.add("teacher", f"Teacher {teacher.id} is not available for group {g.label}'s "
                                            f"session on {slot_label(options, s)}.", g.id)
        for lid in dict.fromkeys(g.learners):
            learner, l = self.learners[lid], index[lid]
            if learner.level != course.level:
                self.add("level", f"Learner {lid} (level {learner.level}) is in group {g.label} of level "
                                  f"{course.level}.", g.id, lid)
            if g.venue is None:
                continue
            if not in_reach(options, l, g.venue):
                self.add("travel", f"Learner {lid} lives {int(options.learner_travel[l, g.venue])} minutes from "
                                   f"{problem.venues[g.venue].id}, more than their {learner.max_travel_minutes}.",
                         g.id, lid)
            if g.slots:
                share = attendable_share(options, l, g.course, g.venue, g.slots)
                if not share_enough(options, g.course, share):
                    self.add("attendable_share", f"Learner {lid} can attend only {share:.0%} of group {g.label}'s "
                                                 f"sessions; course {course.id} needs {course.min_attendance:.0%}.",
                             g.id, lid)

    def _check_rooms(self, options, groups: list[_Group]) -> None:
        table = Timetable(options)
        for g in groups:
            if g.course is None or g.venue is None or not g.slots:
                continue
            if not table.room_free(g.course, g.venue, g.slots):
                free = table._room_slots(g.venue, options.minutes(g.course))
                taken = " and ".join(slot_label(options, s) for s in g.slots if not free[s])
                venue = self.problem.venues[g.venue]
                self.add("room", f"Group {g.label} meets at {venue.id} on {taken} when all {venue.rooms} "
                                 f"room(s) there are taken by other groups.", g.id)
            table.add(Group(g.course, g.venue, g.slots, None))

    def _check_teachers(self, options, groups: list[_Group]) -> None:
        by_teacher: dict[int, list[_Group]] = {}
        for g in groups:
            if g.teacher is not None and g.course is not None and g.venue is not None and g.slots:
                by_teacher.setdefault(g.teacher, []).append(g)
        for t, mine in by_teacher.items():
            teacher = self.problem.teachers[t]
            load = sum(len(g.slots) for g in mine)
            if load > teacher.max_sessions_per_week:
                self.add("teacher", f"Teacher {teacher.id} has {load} sessions a week, more than their "
                                    f"{teacher.max_sessions_per_week}.", mine[-1].id)
            for a, b in itertools.combinations(mine, 2):
                clash = teacher_clash(options, a, b)
                if clash is None:
                    continue
                kind, s1, s2 = clash
                if kind == "teacher":
                    self.add("teacher", f"Teacher {teacher.id} would teach groups {a.label} and {b.label} at the "
                                        f"same time on {slot_label(options, s1)}.", b.id)
                else:
                    self.add("travel", f"Teacher {teacher.id} cannot drive from group {a.label}'s session on "
                                       f"{slot_label(options, s1)} to group {b.label}'s on "
                                       f"{slot_label(options, s2)} in time.", b.id)

    def _check_locks(self, groups: list[_Group]) -> None:
        by_id = {g.id: g for g in groups if g.id is not None}
        for old in self.problem.current_groups:
            if not old.locked:
                continue
            new = by_id.get(old.id)
            if new is None:
                self.add("lock", f"The locked group {old.id} is missing.", old.id)
                continue
            slots = None if new.slots is None else sorted(
                (self.problem.slots[s].day, self.problem.slots[s].start) for s in new.slots)
            same = (new.course is not None and self.problem.courses[new.course].id == old.course
                    and new.venue is not None and self.problem.venues[new.venue].id == old.venue
                    and (self.problem.teachers[new.teacher].id if new.teacher is not None else None) == old.teacher
                    and (new.teacher is not None or not new.teacher_named)
                    and slots == sorted((s.day, s.start) for s in old.slots)
                    and sorted(new.learners) == sorted(old.learners)
                    and len(new.learners) == new.listed)
            if not same:
                self.add("lock", f"The locked group {old.id} is not kept exactly as published.", old.id)
        now = {}
        for g in groups:
            for lid in g.learners:
                now.setdefault(lid, g.id)
        before = {lid: g.id for g in self.problem.current_groups for lid in g.learners}
        for lid in sorted(self.problem.locked_learners):
            if now.get(lid) != before.get(lid):
                was = f"group {before[lid]}" if lid in before else "no group"
                self.add("lock", f"The locked learner {lid} must stay in {was}.", now.get(lid), lid)

    def _check_figures(self, options, index: dict[str, int], solution: Mapping, groups: list[_Group]) -> None:
        problem = self.problem
        total = options.availability.total
        for g in groups:
            if "sessions" in g.raw and g.slots is not None:
                expected = int(total[list(g.slots)].sum())
                if g.raw["sessions"] != expected or isinstance(g.raw["sessions"], bool):
                    self.add("figures", f"Group {g.label} says {_short(g.raw['sessions'])} sessions; the term "
                                        f"has {expected} at its slots.", g.id)
        placed_in = {}
        for g in groups:
            for lid in g.learners:
                placed_in.setdefault(lid, g)
        value = sum(self.learners[lid].priority for lid in placed_in)
        placed = solution.get("placed", value)
        if not _number(placed) or placed != value:
            self.add("figures", f"The solution says {_short(placed)} placed; its groups place {value}.")
        bound = solution.get("placed_bound")
        if "placed_bound" in solution:
            if not _number(bound) or bound < value:
                self.add("figures", f"The placed_bound {_short(bound)} is below the {value} placed.")
            elif solution.get("status") == "optimal" and bound != value:
                self.add("figures", f"The status is optimal but placed_bound {bound} differs from the "
                                    f"{value} placed.")
        attendance = solution.get("attendance")
        if "attendance" in solution:
            if not isinstance(attendance, Mapping):
                self.add("format", "The solution's attendance must be an object of learner ids.")
            else:
                for lid in sorted(set(attendance) - set(placed_in), key=str):
                    self.add("figures", f"The attendance lists {_short(lid)}, who is in no group.", None, _text(lid))
                for lid, g in placed_in.items():
                    reported = attendance.get(lid)
                    if g.course is None or g.venue is None or not g.slots:
                        continue
                    share = attendable_share(options, index[lid], g.course, g.venue, g.slots)
                    if not _number(reported) or abs(reported - share) > ATTENDANCE_TOLERANCE:
                        self.add("figures", f"The attendance of learner {lid} is given as {_short(reported)}; "
                                            f"it is {share:.3f} in group {g.label}.", g.id, lid)
        unplaced = solution.get("unplaced")
        if "unplaced" in solution:
            if not isinstance(unplaced, list) or not all(isinstance(u, Mapping) for u in unplaced):
                self.add("format", "The solution's unplaced must be a list of objects.")
                return
            listed = [u.get("learner") for u in unplaced]
            missing = set(self.learners) - set(placed_in) - {lid for lid in listed if isinstance(lid, str)}
            for lid in sorted(missing):
                self.add("figures", f"Learner {lid} is in no group and missing from unplaced.", None, lid)
            for u, lid in zip(unplaced, listed):
                if not isinstance(lid, str) or lid not in self.learners:
                    self.add("unknown_id", f"The unplaced list names {_short(lid)}, who is not in the problem.",
                             None, _text(lid))
                    continue
                if lid in placed_in:
                    self.add("figures", f"Learner {lid} is listed as unplaced but is in group "
                                        f"{placed_in[lid].label}.", placed_in[lid].id, lid)
                reasons = u.get("reasons")
                if (not isinstance(reasons, list) or not reasons
                        or not all(isinstance(r, Mapping) and r.get("code") in REASON_CODES for r in reasons)):
                    self.add("figures", f"Learner {lid} is unplaced without a reason of a known kind.", None, lid)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

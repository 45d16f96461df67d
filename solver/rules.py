"""The hard rules of a timetable, stated once (spec: solver/README.md).

Every timetable the optimizer writes keeps all of them; `solver.verify` checks
a solution document against them and names each one broken by its `code`.
The models state the same rules as constraints (`model.py`, `patterns.py`),
the quick timetables as checks (`timetable.Timetable.room_free` and
`teacher_can`, `teachers.py`), and the explanations give them as reasons
(`explain.py`); the docstrings there cite these codes.

The codes are stable: the web app shows, translates and stores them.

The predicates below work in the solver's index space (`options.Options`):
course, venue, teacher, learner and slot indexes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from solver.options import EPSILON, Options


@dataclass(frozen=True)
class Rule:
    code: str
    statement: str


RULES: tuple[Rule, ...] = (
    Rule("problem", "The problem document itself is valid (solver/README.md); nothing else can be checked "
                    "without it."),
    Rule("format", "A solution is a JSON object in the format nortime.solution/1 whose groups are objects with "
                   "their own ids; a solution without a timetable (status infeasible, unknown or "
                   "invalid_input) has no groups."),
    Rule("unknown_id", "Every course, venue, teacher, learner and slot a group names is one of the problem's."),
    Rule("pattern", "A group meets `sessions_per_week` times a week, on different weekdays, at candidate "
                    "slots, at a venue its course allows, and every session lies inside one of the venue's "
                    "opening windows."),
    Rule("room", "At no instant does a venue hold more sessions than it has rooms."),
    Rule("teacher", "Every group has one teacher who teaches its level and is available for each of its "
                    "sessions; a teacher never has two sessions at once nor more than "
                    "`max_sessions_per_week`."),
    Rule("travel", "A learner's venue is within their `max_travel_minutes` of home, and a teacher's sessions "
                   "on one day leave at least the driving minutes between their venues."),
    Rule("level", "A learner joins only a group of a course at their level."),
    Rule("group_size", "A group has from `min_group` to `max_group` learners, and no more than its venue's "
                       "`seats`."),
    Rule("attendable_share", "A learner joins only a group whose sessions they can attend at least "
                             "`min_attendance` of (buffer and driving included, see availability.py)."),
    Rule("one_group", "A learner is in at most one group."),
    Rule("lock", "A locked group of `current` stays exactly as published (course, venue, teacher, slots, "
                 "learners); a locked learner stays in the group of `current` that holds them, or without one."),
    Rule("figures", "The document's own figures agree with its groups: each group's `sessions`, `placed`, "
                    "`placed_bound` (at least `placed`, equal when optimal), `attendance` and `unplaced`."),
)

RULE = {rule.code: rule for rule in RULES}


def slot_label(options: Options, slot: int) -> str:
    return options.problem.slots[slot].label


def pattern_faults(options: Options, course: int, venue: int, slots: tuple[int, ...]) -> list[str]:
    """Why a group of `course` at `venue` may not meet at `slots` (rule "pattern"), in words."""
    problem = options.problem
    c, v = problem.courses[course], problem.venues[venue]
    faults = []
    if v.id not in c.venues:
        faults.append(f"course {c.id} is not taught at venue {v.id}")
    if len(slots) != c.sessions_per_week:
        faults.append(f"it meets {len(slots)} times a week; course {c.id} meets {c.sessions_per_week} times")
    days = [int(options.slot_day[s]) for s in slots]
    if len(set(days)) != len(days):
        faults.append("it meets twice on one weekday")
    for s in slots:
        if not any(w.contains(int(options.slot_day[s]), int(options.slot_start[s]), c.session_minutes)
                   for w in v.open):
            faults.append(f"its {c.session_minutes}-minute session on {slot_label(options, s)} is not inside "
                          f"the opening hours of {v.id}")
    return faults


def teacher_clash(options: Options, a, b) -> tuple[str, int, int] | None:
    """How two groups (course, venue, slots) clash for one teacher: ("teacher" or "travel", slot, slot).

    "teacher": two sessions overlap; "travel": they do not, but leave too little time
    to drive between the venues.  None when one teacher may take both.
    (`Timetable._free_sessions` asks the same for many slots at once.)
    """
    drive = int(options.venue_travel[a.venue, b.venue])
    for s1, s2 in itertools.product(a.slots, b.slots):
        if options.slot_day[s1] != options.slot_day[s2]:
            continue
        start1, start2 = int(options.slot_start[s1]), int(options.slot_start[s2])
        end1, end2 = start1 + options.minutes(a.course), start2 + options.minutes(b.course)
        if not (end1 <= start2 or end2 <= start1):
            return "teacher", s1, s2
        if not (end1 + drive <= start2 or end2 + drive <= start1):
            return "travel", s1, s2
    return None


def attendable_share(options: Options, learner: int, course: int, venue: int, slots) -> float:
    """The share of a group's occurrences the learner can attend (availability.py)."""
    return options.availability.share(learner, venue, options.minutes(course), list(slots))


def share_enough(options: Options, course: int, share: float) -> bool:
    """Rule "attendable_share": equality with `min_attendance` is enough."""
    return share + EPSILON >= options.problem.courses[course].min_attendance


def in_reach(options: Options, learner: int, venue: int) -> bool:
    """Rule "travel" for a learner: the venue is within their `max_travel_minutes`."""
    return int(options.learner_travel[learner, venue]) <= options.problem.learners[learner].max_travel_minutes

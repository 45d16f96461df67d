"""How far a timetable strays from `current` (tier 2), counted on the real timetable.

The models count tier 2 on their own variables, and a model that knows only a
relaxation of the teacher rules (`model.TimetableModel._teacher_capacity`) may
find placements that no teacher assignment can keep.  Every candidate answer
of a re-solve (the published timetable kept and filled, CP-SAT's repaired
solutions, the settled lower tiers) is therefore compared here, on what would
be published: more placements first, then fewer changes (`stability_key`).
"""

from __future__ import annotations

from solver.config import Weights
from solver.timetable import Timetable


def changes(table: Timetable, weights: Weights) -> int:
    """Tier 2 of `table`: learners of `current` moved or left out, groups of `current` closed or changed.

    The same count as the solution's `changes` section (`solution._changes`).
    """
    options = table.options
    problem = options.problem
    now = {g.id: g for g in table.groups if g.id is not None}
    moved = closed = 0
    for old in problem.current_groups:
        for key in old.learners:
            l = options.learner_index.get(key)
            group = table.group_of.get(l) if l is not None else None
            if group is None or group.id != old.id:
                moved += 1
        new = now.get(old.id)
        if new is None:
            closed += 1
            continue
        slots = sorted((problem.slots[s].day, problem.slots[s].start) for s in new.slots)
        teacher = problem.teachers[new.teacher].id if new.teacher is not None else None
        if (slots != sorted((s.day, s.start) for s in old.slots) or problem.venues[new.venue].id != old.venue
                or teacher != old.teacher):
            closed += 1
    return weights.change_learner * moved + weights.change_group * closed


def stability_key(table: Timetable, weights: Weights) -> tuple[int, int]:
    """Order of re-solve answers: more placed (tier 1) first, then fewer changes (tier 2)."""
    return table.placed_value(), -changes(table, weights)

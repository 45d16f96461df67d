"""Teacher assignment for a timetable whose groups, slots and learners are chosen.

The main model keeps only a relaxation of the teacher rules (see
`model.TimetableModel._teacher_capacity`) for large problems; this small CP-SAT model gives every
group one qualified, available teacher with no overlapping or too-close
sessions and within each teacher's weekly maximum.  In order: keep as many
placements as possible (a group left without a teacher is closed), keep the
teacher a group had in `current`, drive less.
"""

from __future__ import annotations

import itertools

from ortools.sat.python import cp_model

from solver.rules import teacher_clash
from solver.timetable import Group, Timetable


def _clash(options, a, b) -> bool:
    """One teacher may not take both groups (rules "teacher" and "travel")."""
    return teacher_clash(options, a, b) is not None


def _greedy_hint(table: Timetable) -> list[int | None]:
    """Per group, its teacher, or for groups without one a free teacher (fewest choices first).

    A complete hint lets CP-SAT start from a full assignment: the search alone may find
    none in its short time and close groups the model opened (bench/NOTES.md).
    """
    options = table.options
    scratch = Timetable(options, [Group(g.course, g.venue, g.slots, g.teacher) for g in table.groups
                                  if g.teacher is not None])
    hint = [g.teacher for g in table.groups]
    teachers = range(len(options.problem.teachers))
    waiting = [gi for gi, g in enumerate(table.groups) if g.teacher is None]
    waiting.sort(key=lambda gi: sum(all(options.teacher_slots[t, table.groups[gi].course, s]
                                        for s in table.groups[gi].slots) for t in teachers))
    for gi in waiting:
        g = table.groups[gi]
        free = scratch.free_teachers(g.course, g.venue, g.slots)
        if free:
            hint[gi] = free[0]
            scratch.add(Group(g.course, g.venue, g.slots, free[0]))
    return hint


def assign_teachers(table: Timetable, time_limit: float = 10.0, workers: int = 8, seed: int = 0) -> Timetable:
    """Give every group of `table` a teacher (in place); groups that cannot have one are removed.

    A group that already has a teacher keeps them only as a preference.  Locked
    groups keep their teacher; if that breaks a rule the result has no teacher
    for them (the caller reports the problem as infeasible).
    """
    options = table.options
    problem = options.problem
    groups = list(table.groups)
    if not groups:
        return table
    hint = _greedy_hint(table)
    model = cp_model.CpModel()
    t = {}
    for gi, g in enumerate(groups):
        for teacher in range(len(problem.teachers)):
            if all(options.teacher_slots[teacher, g.course, s] for s in g.slots):
                if g.locked and g.teacher is not None and teacher != g.teacher:
                    continue
                t[gi, teacher] = model.new_bool_var(f"t[{gi},{teacher}]")
    keep = []
    for gi, g in enumerate(groups):
        mine = [var for (i, _), var in t.items() if i == gi]
        kept = model.new_bool_var(f"keep[{gi}]")
        model.add(sum(mine) == kept)
        keep.append(kept)
    by_teacher: dict[int, list[int]] = {}
    for gi, teacher in t:
        by_teacher.setdefault(teacher, []).append(gi)
    for teacher, mine in by_teacher.items():
        model.add(sum(len(groups[gi].slots) * t[gi, teacher] for gi in mine)
                  <= problem.teachers[teacher].max_sessions_per_week)
        for a, b in itertools.combinations(mine, 2):
            if _clash(options, groups[a], groups[b]):
                model.add(t[a, teacher] + t[b, teacher] <= 1)
    value = [sum(problem.learners[l].priority for l in g.learners) for g in groups]
    drive = sum(int(options.teacher_travel[teacher, groups[gi].venue]) * var for (gi, teacher), var in t.items())
    changed = sum(1 - var for (gi, teacher), var in t.items() if groups[gi].teacher == teacher)
    max_drive = sum(int(options.teacher_travel[:, g.venue].max()) for g in groups) + 1
    weight_change = max_drive
    weight_keep = (len(groups) + 1) * weight_change
    model.maximize(weight_keep * sum(v * k for v, k in zip(value, keep)) - weight_change * changed - drive)
    for (gi, teacher), var in t.items():
        model.add_hint(var, int(hint[gi] == teacher))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for g in groups:
            g.teacher = None
        table.forget()
        return table
    for gi, g in enumerate(groups):
        g.teacher = next((teacher for (i, teacher), var in t.items() if i == gi and solver.value(var)), None)
        if g.teacher is None and not g.locked:
            table.remove(g)
    table.forget()   # teachers changed in place
    return table

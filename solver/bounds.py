"""A capacity bound on placements: seats the rooms and teachers can offer, as an LP.

Variables: `N[o, p]` >= 0 groups of offer o at weekly pattern p (every pattern
that min_group learners could attend and teachers could teach), and `z[o]`
learners seated at offer o.  Rooms: at every session start instant no more
sessions than rooms.  Teachers: for every set of levels, sessions per week
within what the teachers of those levels may teach, and at every instant no
more sessions than teachers available for one of them.  Learners: z[o] at most
max_group * sum_p N[o, p] and at most the learners who could attend some
pattern there; per level, sum_o z[o] at most the learners of that level.

Every timetable satisfies these, so the LP optimum bounds the number of
learners placed; with priorities, each placed learner of priority p counts p,
so the priority-weighted bound adds the largest priorities that fit.
"""

from __future__ import annotations

import math

import numpy as np
from ortools.linear_solver import pywraplp

from solver.options import Options


def capacity_bound(options: Options, blocked: set[int]) -> int | None:
    """An upper bound on the tier-1 value (None when the LP cannot be solved)."""
    problem = options.problem
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    viable = np.zeros(len(problem.learners), dtype=bool)
    sessions = []          # (offer, slot, day, start, end, var)
    z_of_level: dict[str, list] = {}
    for i, offer in enumerate(options.offers):
        if not len(offer.patterns):
            continue
        course = problem.courses[offer.course]
        able = offer.suits.any(axis=1) & ~np.isin(offer.learners, list(blocked))
        viable[offer.learners[able]] = True
        taught = options.teacher_slots[:, offer.course][:, offer.patterns].any(axis=0).all(axis=1)
        live = np.flatnonzero(offer.suits.any(axis=0) & taught)
        if not len(live) or not able.any():
            continue
        groups = [solver.NumVar(0, problem.venues[offer.venue].rooms, "") for _ in live]
        z = solver.NumVar(0, float(able.sum()), "")
        row = solver.Constraint(-solver.infinity(), 0)
        row.SetCoefficient(z, 1)
        for var in groups:
            row.SetCoefficient(var, -course.max_group)
        z_of_level.setdefault(course.level, []).append(z)
        minutes = course.session_minutes
        for p, var in zip(live, groups):
            for s in offer.patterns[p]:
                start = int(options.slot_start[s])
                sessions.append((offer, int(s), int(options.slot_day[s]), start, start + minutes, var))
    if not sessions:
        return 0
    levels = np.array([l.level for l in problem.learners], dtype=object)
    for level, zs in z_of_level.items():
        _at_most(solver, zs, int((viable & (levels == level)).sum()))
    by_venue: dict[int, list] = {}
    for item in sessions:
        by_venue.setdefault(item[0].venue, []).append(item)
    for v, items in by_venue.items():
        for day_items in _by_day(items).values():
            for instant in {it[3] for it in day_items}:
                running = [it[5] for it in day_items if it[3] <= instant < it[4]]
                _at_most(solver, running, problem.venues[v].rooms)
    all_levels = sorted({c.level for c in problem.courses})
    subsets = [{all_levels[i] for i in range(len(all_levels)) if mask >> i & 1}
               for mask in range(1, 1 << len(all_levels))] if len(all_levels) <= 6 else \
        [{level} for level in all_levels] + [set(all_levels)]
    teachers = problem.teachers
    for wanted in subsets:
        mine = [it for it in sessions if problem.courses[it[0].course].level in wanted]
        if not mine:
            continue
        _at_most(solver, [it[5] for it in mine], sum(t.max_sessions_per_week for t in teachers if t.levels & wanted))
        for day_items in _by_day(mine).values():
            for instant in {it[3] for it in day_items}:
                running = [it for it in day_items if it[3] <= instant < it[4]]
                kinds = {(it[0].course, it[1]) for it in running}
                able = int(np.any([options.teacher_slots[:, c, s] for c, s in kinds], axis=0).sum())
                _at_most(solver, [it[5] for it in running], able)
    objective = solver.Objective()
    for z in (z for zs in z_of_level.values() for z in zs):
        objective.SetCoefficient(z, 1)
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    seats = math.floor(solver.Objective().Value() + 1e-6)
    priorities = sorted((l.priority for i, l in enumerate(problem.learners) if viable[i]), reverse=True)
    return int(sum(priorities[:seats]))


def _by_day(items: list) -> dict[int, list]:
    days: dict[int, list] = {}
    for it in items:
        days.setdefault(it[2], []).append(it)
    return days


def _at_most(solver, variables: list, bound: float) -> None:
    row = solver.Constraint(-solver.infinity(), bound)
    for var in variables:
        row.SetCoefficient(var, 1)

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
import time
from dataclasses import dataclass, replace

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from solver.config import DEFAULT, SolverConfig
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
            row.SetCoefficient(var, -options.max_group(offer.course, offer.venue))
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


def usable_venues(options: Options, blocked: set[int]) -> list[set[int]]:
    """Per learner, the venues with a pattern that suits them and that one teacher could teach.

    A pattern needs one teacher available at all of its slots (one teacher per group);
    blocked learners get no venue.
    """
    venues: list[set[int]] = [set() for _ in options.problem.learners]
    for offer in options.offers:
        if not len(offer.patterns):
            continue
        live = _taught(options, offer)
        able = (offer.suits & live[None, :]).any(axis=1)
        for l in offer.learners[able]:
            if int(l) not in blocked:
                venues[int(l)].add(offer.venue)
    return venues


def _taught(options: Options, offer) -> np.ndarray:
    """bool [P]: some single teacher is qualified and available at every slot of the pattern."""
    return options.teacher_slots[:, offer.course][:, offer.patterns].all(axis=2).any(axis=0)




def able_teachers(options: Options, learner: int) -> set[int]:
    """Teachers who could take some group that suits the learner (qualified and free at all its slots)."""
    able: set[int] = set()
    for i in options.offers_of_learner[learner]:
        offer = options.offers[i]
        patterns = offer.patterns[offer.suits[offer.row_of[learner]]]
        if len(patterns):
            taught = options.teacher_slots[:, offer.course][:, patterns].all(axis=2).any(axis=1)
            able |= set(np.flatnonzero(taught).tolist())
    return able


def captive_bound(options: Options, blocked: set[int], time_limit: float, workers: int,
                  seed: int = 0, config: SolverConfig = DEFAULT) -> tuple[int, dict[int, tuple[list[int], int]], dict]:
    """An upper bound on tier 1 that knows the rooms of venues some learners can reach alone.

    Every learner with a usable venue counts its priority, except that the learners
    whose only usable venue is v ("captive" to v) count together at most what a small
    CP-SAT relaxation of venue v alone can seat of them: groups of offers at v per
    weekly pattern with at most max_group of them each, the rooms and the teachers
    available at every instant, and the teachers' weekly sessions (min_group, driving
    and the other learners are left out, which only loosens it).  With time to spare
    the captive venues are then modelled together (`_cluster_model_bound`), joined by
    the learners whom only one teacher could teach: they compete with the captive
    venues for that teacher's week.  Returns the bound and, per venue (or cluster)
    whose counted learners cannot all be seated, (those learners, their proven most) -
    a valid redundant constraint for the main model - and, when the joint model ran,
    {"cluster": its venues, "groups": its solution's groups} (whole-problem indexes), a
    seed for the start timetable.  Only valid without `current` groups (theirs may use
    non-candidate slots).
    """
    problem = options.problem
    venues = usable_venues(options, blocked)
    total = sum(problem.learners[l].priority for l, vs in enumerate(venues) if vs)
    captive: dict[int, list[int]] = {}
    for l, vs in enumerate(venues):
        if len(vs) == 1:
            captive.setdefault(next(iter(vs)), []).append(l)
    limits: dict = {}
    deadline = time.monotonic() + time_limit
    # Smallest captive populations first: they are quick, and the largest gets the time left
    # (a run cut short still gives a valid bound).
    for v, learners in sorted(captive.items(), key=lambda item: len(item[1])):
        if len(learners) < config.min_captive:
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            break
        value = sum(problem.learners[l].priority for l in learners)
        most = _venue_relaxation(options, v, learners, remaining, workers, seed)
        if most is not None and most < value:
            total -= value - most
            limits[v] = (learners, most)
    # With time to spare, the captive venues together in the exact slot model: it knows
    # min_group, each teacher's week and the driving between them, and the competition
    # for scarce teachers (a teacher wanted at two captive venues and inland), which the
    # single venues' relaxations leave out (bench/NOTES.md, "Captive venues").
    cluster = {v for v, learners in captive.items() if len(learners) >= config.min_captive}
    remaining = deadline - time.monotonic()
    cluster_seed: dict = {}
    reaching = sum(1 for vs in venues if vs & cluster)
    if len(cluster) >= 2 and remaining >= config.cluster_min_seconds and reaching <= config.cluster_max_learners:
        inside = [l for l, vs in enumerate(venues) if vs and vs <= cluster]
        extra = [l for l, vs in enumerate(venues) if vs and not vs <= cluster
                 and len(able_teachers(options, l)) <= config.teacher_captive]
        if reaching + sum(1 for l in extra if not venues[l] & cluster) <= config.cluster_max_learners:
            counted = inside + extra
            value = sum(problem.learners[l].priority for l in counted)
            singles = sum(value_v - most_v for value_v, most_v in
                          ((sum(problem.learners[l].priority for l in limits[v][0]), limits[v][1])
                           for v in cluster if v in limits))
            most, groups = _cluster_model_bound(options, cluster, inside, venues, remaining, workers, seed,
                                                extra, [limits[v] for v in cluster if v in limits], config)
            cluster_seed = {"cluster": cluster, "groups": groups}
            if most is not None and value - most > singles:
                total += singles - (value - most)
                limits[tuple(sorted(cluster))] = (counted, most)
    return total, limits, cluster_seed


@dataclass
class ClusterModel:
    """The slot model of a cluster of venues (`cluster_model`) and the maps back to the whole problem."""

    model: object               # a model.TimetableModel
    venue_of: list[int]         # model venue -> problem venue
    learner_of: list[int]       # model learner -> problem learner
    course_of: list[int]        # model course -> problem course (copies for `extra` learners follow the problem's)


def cluster_model(options: Options, cluster: set[int], counted: list[int], fillers: list[int],
                  exact_teachers: bool | None = None, extra: list[int] = (),
                  config: SolverConfig = DEFAULT) -> ClusterModel:
    """The slot model (`model.py`) of the problem cut down to the venues of `cluster`.

    Learners in `counted` count; `fillers` may fill groups but do not count: the model
    keeps them in classes of their own, marked `counted=False`, which `counted_seats`
    leaves out of the objective.  `extra` learners (also in `counted`) bring their venues outside the
    cluster in, for them alone: only the slots of the patterns that suit them, only
    the teachers who could teach them, and min_group 1 (the other members of their
    groups there are left out), which keeps the model a relaxation of the problem for
    the counted learners.  Those venues get copies of the courses (min_group 1, only
    the outside venues), listed after the problem's own and mapped back by `course_of`.
    """
    from solver.model import TimetableModel
    from solver.options import build_options
    from solver.problem import Window
    from solver.timetable import Timetable

    problem = options.problem
    ids = {problem.venues[v].id for v in cluster}
    # Venues outside the cluster: the slots and courses of the patterns that suit an extra learner.
    slots_at: dict[int, set[int]] = {}
    courses_at: dict[int, set[int]] = {}
    teachers: set[int] = set()
    for l in extra:
        teachers |= able_teachers(options, l)
        for i in options.offers_of_learner[l]:
            offer = options.offers[i]
            row = offer.suits[offer.row_of[l]]
            if offer.venue not in cluster and row.any():
                slots_at.setdefault(offer.venue, set()).update(offer.patterns[row].ravel().tolist())
                courses_at.setdefault(offer.venue, set()).add(offer.course)
    outside = sorted(slots_at)
    venues = [problem.venues[v] for v in sorted(cluster)]
    for v in outside:
        minutes = max(problem.courses[c].session_minutes for c in courses_at[v])
        windows = tuple(Window(frozenset({problem.slots[s].day}), problem.slots[s].start,
                               problem.slots[s].start + minutes) for s in sorted(slots_at[v]))
        venues.append(replace(problem.venues[v], open=windows))
    courses = [replace(c, venues=tuple(v for v in c.venues if v in ids)) for c in problem.courses]
    course_of = list(range(len(courses)))
    for c, course in enumerate(problem.courses):
        here = tuple(problem.venues[v].id for v in outside if c in courses_at[v])
        if here:
            # Its own id (ids are unique in a problem); only `course_of` says what it is.
            courses.append(replace(course, id=f"{course.id}@{'+'.join(here)}", min_group=1, venues=here))
            course_of.append(c)
    learners = tuple(problem.learners[l] for l in counted) + tuple(problem.learners[l] for l in fillers)
    part = replace(problem, venues=tuple(venues), courses=tuple(courses), learners=learners, current_groups=())
    part_options = build_options(part)
    if outside:
        position = {l: k for k, l in enumerate(counted)}
        mine = {position[l] for l in extra}
        for offer in part_options.offers:
            if offer.course >= len(problem.courses):
                for l in offer.learners:
                    if int(l) not in mine:
                        offer.suits[offer.row_of[int(l)]] = False
        others = [t for t in range(len(problem.teachers)) if t not in teachers]
        part_options.teacher_slots[others, len(problem.courses):, :] = False
    # Only seats count here (and driving, in `solve.captive_start`): the default weights do.
    uncounted = set(range(len(counted), len(counted) + len(fillers)))
    model = TimetableModel(part_options, Timetable(part_options), set(), config.weights, exact_teachers, config,
                           uncounted=uncounted)
    return ClusterModel(model, sorted(cluster) + outside, list(counted) + list(fillers), course_of)


def counted_seats(model) -> list:
    """The objective terms of `cluster_model`: seats of counted learners, priority-weighted."""
    return [q.priority * n for qi, q in enumerate(model.classes) if q.counted
            for n, _ in model.class_vars[qi].values()]


def groups_back(cluster: ClusterModel, values: dict) -> list:
    """The groups of a cluster model's solution, in the whole problem's indexes."""
    from solver.timetable import Group

    table = cluster.model.timetable_of(values)
    return [Group(cluster.course_of[g.course], cluster.venue_of[g.venue], g.slots, g.teacher,
                  [cluster.learner_of[l] for l in g.learners]) for g in table.groups]


def _cluster_model_bound(options: Options, cluster: set[int], inside: list[int], venues: list[set[int]],
                         time_limit: float, workers: int, seed: int, extra: list[int] = (),
                         limits=(), config: SolverConfig = DEFAULT) -> tuple[int | None, list]:
    """Proven most priority-weighted `inside` + `extra` learners seated.

    `inside` learners have all usable venues in `cluster`; `extra` learners are the
    others to count (`cluster_model` brings in their venues for them alone).  Every
    solution of the whole problem, without its groups that hold no counted learner
    outside the cluster, is a solution of the cluster model; learners who could also
    go elsewhere may fill groups in the cluster but do not count.  `limits` are proven
    (learners, most) rows for subsets of them (the single venues'), which the model
    gets as redundant constraints.  Also returns the groups of its best solution
    (whole-problem indexes; groups outside the cluster may be smaller than min_group).
    """
    counted = list(inside) + list(extra)
    members = set(counted)
    others = [l for l, vs in enumerate(venues) if vs & cluster and l not in members]
    built = cluster_model(options, cluster, counted, others, extra=list(extra), config=config)
    model = built.model
    position = {l: k for k, l in enumerate(counted)}
    model.limit_placements([([position[l] for l in learners], most) for learners, most in limits])
    seats = counted_seats(model)
    if not seats:
        return 0, []
    model.model.maximize(sum(seats))
    solver = cp_solver(time_limit, min(workers, config.cluster_workers), seed)
    status = solver.solve(model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, []
    return int(math.floor(solver.best_objective_bound + 1e-6)), groups_back(built, model.read(solver))


def cp_solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    # Probing costs these small models more than it saves (bench/NOTES.md, "Captive venues").
    solver.parameters.cp_model_probing_level = 0
    return solver


def _venue_relaxation(options: Options, v: int, learners: list[int], time_limit: float,
                      workers: int, seed: int) -> int | None:
    """Proven most priority-weighted `learners` (captive to venue v) that v's groups could seat."""
    problem = options.problem
    venue = problem.venues[v]
    model = cp_model.CpModel()
    groups: dict[tuple[int, int], cp_model.IntVar] = {}
    inflow: dict[tuple[int, int], list] = {}
    # Learners with identical rows at every offer of v form one class.
    offers = [i for i, offer in enumerate(options.offers) if offer.venue == v and len(offer.patterns)]
    classes: dict[tuple, list[int]] = {}
    for l in learners:
        key = (problem.learners[l].priority,) + tuple(
            options.offers[i].suits[options.offers[i].row_of[l]].tobytes() if l in options.offers[i].row_of else b""
            for i in offers)
        classes.setdefault(key, []).append(l)
    live_of = {i: _taught(options, options.offers[i]) for i in offers}
    objective = []
    for members in classes.values():
        priority = problem.learners[members[0]].priority
        mine = []
        for i in offers:
            offer = options.offers[i]
            if members[0] not in offer.row_of:
                continue
            course = problem.courses[offer.course]
            row = offer.suits[offer.row_of[members[0]]] & live_of[i]
            for p in np.flatnonzero(row):
                key = (i, int(p))
                if key not in groups:
                    groups[key] = model.new_int_var(0, venue.rooms, "")
                    inflow[key] = []
                f = model.new_int_var(0, len(members), "")
                model.add(f <= min(len(members), options.max_group(offer.course, offer.venue)) * groups[key])
                inflow[key].append(f)
                mine.append(f)
                objective.append(priority * f)
        if mine:
            model.add(sum(mine) <= len(members))
    if not objective:
        return 0
    for key, var in groups.items():
        offer = options.offers[key[0]]
        model.add(sum(inflow[key]) <= options.max_group(offer.course, offer.venue) * var)
    sessions = []       # (course, slot, day, start, end, var)
    for (i, p), var in groups.items():
        offer = options.offers[i]
        minutes = problem.courses[offer.course].session_minutes
        for s in offer.patterns[p]:
            start = int(options.slot_start[s])
            sessions.append((offer.course, int(s), int(options.slot_day[s]), start, start + minutes, var))
    for day, instant in {(it[2], it[3]) for it in sessions}:
        running = [it for it in sessions if it[2] == day and it[3] <= instant < it[4]]
        teachers = int(np.any([options.teacher_slots[:, c, s] for c, s, *_ in running], axis=0).sum())
        model.add(sum(it[5] for it in running) <= min(venue.rooms, teachers))
    levels = {problem.courses[c].level for c, *_ in sessions}
    weekly = sum(t.max_sessions_per_week for t in problem.teachers if t.levels & levels)
    model.add(sum(it[5] for it in sessions) <= weekly)
    model.maximize(sum(objective))
    solver = cp_solver(time_limit, workers, seed)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return int(math.floor(solver.best_objective_bound + 1e-6))

"""The optimizer's front door: `solve(problem_document) -> solution_document`.

Steps, per region of the problem (`regions.split_regions`; regions are solved
in parallel threads, CP-SAT releases the GIL):

1. `options.build_options`: who could attend which weekly pattern where.
2. A start (`greedy`): the published timetable kept, or (without `current`)
   the best of the status quo and greedy timetables (some opening groups at
   venues that some learners alone can reach first, one beginning with the
   captive venues' joint model of `bounds.py`), each filled and improved by
   one-move augmentations; then the captive venues planned anew around the
   rest of it (`captive_start`).  It is a complete hint for CP-SAT and a
   floor: the answer is never worse than the status quo.
3. Without `current`: ruin and recreate (`ruin.py`, with helper processes on
   the other cores) for most of the time, stopping early at the proven bound.
4. CP-SAT from the best so far: up to `config.pattern_model_from` learners (or
   whenever `current` has groups) the slot-variable model (`model.py`, exact,
   lexicographic tiers); above it the counting model over weekly patterns
   (`patterns.py`).
5. `teachers.assign_teachers` confirms or gives the chosen groups their
   teachers; greedy filling places whoever can still be placed.
6. `explain` gives reasons for everyone left unplaced; `solution` writes it.

`placed_bound` is the smallest of: the CP-SAT bound (slot model), the number
of learners who could attend some pattern that min_group learners could
attend, without `current` the captive-venue bound of `bounds.py` (whose
per-venue limits also go into the CP-SAT model as redundant rows), and for
large parts the capacity LP of `bounds.py`.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from ortools.sat.python import cp_model

from solver.bounds import capacity_bound, captive_bound, cluster_model, cp_solver, groups_back, usable_venues
from solver.config import DEFAULT, SolverConfig
from solver.explain import explain, what_if
from solver.greedy import augment, greedy_fill, kept_current, status_quo
from solver.model import TimetableModel
from solver.options import Options, build_options
from solver.patterns import PatternModel
from solver.problem import InvalidProblem, Problem, read_problem
from solver.regions import split_regions
from solver.ruin import ruin_and_recreate
from solver.solution import invalid_document, name_groups, write_solution
from solver.teachers import assign_teachers
from solver.timetable import Group, Timetable

class _Progress:
    """Sums the parts' progress and reports it to the caller's `on_progress`."""

    def __init__(self, on_progress, parts: int):
        self.on_progress = on_progress
        self.started = time.monotonic()
        self.placed = [0] * parts
        self.bound: list[int | None] = [None] * parts
        self.lock = threading.Lock()

    def part(self, index: int) -> Callable[[dict], None] | None:
        if self.on_progress is None:
            return None

        def report(update: dict) -> None:
            with self.lock:
                self.placed[index] = max(self.placed[index], update.get("placed") or 0)
                if update.get("bound") is not None:
                    # Every bound reported is proven, so the least so far holds (and the bar never jumps up).
                    self.bound[index] = update["bound"] if self.bound[index] is None \
                        else min(self.bound[index], update["bound"])
                self.on_progress({"elapsed": round(time.monotonic() - self.started, 3),
                                  "placed": sum(self.placed),
                                  "bound": None if None in self.bound else sum(self.bound)})
        return report


def _blocked(options: Options) -> set[int]:
    """Locked learners outside every group of `current`: they must stay unplaced."""
    in_current = {l for g in options.problem.current_groups for l in g.learners}
    return {i for i, l in enumerate(options.problem.learners)
            if l.id in options.problem.locked_learners and l.id not in in_current}


def _viable_bound(options: Options, blocked: set[int]) -> int:
    """Placements if every learner with a pattern that min_group learners suit had a group."""
    viable = np.zeros(len(options.problem.learners), dtype=bool)
    for offer in options.offers:
        viable[offer.learners[offer.suits.any(axis=1)]] = True
    in_current = {options.learner_index[l] for g in options.problem.current_groups for l in g.learners
                  if l in options.learner_index}
    return sum(l.priority for i, l in enumerate(options.problem.learners)
               if (viable[i] or i in in_current) and i not in blocked)


def start_timetable(options: Options, blocked: set[int], seed_groups=(),
                    config: SolverConfig = DEFAULT) -> tuple[Timetable, int]:
    """The best quick timetable, and the status quo's placements for comparison.

    `seed_groups` (the captive venues' joint model's groups, `bounds.captive_bound`)
    are also tried as a beginning that greedy filling completes.
    """
    kept = kept_current(options)
    candidates = [fill(kept, blocked, False), fill(kept, blocked, True)]
    if options.problem.current_groups:
        best = max(candidates, key=lambda t: t.placed_value())
        return best, kept.placed_value()
    today = status_quo(options)
    candidates.append(fill(today, blocked, False))
    # Learners who can reach one venue only lose out when the big venues take the teachers
    # first: also try opening groups at those venues first (measured: +10 placed at N=300).
    captive = Counter(next(iter(vs)) for vs in usable_venues(options, blocked) if len(vs) == 1)
    for least in (1, config.min_captive):
        venues = {v for v, count in captive.items() if count >= least}
        if venues:
            first = greedy_fill(Timetable(options), blocked, True, venues)
            candidates += [fill(first, blocked, False), fill(first, blocked, True)]
    seeded = _seeded(options, blocked, seed_groups)
    if seeded is not None:
        candidates += [fill(seeded, blocked, False), fill(seeded, blocked, True)]
    return max(candidates, key=lambda t: t.placed_value()), today.placed_value()


def _seeded(options: Options, blocked: set[int], groups) -> Timetable | None:
    """A timetable holding those of `groups` that still fit together, or None without any.

    A group with fewer than min_group learners (the joint model's groups outside the
    captive venues count only some of their members) is topped up with learners it
    suits who are not placed yet, those with the fewest other options first.
    """
    problem = options.problem
    table = Timetable(options)
    for g in groups:
        course = problem.courses[g.course]
        teachers = [g.teacher] if g.teacher is not None else table.free_teachers(g.course, g.venue, g.slots)
        if not (teachers and table.room_free(g.course, g.venue, g.slots)
                and table.teacher_can(teachers[0], g.course, g.venue, g.slots)):
            continue
        learners = [l for l in g.learners if l not in blocked and l not in table.group_of][:course.max_group]
        if len(learners) < course.min_group:
            more = sorted((l for l in range(len(problem.learners)) if l not in blocked and l not in table.group_of
                           and l not in learners and options.suits(l, g.course, g.venue, g.slots)),
                          key=lambda l: len(options.offers_of_learner[l]))
            learners += more[:course.min_group - len(learners)]
        if len(learners) >= course.min_group:
            table.add(Group(g.course, g.venue, g.slots, teachers[0], learners))
    return table if table.groups else None


def captive_start(options: Options, blocked: set[int], table: Timetable, cluster: set[int],
                  time_limit: float, workers: int, seed: int, config: SolverConfig = DEFAULT) -> Timetable | None:
    """`table` with its groups at the captive venues planned anew around the rest, then filled.

    The captive venues' cluster model (`bounds.cluster_model`) gets every learner who
    could use them and is not placed elsewhere, and each teacher only the sessions that
    fit around their groups elsewhere (time, driving, weekly maximum); it seats as many
    as it can, then drives the least.  Measured at N=300: the greedy start seats 34 of
    the captive venues' proven 43, this one 38 with the rest intact (start 264 -> 268,
    and 273-274 instead of 265-270 after CP-SAT in 30 s).
    """
    rest = Timetable(options, [Group(g.course, g.venue, g.slots, g.teacher, list(g.learners), g.id, g.locked)
                               for g in table.groups if g.venue not in cluster])
    venues = usable_venues(options, blocked)
    counted = [l for l, vs in enumerate(venues) if vs & cluster and l not in rest.group_of]
    if not counted:
        return None
    model, venue_of, learner_of = cluster_model(options, cluster, counted, [], exact_teachers=True, config=config)
    m = model.model
    for t, teacher in enumerate(options.problem.teachers):
        sessions = []
        for gp in model.places:
            for s, var in gp.u.get(t, {}).items():
                if rest.teacher_can(t, gp.course, venue_of[gp.venue], (s,)):
                    sessions.append(var)
                else:
                    m.add(var == 0)
        load = sum(len(g.slots) for g in rest.groups if g.teacher == t)
        if sessions:
            m.add(sum(sessions) <= teacher.max_sessions_per_week - load)
    seats = sum(q.priority * n for qi, q in enumerate(model.classes) for n, _ in model.class_vars[qi].values())
    drives = [(int(model.options.teacher_travel[t, gp.venue]), var) for gp in model.places for t, var in gp.t.items()]
    # One more seat outweighs any driving: each place has one teacher, so the driving is at most this.
    per_seat = 1 + sum(int(model.options.teacher_travel[:, gp.venue].max(initial=0)) for gp in model.places)
    m.maximize(per_seat * seats - sum(minutes * var for minutes, var in drives))
    solver = cp_solver(time_limit, workers, seed)
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = {v.index: solver.value(v) for v in model._all_vars()}
    for g in groups_back(model, values, venue_of, learner_of):
        rest.add(g)
    return max((fill(rest, blocked, False), fill(rest, blocked, True)), key=lambda t: t.placed_value())


def repaired(table: Timetable, blocked: set[int], time_limit: float, workers: int, seed: int) -> Timetable:
    """`table` with teachers assigned (groups without one close), then refilled."""
    table = assign_teachers(table, time_limit, workers, seed)
    return max((fill(table, blocked, False), fill(table, blocked, True)), key=lambda t: t.placed_value())


def fill(table: Timetable, blocked: set[int], capped: bool) -> Timetable:
    """A filled copy of `table`: greedy groups, then one-move augmentations, then greedy again."""
    filled = greedy_fill(table.copy(), blocked, capped)
    return greedy_fill(augment(filled, blocked, table.options.pinned()), blocked, capped)


def solve_part(problem: Problem, time_limit: float, workers: int, seed: int, report=None,
               helpers: int = 0, config: SolverConfig = DEFAULT) -> dict:
    """Solve one region; returns its options, timetable, status, bound and figures.

    `helpers`: processes that ruin and recreate may start to search alongside.
    """
    started = time.monotonic()
    options = build_options(problem)
    blocked = _blocked(options)
    trivial = _viable_bound(options, blocked)
    weights = config.weights.overridden(problem.weights)
    if len(problem.learners) >= config.pattern_model_from:
        capacity = capacity_bound(options, blocked)
        trivial = trivial if capacity is None else min(trivial, capacity)
    limits: dict = {}
    cluster_seed: dict = {}
    if not problem.current_groups and problem.learners:
        # Learners who can reach one venue only compete for its rooms: a small proven bound each.
        # Small parts: enough time for the single venues' models and the captive venues' joint one.
        seconds = max(config.captive_share * time_limit,
                      min(config.captive_small_share * time_limit, config.cluster_min_seconds
                          + config.captive_extra_seconds))
        captive, limits, cluster_seed = captive_bound(options, blocked, seconds, workers, seed, config)
        trivial = min(trivial, captive)
    start, today = start_timetable(options, blocked, cluster_seed.get("groups", ()), config)
    if cluster_seed:
        around = captive_start(options, blocked, start, cluster_seed["cluster"],
                               config.captive_start_share * time_limit, workers, seed, config)
        if around is not None and around.placed_value() > start.placed_value():
            start = around
    if report:
        report({"placed": start.placed_value(), "bound": trivial})
    if not options.offers or not problem.learners:
        return dict(options=options, table=start, status="optimal", bound=start.placed_value(),
                    status_quo=today, blocked=blocked, start=start.placed_value())
    floor = start
    large = len(problem.learners) >= config.pattern_model_from
    if not problem.current_groups:
        # Ruin and recreate first: it finds better timetables far sooner than CP-SAT
        # (measured, 30 s at N=300: the proven optimum 281 in 16 of 16 runs, reached 9-12 s into
        # the solve, and then it stops; the demo's 202 mtvo learners in 20 s: 182).  It knows
        # nothing of the changes to `current`, so not for re-solves.  CP-SAT goes on from its
        # best and settles the lower tiers.
        left = time_limit * (1 - config.after_share) - (time.monotonic() - started)
        placed_report = (lambda placed: report({"placed": placed, "bound": trivial})) if report else None
        floor = ruin_and_recreate(start, blocked, time.monotonic() + config.ruin_share * max(0.0, left), seed,
                                  placed_report, ceiling=trivial, helpers=helpers, config=config)
    if large and not problem.current_groups:
        model = PatternModel(options, floor, blocked, weights, config)
        report = (lambda update, report=report: report({**update, "bound": trivial})) if report else None
    else:
        model = TimetableModel(options, floor, blocked, weights, config=config)
        model.repair = lambda table: repaired(table, blocked, config.progress_repair_seconds, 1, seed)
        if report:
            # CP-SAT's first bounds are far above the proven ones found before it started.
            report = (lambda update, report=report: report(
                {**update, "bound": trivial if update.get("bound") is None else min(trivial, update["bound"])}))
    model.limit_placements(limits.values())
    # What is left after building the model, minus the writing and, when the model only
    # knew a relaxation of the teacher rules, the teacher phase (it is quick otherwise).
    exact = isinstance(model, PatternModel) or model.exact_teachers
    budget = max(0.5, time_limit * (1 - (0 if exact else config.teacher_share) - config.after_share)
                 - (time.monotonic() - started))
    if isinstance(model, PatternModel):
        # After ruin and recreate CP-SAT seldom places more (N=1000: none more in the runs
        # measured), so half its time goes to the lower tiers.
        table, status, bound = model.solve(budget, workers, seed, report)
    else:
        table, status, bound = model.solve(budget, workers, seed, report)
    if isinstance(model, PatternModel):
        bound = trivial
    if status == "infeasible":
        return dict(options=options, table=Timetable(options), status="infeasible", bound=0,
                    status_quo=today, blocked=blocked, start=start.placed_value())
    if table is None:
        table, status, bound = floor, "feasible", trivial
    else:
        table = repaired(table, blocked, max(0.5, time_limit * config.teacher_share), workers, seed)
        best = getattr(model, "best_repaired", None)
        if best is not None and best.placed_value() > table.placed_value():
            table = best
        if any(g.teacher is None for g in table.groups):
            return dict(options=options, table=Timetable(options), status="infeasible", bound=0,
                        status_quo=today, blocked=blocked, start=start.placed_value())
    if floor.placed_value() > table.placed_value():
        table = floor
    bound = min(max(bound, table.placed_value()), max(trivial, table.placed_value()))
    status = "optimal" if table.placed_value() >= bound else "feasible"
    return dict(options=options, table=table, status=status, bound=bound, status_quo=today,
                blocked=blocked, start=start.placed_value())


def solve(problem: Mapping, *, time_limit: float = 30.0, workers: int = 8, seed: int = 0,
          on_progress: Callable[[dict], None] | None = None, config: SolverConfig = DEFAULT) -> dict:
    """Solve a problem document (spec: solver/README.md); never raises on bad input.

    `config` holds every tuning number and the objective's default weights (`config.py`).
    """
    started = time.monotonic()
    try:
        parsed = read_problem(problem)
    except InvalidProblem as error:
        return invalid_document(error.errors, time.monotonic() - started)
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as error:
        # The reader should name every fault; if one slips through, still answer with a document.
        return invalid_document([{"path": "", "message": f"unreadable problem: {error}"}],
                                time.monotonic() - started)
    parts = split_regions(parsed, config)
    progress = _Progress(on_progress, len(parts))
    parallel = max(1, min(len(parts), os.cpu_count() or 1))
    # Parts run `parallel` at a time; each gets its share of the time left.
    # Explaining and writing a split problem happen after all parts: keep time for them.
    share = 1.0 if len(parts) == 1 else config.split_share * parallel / len(parts)
    per_part = max(1.0, (time_limit - (time.monotonic() - started)) * share)
    part_workers = max(1, workers // parallel) if len(parts) > 1 else workers
    # Ruin and recreate is Python: one core per search.  The parts running in threads
    # share one interpreter, so each still gets a helper process on two cores.
    cores = os.cpu_count() or 1
    helpers = 0 if cores < 2 or workers < 2 else min(config.max_helpers, max(1, (cores - 1) // parallel))
    if len(parts) == 1:
        results = [solve_part(parts[0], per_part, part_workers, seed, progress.part(0), helpers, config)]
    else:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            results = list(pool.map(lambda i: solve_part(parts[i], per_part, part_workers, seed, progress.part(i),
                                                         helpers, config), range(len(parts))))
    statuses = [r["status"] for r in results]
    seconds = time.monotonic() - started
    if "infeasible" in statuses:
        document = invalid_document([{"path": "current", "message": "the locked groups and learners of current "
                                      "cannot be kept: they break a rule of the problem as it is now"}], seconds)
        document["status"] = "infeasible"
        return document
    tables = [(r["options"], r["table"]) for r in results]
    names = name_groups(tables, parsed)
    reasons, unused = [], {}
    used_slots = {(r["options"].problem.slots[s].day, r["options"].problem.slots[s].start)
                  for r in results for g in r["table"].groups for s in g.slots}
    for r in results:
        options, table = r["options"], r["table"]
        for l, why in explain(options, table, r["blocked"], lambda g: names[id(g)], len(parts) > 1).items():
            reasons.append({"learner": options.problem.learners[l].id, "reasons": why})
        for s, count in enumerate(what_if(options, table, r["blocked"])):
            slot = options.problem.slots[s]
            if (slot.day, slot.start) not in used_slots:
                unused[slot] = unused.get(slot, 0) + int(count)
    suggestions = [{"slot": slot.to_json(), "learners": count}
                   for slot, count in sorted(unused.items(), key=lambda item: (-item[1], item[0].day, item[0].start))]
    status = "optimal" if all(s == "optimal" for s in statuses) else "feasible"
    stats = {"status_quo_placed": sum(r["status_quo"] for r in results),
             "start_placed": sum(r["start"] for r in results), "regions": len(parts)}
    return write_solution(parsed, tables, reasons, status, sum(r["bound"] for r in results),
                          time.monotonic() - started, suggestions, stats, config.weights.overridden(parsed.weights))

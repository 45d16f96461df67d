"""The optimizer's front door: `solve(problem_document) -> solution_document`.

`solve` reads the problem, splits it into regions no learner or teacher links
(`regions.split_regions`; solved in parallel threads, CP-SAT releases the GIL),
solves each with `solve_part`, explains, and writes the document.  Per region
(`_Part`, one method per step):

1. start: `options.build_options` (who could attend which weekly pattern
   where), the proven bounds known before any search (`bounds.py`), and the
   best quick timetable: the published one kept, or (without `current`) the
   best of the status quo and greedy timetables (some opening groups at venues
   that some learners alone can reach first, one beginning with the captive
   venues' joint model), each filled and improved by one-move augmentations;
   then the captive venues planned anew around the rest (`captive_start`).
   It is a complete hint for CP-SAT and a floor: the answer is never worse
   than the status quo.
2. improve: without `current`, ruin and recreate (`ruin.py`, with helper
   processes on the other cores) for most of the time, stopping early at the
   proven bound.
3. prove: CP-SAT maximises tier 1 from the best so far: up to
   `config.pattern_model_from` learners (or whenever `current` has groups)
   the exact slot model (`model.py`), above it the counting model over weekly
   patterns (`patterns.py`); both solve tiers with `tiers.TieredModel`.
4. settle the lower tiers: tiers 2-4 with the better ones fixed; then
   `teachers.assign_teachers` confirms or gives the groups their teachers and
   greedy filling places whoever can still be placed.
5. explain (`explain_parts`, after all regions): reasons for everyone left
   unplaced, and the unused slots that would suit them; `solution` writes it.

`placed_bound` is the smallest of: the CP-SAT bound (slot model), the number
of learners who could attend some pattern that min_group learners could
attend, without `current` the captive-venue bound of `bounds.py` (whose
per-venue limits also go into the CP-SAT model as redundant rows), and for
large parts the capacity LP of `bounds.py`.  Every tuning number is a field
of `config.SolverConfig`.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from solver.bounds import capacity_bound, captive_bound, cluster_model, groups_back, usable_venues
from solver.config import DEFAULT, SolverConfig
from solver.explain import explain, what_if
from solver.greedy import augment, greedy_fill, kept_current, status_quo
from solver.model import TimetableModel
from solver.options import Options, build_options
from solver.patterns import PatternModel
from solver.problem import InvalidProblem, Problem, read_problem
from solver.regions import split_regions
from solver.ruin import ruin_and_recreate
from solver.stability import stability_key
from solver.solution import invalid_document, name_groups, write_solution
from solver.teachers import assign_teachers
from solver.tiers import TieredModel, TierOne
from solver.timetable import Group, Timetable


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
    progress = PartsProgress(on_progress, len(parts))
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
    statuses = [r.status for r in results]
    seconds = time.monotonic() - started
    if "infeasible" in statuses:
        document = invalid_document([{"path": "current", "message": "the locked groups and learners of current "
                                      "cannot be kept: they break a rule of the problem as it is now"}], seconds)
        document["status"] = "infeasible"
        return document
    tables = [(r.options, r.table) for r in results]
    reasons, suggestions = explain_parts(results, name_groups(tables, parsed))
    status = "optimal" if all(s == "optimal" for s in statuses) else "feasible"
    stats = {"status_quo_placed": sum(r.status_quo for r in results),
             "start_placed": sum(r.start for r in results), "regions": len(parts)}
    return write_solution(parsed, tables, reasons, status, sum(r.bound for r in results),
                          time.monotonic() - started, suggestions, stats, config.weights.overridden(parsed.weights))


def explain_parts(results: list["PartResult"], names: dict[int, str]) -> tuple[list[dict], list[dict]]:
    """Reasons for every unplaced learner, and the unused slots that would suit the most of them."""
    reasons, unused = [], {}
    used_slots = {(r.options.problem.slots[s].day, r.options.problem.slots[s].start)
                  for r in results for g in r.table.groups for s in g.slots}
    for r in results:
        options, table = r.options, r.table
        for l, why in explain(options, table, r.blocked, lambda g: names[id(g)], len(results) > 1).items():
            reasons.append({"learner": options.problem.learners[l].id, "reasons": why})
        for s, count in enumerate(what_if(options, table, r.blocked)):
            slot = options.problem.slots[s]
            if (slot.day, slot.start) not in used_slots:
                unused[slot] = unused.get(slot, 0) + int(count)
    suggestions = [{"slot": slot.to_json(), "learners": count}
                   for slot, count in sorted(unused.items(), key=lambda item: (-item[1], item[0].day, item[0].start))]
    return reasons, suggestions


@dataclass
class PartResult:
    """One part's answer: its timetable, status and bound, and what `solve` needs to explain and sum it."""

    options: Options
    table: Timetable
    status: str                 # "optimal", "feasible" or "infeasible" (the locked part cannot be kept)
    bound: int                  # proven upper bound on the part's placements (priority-weighted)
    status_quo: int             # placements of the status quo timetable (`greedy.status_quo`)
    start: int                  # placements of the quick start timetable
    blocked: set[int]           # locked learners outside every group: they stay unplaced


def solve_part(problem: Problem, time_limit: float, workers: int, seed: int, report=None,
               helpers: int = 0, config: SolverConfig = DEFAULT) -> PartResult:
    """Solve one region: start, improve, prove, settle the lower tiers (`solve` explains after).

    `helpers`: processes that ruin and recreate may start to search alongside.
    """
    part = _Part(problem, time_limit, workers, seed, report, helpers, config)
    start = part.start()
    if not part.options.offers or not problem.learners:
        return part.result(start, "optimal", start.placed_value())
    best = part.improve(start)
    model = part.model(best)
    first = part.prove(model)
    if first.status == "infeasible":
        return part.result(Timetable(part.options), "infeasible", 0)
    if first.values is None:           # CP-SAT found nothing in its time: the search's best stands
        return part.answer(best, best, part.bound)
    if part.resolving:
        first, best = part.stabilise(model, first, best)
    table = part.settle_lower_tiers(model, first)
    if table is None:
        return part.result(Timetable(part.options), "infeasible", 0)
    return part.answer(best, table, first.bound if first.bound is not None else part.bound)


class _Part:
    """The state of one region's solve, step by step (`solve_part` reads as the list of steps)."""

    def __init__(self, problem: Problem, time_limit: float, workers: int, seed: int, report, helpers: int,
                 config: SolverConfig):
        self.started = time.monotonic()
        self.problem, self.time_limit, self.workers, self.seed = problem, time_limit, workers, seed
        self.report, self.helpers, self.config = report, helpers, config
        self.options = build_options(problem)
        self.blocked = _blocked(self.options)
        self.weights = config.weights.overridden(problem.weights)
        self.resolving = bool(problem.current_groups)
        self.large = len(problem.learners) >= config.pattern_model_from
        self.bound = 0                 # the best proven bound before CP-SAT
        self.limits: dict = {}         # proven (learners, most) rows for the model (`bounds.captive_bound`)
        self.status_quo = 0
        self.start_placed = 0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def result(self, table: Timetable, status: str, bound: int) -> PartResult:
        return PartResult(self.options, table, status, bound, self.status_quo, self.start_placed, self.blocked)

    # -- 1. start ------------------------------------------------------------------------------
    def start(self) -> Timetable:
        """The proven bounds before any search, and the best quick timetable."""
        options, blocked, config = self.options, self.blocked, self.config
        self.bound = _viable_bound(options, blocked)
        if self.large:
            capacity = capacity_bound(options, blocked)
            self.bound = self.bound if capacity is None else min(self.bound, capacity)
        cluster_seed: dict = {}
        if not self.resolving and self.problem.learners:
            # Learners who can reach one venue only compete for its rooms: a small proven bound each.
            # Small parts: enough time for the single venues' models and the captive venues' joint one.
            seconds = max(config.captive_share * self.time_limit,
                          min(config.captive_small_share * self.time_limit,
                              config.cluster_min_seconds + config.captive_extra_seconds))
            captive, self.limits, cluster_seed = captive_bound(options, blocked, seconds, self.workers, self.seed,
                                                               config)
            self.bound = min(self.bound, captive)
        start, self.status_quo = start_timetable(options, blocked, cluster_seed.get("groups", ()), config)
        if cluster_seed:
            around = captive_start(options, blocked, start, cluster_seed["cluster"],
                                   config.captive_start_share * self.time_limit, self.workers, self.seed, config)
            if around is not None and around.placed_value() > start.placed_value():
                start = around
        self.start_placed = start.placed_value()
        if self.report:
            self.report({"placed": start.placed_value(), "bound": self.bound})
        return start

    # -- 2. improve ------------------------------------------------------------------------------
    def improve(self, start: Timetable) -> Timetable:
        """Ruin and recreate from the start (not for re-solves: it knows nothing of the changes).

        It finds better timetables far sooner than CP-SAT (bench/NOTES.md, "ruin and recreate
        first"); CP-SAT goes on from its best and settles the lower tiers.
        """
        if self.resolving:
            return start
        left = self.time_limit * (1 - self.config.after_share) - self.elapsed()
        heard = (lambda placed: self.report({"placed": placed, "bound": self.bound})) if self.report else None
        return ruin_and_recreate(start, self.blocked, time.monotonic() + self.config.ruin_share * max(0.0, left),
                                 self.seed, heard, ceiling=self.bound, helpers=self.helpers, config=self.config)

    # -- 3. prove --------------------------------------------------------------------------------
    def model(self, best: Timetable) -> TieredModel:
        """The counting model for large fresh parts, else the exact slot model; hinted with `best`."""
        if self.large and not self.resolving:
            model = PatternModel(self.options, best, self.blocked, self.weights, self.config)
        else:
            blocked, seed = self.blocked, self.seed
            model = TimetableModel(self.options, best, blocked, self.weights, config=self.config,
                                   repair=lambda table: repaired(table, blocked, self.config.progress_repair_seconds,
                                                                 1, seed))
        model.limit_placements(self.limits.values())
        return model

    def prove(self, model: TieredModel) -> TierOne:
        """Tier 1 with CP-SAT, in what is left after building the model minus the writing and,
        when the model only knew a relaxation of the teacher rules, the teacher phase."""
        exact = not isinstance(model, TimetableModel) or model.exact_teachers
        teacher_share = 0 if exact else self.config.teacher_share
        budget = max(self.config.min_model_seconds,
                     self.time_limit * (1 - teacher_share - self.config.after_share) - self.elapsed())
        return model.prove(budget, self.workers, self.seed, self._model_report(model))

    def _model_report(self, model: TieredModel):
        if not self.report:
            return None
        report, bound = self.report, self.bound
        if not model.proves_bound:
            return lambda update: report({**update, "bound": bound})
        # CP-SAT's first bounds are far above the proven ones found before it started.
        return lambda update: report({**update, "bound": bound if update.get("bound") is None
                                      else min(bound, update["bound"])})

    # -- 4. settle the lower tiers -------------------------------------------------------------------
    def stabilise(self, model: TieredModel, first: TierOne, start: Timetable) -> tuple[TierOne, Timetable]:
        """For a re-solve: the best real timetable so far, and tier 1 as it really places.

        Tier 1 of a model that knows only a relaxation of the teacher rules may count
        placements no teacher assignment keeps; fixing that value for the lower tiers left
        tier 2 no solution in its time, and the answer became tier 1's solution, which knew
        nothing of `current` (issue 15: 8 learners moved at an equal tier 1).  So the lower
        tiers start from the best real timetable (by `stability.stability_key`: the published
        one kept and filled, CP-SAT's repaired solutions) and keep what it places.
        """
        candidates = [start]
        if getattr(model, "best_repaired", None) is not None:
            candidates.append(model.best_repaired)
        candidates.append(repaired(model.timetable_of(first.values), self.blocked,
                                   max(self.config.min_model_seconds, self.time_limit * self.config.teacher_share),
                                   self.workers, self.seed))
        real = max((t for t in candidates if all(g.teacher is not None for g in t.groups)),
                   key=lambda t: stability_key(t, self.weights), default=start)
        values = {var.index: value for var, value in model.assignment(real).items()}
        return TierOne(first.status, values, real.placed_value(), first.bound, first.deadline), real

    def better(self, a: Timetable, b: Timetable) -> Timetable:
        """The better answer: more placed; for a re-solve, at equal placements, fewer changes to `current`."""
        if self.resolving:
            return b if stability_key(b, self.weights) > stability_key(a, self.weights) else a
        return b if b.placed_value() > a.placed_value() else a

    def settle_lower_tiers(self, model: TieredModel, first: TierOne) -> Timetable | None:
        """Tiers 2-4, then teachers confirmed or given (None when a locked group keeps none)."""
        table = model.settle(first)
        table = repaired(table, self.blocked, max(self.config.min_model_seconds,
                                                  self.time_limit * self.config.teacher_share), self.workers, self.seed)
        best = getattr(model, "best_repaired", None)
        if best is not None:
            table = self.better(table, best)
        if any(g.teacher is None for g in table.groups):
            return None
        return table

    def answer(self, best: Timetable, table: Timetable, bound: int) -> PartResult:
        """The better of CP-SAT's timetable and the search's, with the tightest proven bound."""
        table = self.better(table, best)
        placed = table.placed_value()
        bound = min(max(bound, placed), max(self.bound, placed))
        return self.result(table, "optimal" if placed >= bound else "feasible", bound)


class PartsProgress:
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
    # first: also try opening groups at those venues first (bench/NOTES.md, "Captive venues").
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
        learners = [l for l in g.learners if l not in blocked and l not in table.group_of][
            :problem.max_group(g.course, g.venue)]
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
    as it can, then drives the least.  The greedy start seats fewer there than the
    rooms and teachers allow, because the big venues took the teachers first
    (bench/NOTES.md, "Captive venues").
    """
    rest = Timetable(options, [Group(g.course, g.venue, g.slots, g.teacher, list(g.learners), g.id, g.locked)
                               for g in table.groups if g.venue not in cluster])
    venues = usable_venues(options, blocked)
    counted = [l for l, vs in enumerate(venues) if vs & cluster and l not in rest.group_of]
    if not counted:
        return None
    built = cluster_model(options, cluster, counted, [], exact_teachers=True, config=config)
    values = built.model.plan_around(rest, built.venue_of, time_limit, workers, seed)
    if values is None:
        return None
    for g in groups_back(built, values):
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

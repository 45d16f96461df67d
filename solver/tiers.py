"""Solving a CP-SAT model tier by tier: the lexicographic objective of solver/README.md.

`TieredModel` is the base of the exact slot model (`model.py`) and the counting
model (`patterns.py`).  `prove` maximises tier 1 (placements); `settle` then
solves each lower tier with the better tiers fixed as constraints, each hinted
with the previous tier's solution, the time left split evenly among the tiers
still to come.  A subclass supplies its variables, its lower tiers and how its
values become a timetable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from solver.config import DEFAULT, SolverConfig, Weights
from solver.options import Options
from solver.timetable import Timetable


class InternalModelError(RuntimeError):
    """CP-SAT rejected a model as invalid: a programming error, never the user's problem."""


@dataclass
class TierOne:
    """Tier 1 solved: its variable values, placements, proven bound and status."""

    status: str                  # "optimal", "feasible", "infeasible" or "unknown"
    values: dict | None = None   # variable index -> value of the best solution
    placed: int = 0
    bound: int | None = None     # None: the model is a restriction and proves nothing
    deadline: float = 0.0        # time.monotonic() by which the lower tiers must be settled


class TieredModel:
    """A CP-SAT model with the objective's tiers; subclasses build `model`, `tier1` and the rest."""

    proves_bound = True          # False for a model that is a restriction of the problem

    def __init__(self, options: Options, weights: Weights, config: SolverConfig = DEFAULT):
        self.options = options
        self.problem = options.problem
        self.weights = weights
        self.config = config
        self.model = cp_model.CpModel()
        self.tier1 = 0
        self._solver: cp_model.CpSolver | None = None

    # -- what a subclass gives ------------------------------------------------------------
    def variables(self) -> list:
        """The variables whose values carry from one tier to the next (and into the timetable)."""
        raise NotImplementedError

    def lower_tiers(self):
        """(expression, "min" or "max") for tiers 2-4 in order; built lazily, ints are skipped."""
        raise NotImplementedError

    def lower_tier_count(self) -> int:
        raise NotImplementedError

    def timetable_of(self, values: dict) -> Timetable:
        raise NotImplementedError

    def tier1_share(self) -> float:
        """Of the time, the share for tier 1."""
        raise NotImplementedError

    def tune(self, params, workers: int) -> None:
        """Model-specific CP-SAT parameters."""

    def progress(self, on_progress) -> cp_model.CpSolverSolutionCallback | None:
        """The callback that watches tier 1 (None: no callback)."""
        return None

    def assignment(self, table: Timetable) -> dict:
        """Variable values that represent `table` in this model."""
        raise NotImplementedError

    # -- solving -------------------------------------------------------------------------------
    def hint(self, table: Timetable) -> None:
        """`table` as CP-SAT's hint."""
        self.model.clear_hints()
        for var, value in self.assignment(table).items():
            self.model.add_hint(var, value)

    def read(self, solver: cp_model.CpSolver) -> dict:
        """Every variable's value in the solver's last solution, by variable index."""
        return {var.index: solver.value(var) for var in self.variables()}

    def hint_values(self, values: dict) -> None:
        self.model.clear_hints()
        for var in self.variables():
            if var.index in values:
                self.model.add_hint(var, values[var.index])

    def cp_solver(self, workers: int, seed: int, log: bool = False) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = workers
        params.random_seed = seed
        params.log_search_progress = log
        # Probing costs these models more than it saves (bench/NOTES.md, "Captive venues").
        params.cp_model_probing_level = 0
        self.tune(params, workers)
        return solver

    def prove(self, time_limit: float, workers: int, seed: int, on_progress=None, log: bool = False) -> TierOne:
        """Maximise tier 1 within `tier1_share` of `time_limit`; the rest is for `settle`.

        Raises InternalModelError when CP-SAT finds the model invalid (a bug, not infeasibility).
        """
        deadline = time.monotonic() + time_limit
        solver = self._solver = self.cp_solver(workers, seed, log)
        self.model.maximize(self.tier1)
        solver.parameters.max_time_in_seconds = max(0.1, self.tier1_share() * time_limit)
        watch = self.progress(on_progress)
        if on_progress is not None and watch is not None and self.proves_bound:
            solver.best_bound_callback = watch.on_bound
        status = solver.solve(self.model, watch)
        # The lower tiers' bounds are not placements: the progress bar must not hear of them.
        solver.best_bound_callback = None
        if status == cp_model.MODEL_INVALID:
            raise InternalModelError(f"CP-SAT finds the {type(self).__name__} invalid: "
                                     f"{self.model.validate() or 'no detail given'}")
        if status == cp_model.INFEASIBLE:
            return TierOne("infeasible")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return TierOne("unknown")
        placed = int(round(solver.objective_value))
        if not self.proves_bound:
            return TierOne("feasible", self.read(solver), placed, None, deadline)
        bound = int(np.floor(solver.best_objective_bound + 1e-6))
        return TierOne("optimal" if status == cp_model.OPTIMAL else "feasible", self.read(solver), placed,
                       max(bound, placed), deadline)

    def settle(self, first: TierOne) -> Timetable:
        """The lower tiers one by one with tier 1 (and each settled tier) fixed; the timetable."""
        solver = self._solver
        values = first.values
        self.model.add(self.tier1 >= first.placed)
        count = self.lower_tier_count()
        for done, (tier, sense) in enumerate(self.lower_tiers()):
            remaining = first.deadline - time.monotonic()
            if remaining < self.config.min_tier_seconds:
                break
            if isinstance(tier, int):
                continue
            self.hint_values(values)
            self.model.minimize(tier) if sense == "min" else self.model.maximize(tier)
            solver.parameters.max_time_in_seconds = remaining / (count - done)
            status = solver.solve(self.model)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break
            values = self.read(solver)
            reached = int(round(solver.objective_value))
            self.model.add(tier <= reached if sense == "min" else tier >= reached)
        return self.timetable_of(values)


class CpSatProgress(cp_model.CpSolverSolutionCallback):
    """Reports elapsed seconds, best placed so far and the bound to `on_progress`.

    With `model` (a TimetableModel with only the relaxed teacher rules and a `repair`),
    each better solution is also repaired into a real timetable (teachers assigned,
    learners refilled) and the best is kept in `model.best_repaired`: the relaxation's
    solutions drift away from what teachers can cover as the search goes on, so the
    answer is the best real timetable seen, not the last one (bench/NOTES.md,
    "Relaxed teacher rules").
    The progress then reports real placements.
    """

    def __init__(self, on_progress, model=None):
        super().__init__()
        self.on_progress = on_progress
        self.model = model
        self.started = time.monotonic()
        self.placed = 0
        self.bound = None

    def on_solution_callback(self) -> None:
        self.placed = int(round(self.objective_value))
        self.bound = int(np.floor(self.best_objective_bound + 1e-6))
        if self.model is not None:
            self.placed = self._repair()
        if self.on_progress is not None:
            self._report()

    def _repair(self) -> int:
        model = self.model
        best = model.best_repaired.placed_value() if model.best_repaired is not None else -1
        if self.placed > best:
            table = model.repair(model.timetable(lambda var: var if isinstance(var, int) else self.value(var)))
            if table.placed_value() > best:
                model.best_repaired, best = table, table.placed_value()
        return max(best, 0)

    def on_bound(self, bound: float) -> None:
        self.bound = int(np.floor(bound + 1e-6))
        self._report()

    def _report(self) -> None:
        try:
            self.on_progress({"elapsed": round(time.monotonic() - self.started, 3),
                              "placed": self.placed, "bound": self.bound})
        except Exception:  # a broken progress bar must not stop the solve
            pass

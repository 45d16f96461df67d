"""With only the relaxed teacher rules, the answer is the best *real* timetable the search saw.

The relaxed model's later solutions can need teachers who are not there; each better
solution is repaired (teachers assigned, learners refilled) as it is found and the
best repaired one is kept (`tiers.CpSatProgress`), and `solve` answers with it when the
last solution repairs worse.
"""

import importlib

import checker
from solver import solve
from solver.config import SolverConfig
from solver.tiers import CpSatProgress
from nortime.demo.synthetic import midt_troms_problem


class Table:
    def __init__(self, placed):
        self.placed = placed

    def placed_value(self):
        return self.placed


class FakeModel:
    """Stands in for a TimetableModel: its repairs give these placements, in order."""

    def __init__(self, repaired):
        self.repaired = list(repaired)
        self.best_repaired = None
        self.calls = 0

    def timetable(self, value):
        return Table(None)

    def repair(self, table):
        self.calls += 1
        return Table(self.repaired.pop(0))


def seen(progress, relaxed):
    progress.placed = relaxed
    return progress._repair()


def test_the_best_repaired_timetable_is_kept_and_reported():
    model = FakeModel([5, 3])
    progress = CpSatProgress(None, model)
    assert seen(progress, 6) == 5          # relaxed 6, really 5
    assert seen(progress, 7) == 5          # relaxed 7 repairs to 3: the 5 stays
    assert model.best_repaired.placed_value() == 5
    assert seen(progress, 5) == 5 and model.calls == 2   # no better than 5 real: not repaired


def test_relaxed_teacher_solves_are_valid_and_never_below_a_repaired_timetable(monkeypatch):
    tiers_module = importlib.import_module("solver.tiers")
    repaired_values = []
    original = tiers_module.CpSatProgress._repair

    def recording(self):
        value = original(self)
        repaired_values.append(value)
        return value

    monkeypatch.setattr(tiers_module.CpSatProgress, "_repair", recording)
    problem = midt_troms_problem(learners=70, seed=3)
    # exact_teacher_sessions=0: the relaxed teacher rules.
    solution = solve(problem, time_limit=6, workers=2, config=SolverConfig(exact_teacher_sessions=0))
    checker.assert_valid(problem, solution)
    assert repaired_values, "the relaxed model's solutions were not repaired"
    assert solution["placed"] >= max(repaired_values)

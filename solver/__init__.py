"""nortime's optimizer: Norwegian courses timetabled around shift work (OR-Tools CP-SAT).

    from solver import solve
    solution = solve(problem_document, time_limit=30, workers=8, seed=0)

The documents follow `problem-format.md`; `python -m solver PROBLEM.json` does
the same from the command line.
"""

from solver.problem import InvalidProblem, read_problem
from solver.solve import solve

__all__ = ["solve", "read_problem", "InvalidProblem"]

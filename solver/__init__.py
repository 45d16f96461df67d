"""nortime's optimizer: Norwegian courses timetabled around shift work (OR-Tools CP-SAT).

    from solver import solve
    solution = solve(problem_document, time_limit=30, workers=8, seed=0)

    violations = verify(problem_document, solution_document)   # [] when every hard rule holds

The documents follow solver/README.md (the specification); `python -m solver
PROBLEM.json` solves from the command line.
"""

from solver.problem import InvalidProblem, read_problem
from solver.solve import solve
from solver.verify import Violation, verify

__all__ = ["solve", "verify", "Violation", "read_problem", "InvalidProblem"]

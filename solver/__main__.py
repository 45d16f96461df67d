"""`python -m solver PROBLEM.json [--time-limit S] [--workers N] [--seed N] > SOLUTION.json`

Exit status 0 when a solution document was written (whatever its status), 2
when the problem is invalid (the document, status `invalid_input`, is still
written) or the file cannot be read as JSON (a one-line error on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys

from solver.solve import solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m solver", description="Solve a nortime problem document.")
    parser.add_argument("problem", help="problem document (JSON), or - for standard input")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--workers", type=int, default=8, help="CP-SAT workers (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--progress", action="store_true", help="print progress lines to stderr")
    args = parser.parse_args(argv)
    if args.time_limit <= 0 or args.workers < 1:
        parser.error("--time-limit must be positive and --workers at least 1")
    try:
        if args.problem == "-":
            document = json.load(sys.stdin)
        else:
            with open(args.problem, encoding="utf-8") as handle:
                document = json.load(handle)
    except OSError as error:
        print(f"error: cannot read {args.problem}: {error.strerror or error}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        print(f"error: {args.problem} is not a JSON document: {error}", file=sys.stderr)
        return 2
    progress = None
    if args.progress:
        def progress(update: dict) -> None:
            print(f"{update['elapsed']:8.1f}s placed {update['placed']} bound {update['bound']}", file=sys.stderr)
    solution = solve(document, time_limit=args.time_limit, workers=args.workers, seed=args.seed,
                     on_progress=progress)
    json.dump(solution, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 2 if solution["status"] == "invalid_input" else 0


if __name__ == "__main__":
    sys.exit(main())

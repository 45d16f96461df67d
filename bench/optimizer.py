"""Benchmark of the optimizer on the seeded synthetic Midt-Troms problem.

    python bench/optimizer.py                 # the issue's scenarios with their time limits
    python bench/optimizer.py --best-known    # 10-minute runs: best known and gap to the bound
    python bench/optimizer.py --sizes 300 --scale 0.5 --check
    python bench/optimizer.py --sizes 1000 --set ruin_make_place=0.5 --set weights.group=40
    python bench/optimizer.py --sizes 300 --resolve   # also re-solve with one late learner

With `--resolve`, each scenario's solution becomes `current` and the problem gets
one late learner (a copy of a placed one); a second line gives that re-solve's
placed and what it changed of `current` (learners moved or removed, groups
changed or closed): zero unless it places more than one more (issue 15).

`--set FIELD=VALUE` changes one field of `solver.config.SolverConfig` (repeat it
to change several; `weights.NAME` for an objective weight), for sweeping a
tuning number; bench/NOTES.md lists the runs behind the defaults.

For each scenario it prints: learners, regions, placed (priority-weighted),
proven bound, status-quo placed (Mon+Wed / Tue+Thu 18:00 at every venue,
first come first served), ratio placed / status quo, seconds, CPU seconds
(the process's user + system time and its helper processes': the machine may be
shared), peak memory (the process's plus its largest helper's).
Each scenario runs in its own process, so the peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (learners, regions, time limit in seconds): the targets on 2 cores.
SCENARIOS = [(300, 1, 30), (1000, 1, 60), (3000, 1, 180), (10000, 10, 300)]
BEST_KNOWN_SECONDS = 600


def settings_of(pairs: list[str]) -> dict[str, str]:
    """{"field": "value"} from ["field=value", ...]."""
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set {pair}: use FIELD=VALUE, e.g. ruin_make_place=0.5")
        settings[name.strip()] = value.strip()
    return settings


def synthetic_problem(learners: int, regions: int, seed: int) -> dict:
    from nortime.demo.synthetic import midt_troms_problem

    return midt_troms_problem(learners=learners, seed=seed, regions=regions)


def resolve_one(problem: dict, solution: dict, time_limit: float, workers: int, config) -> dict:
    """Re-solve with `solution` as `current` and one late learner: what changed (see the module docstring)."""
    import copy

    from solver import solve

    again = copy.deepcopy(problem)
    again["current"] = {"groups": [{key: g[key] for key in ("id", "course", "venue", "teacher", "slots", "learners")}
                                   | {"locked": False} for g in solution["groups"]], "locked": []}
    placed = {l for g in solution["groups"] for l in g["learners"]}
    late = next(l for l in problem["learners"] if l["id"] in placed)
    again["learners"].append(dict(copy.deepcopy(late), id="LATE-SIGN-UP", priority=1))
    started = time.monotonic()
    second = solve(again, time_limit=time_limit, workers=workers, seed=0, config=config)
    changes = second.get("changes") or {"learners": {}, "groups": {}}
    return {"placed": second["placed"], "status": second["status"], "seconds": round(time.monotonic() - started, 1),
            "late_placed": any("LATE-SIGN-UP" in g["learners"] for g in second["groups"]),
            "moved": len(changes["learners"].get("moved", [])), "removed": len(changes["learners"].get("removed", [])),
            "changed": len(changes["groups"].get("changed", [])), "closed": len(changes["groups"].get("closed", []))}


def run_one(learners: int, regions: int, time_limit: float, workers: int, seed: int, check: bool,
            settings: dict[str, str], problem_file: str | None = None, resolve: bool = False) -> dict:
    from solver import solve
    from solver.config import SolverConfig

    config = SolverConfig().with_settings(settings)
    if problem_file:
        with open(problem_file, encoding="utf-8") as handle:
            problem = json.load(handle)
    else:
        problem = synthetic_problem(learners, regions, seed)
    started = time.monotonic()
    solution = solve(problem, time_limit=time_limit, workers=workers, seed=0, config=config)
    seconds = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # Ruin and recreate's helper processes count too: their CPU time, and the largest
    # one's peak on top of this process's (an upper bound on the peak of the two together).
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = (usage.ru_maxrss + helpers.ru_maxrss) / 1024
    result = {"learners": learners, "regions": regions, "status": solution["status"],
              "placed": solution["placed"], "bound": solution["placed_bound"],
              "status_quo": solution["stats"]["status_quo_placed"], "start": solution["stats"]["start_placed"],
              "groups": len(solution["groups"]), "seconds": round(seconds, 1),
              "cpu_seconds": round(usage.ru_utime + usage.ru_stime + helpers.ru_utime + helpers.ru_stime, 1),
              "peak_mb": round(peak_mb)}
    if check:
        sys.path.insert(0, str(ROOT / "tests" / "solver"))
        import checker
        from solver import verify
        result["violations"] = len(checker.violations(problem, solution))
        result["verify"] = len(verify(problem, solution))
    if resolve:
        result["resolve"] = resolve_one(problem, solution, time_limit, workers, config)
    return result


def in_subprocess(learners, regions, time_limit, workers, seed, check, settings, resolve=False) -> dict:
    # The problem is made here: the synthetic population lives in the web app's package
    # (nortime.demo), whose imports (Flask, SQLAlchemy) must not count in the solver's memory.
    with tempfile.TemporaryDirectory() as folder:
        problem_file = Path(folder) / "problem.json"
        problem_file.write_text(json.dumps(synthetic_problem(learners, regions, seed)), encoding="utf-8")
        command = [sys.executable, __file__, "--one", str(learners), str(regions), str(time_limit),
                   "--workers", str(workers), "--seed", str(seed), "--problem-file", str(problem_file)]
        command += ["--check"] if check else []
        command += ["--resolve"] if resolve else []
        for name, value in settings.items():
            command += ["--set", f"{name}={value}"]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"scenario {learners}x{regions} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", help="only scenarios with these learner counts")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every time limit")
    parser.add_argument("--best-known", action="store_true", help=f"{BEST_KNOWN_SECONDS}-second runs")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1, help="synthetic problem seed")
    parser.add_argument("--check", action="store_true",
                        help="count hard-rule violations with the test checker and solver.verify")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="change a SolverConfig field (weights.NAME for a weight); repeatable")
    parser.add_argument("--resolve", action="store_true",
                        help="also re-solve each solution with one late learner and count what changed")
    parser.add_argument("--one", nargs=3, type=float, metavar=("LEARNERS", "REGIONS", "SECONDS"), help=argparse.SUPPRESS)
    parser.add_argument("--problem-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings = settings_of(args.set)
    from solver.config import SolverConfig
    try:
        SolverConfig().with_settings(settings)      # a typo fails here, before any run
    except (TypeError, ValueError) as error:
        raise SystemExit(f"--set: {error}")
    if args.one:
        learners, regions, seconds = args.one
        print(json.dumps(run_one(int(learners), int(regions), seconds, args.workers, args.seed, args.check,
                                 settings, args.problem_file, args.resolve)))
        return 0
    print(f"optimizer benchmark: {os.cpu_count()} cores, {args.workers} CP-SAT workers, seed {args.seed}"
          + "".join(f", {name}={value}" for name, value in settings.items()))
    header = (f"{'learners':>9} {'regions':>7} {'limit s':>7} {'status':>9} {'placed':>7} {'bound':>7} "
              f"{'gap %':>6} {'status quo':>10} {'ratio':>6} {'seconds':>8} {'CPU s':>7} {'peak MB':>8}")
    print(header)
    for learners, regions, limit in SCENARIOS:
        if args.sizes and learners not in args.sizes:
            continue
        limit = BEST_KNOWN_SECONDS if args.best_known else limit * args.scale
        r = in_subprocess(learners, regions, limit, args.workers, args.seed, args.check, settings, args.resolve)
        gap = 100.0 * (r["bound"] - r["placed"]) / r["bound"] if r["bound"] else 0.0
        ratio = r["placed"] / r["status_quo"] if r["status_quo"] else float("inf")
        line = (f"{learners:>9} {regions:>7} {limit:>7.0f} {r['status']:>9} {r['placed']:>7} {r['bound']:>7} "
                f"{gap:>6.1f} {r['status_quo']:>10} {ratio:>6.2f} {r['seconds']:>8.1f} {r['cpu_seconds']:>7.1f} "
                f"{r['peak_mb']:>8}")
        if args.check:
            line += f"  violations {r['violations']} (verify {r['verify']})"
        print(line, flush=True)
        if args.resolve:
            again = r["resolve"]
            print(f"{'':>9} {'+1 late':>7} {limit:>7.0f} {again['status']:>9} {again['placed']:>7}   "
                  f"late learner {'placed' if again['late_placed'] else 'not placed'}; moved {again['moved']}, "
                  f"removed {again['removed']}, groups changed {again['changed']}, closed {again['closed']}; "
                  f"{again['seconds']:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

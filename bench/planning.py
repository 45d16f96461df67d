"""Benchmark: the planning service on the demo: build the problem, solve, save the draft, publish, review.

Prints learners and seconds per step. Not a test: nothing is asserted.

    .venv/bin/python bench/planning.py [--learners 300] [--time-limit 10]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="nortime-bench-")
    os.environ["NORTIME_INSTANCE_PATH"] = folder

    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.models import Provider

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "b" * 32,
                      "SOLVER_WORKERS": os.cpu_count() or 2})
    with app.test_request_context("/?lang=en"):
        db.create_all()
        load_demo(learners=args.learners, seed=1)
        from nortime import jobs
        from nortime.providers import review
        from nortime.services import planning, publishing

        for provider in db.session.scalars(db.select(Provider).order_by(Provider.slug)):
            term = planning.current_term(provider)
            started = time.perf_counter()
            problem = planning.build_problem(provider, term)
            built = time.perf_counter()
            run = jobs.create_run(provider, term, problem, time_limit=args.time_limit)
            run = jobs.execute_run(run.id)  # solve + save the draft
            solved = time.perf_counter()
            draft = planning.draft_plan(provider, term)
            saving = time.perf_counter()
            planning.apply_solution(run)
            saved = time.perf_counter()
            draft = planning.draft_plan(provider, term)
            publishing.publish(draft, notify=False)
            published = time.perf_counter()
            review.week_grids(draft), review.teacher_load(draft), review.difference(None, draft)
            reviewed = time.perf_counter()
            print(f"{provider.slug}: {len(problem['learners'])} learners, status {run.solution['status']}, "
                  f"placed {run.solution['placed']}/{run.solution['placed_bound']}; "
                  f"build_problem {built - started:.2f} s, solve+draft {solved - built:.2f} s, "
                  f"apply_solution {saved - saving:.2f} s, publish {published - saved:.2f} s, "
                  f"review figures {reviewed - published:.2f} s")


if __name__ == "__main__":
    main()

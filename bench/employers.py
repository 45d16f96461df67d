"""Benchmark (issue 21): a team's new rota for 500 workers, and the employer's counts.

Prints the seconds a new season takes to reach every worker of one team (each through
signup.save_rota, one commit per worker, one message queued per worker), and the
seconds the employer's page counts take (team and month tables, names of consenting
workers). Not a test: nothing is asserted.

    .venv/bin/python bench/employers.py [--workers 500] [--database-url postgresql://...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def add_workers(team, provider, count: int) -> None:
    from nortime.db import db
    from nortime.models import Learner, Rota, utcnow

    for number in range(count):
        learner = Learner(provider=provider, name=f"Arbeider {number}", phone=f"+4790{number:06d}",
                          home_place_id="husoy", level="A1", employer_id=team.employer_id, team_id=team.id,
                          employer_consent_at=utcnow() if number % 2 else None)
        learner.rota = Rota(preset=team.rota_method, anchor=team.rota_anchor, cycle=team.rota_cycle)
        db.session.add(learner)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="an EMPTY database (default: a new SQLite file)")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.models import Employer, Message, Provider
    from nortime.services import employers
    from nortime.services.employer_counts import employer_counts

    folder = Path(tempfile.mkdtemp(prefix="nortime-bench-"))
    os.environ["NORTIME_INSTANCE_PATH"] = str(folder)
    url = args.database_url or f"sqlite:///{folder / 'b.sqlite'}"
    app = create_app({"SECRET_KEY": "benchmark-secret-key", "SQLALCHEMY_DATABASE_URI": url,
                      "SERVER_NAME": "nortime.test", "CHECK_DATABASE_ON_START": False, "OUTBOX_WORKER": False,
                      "SMS_BACKEND": "console", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        load_demo(learners=50, seed=1)
        employer = employers.create_employer("Benk Fiskebruk", "husoy", "fish")
        rota, errors = employers.team_rota("fish_cod_season", {"evening_from": "15:00", "evening_to": "01:00",
                                                               "week": "1"})
        team = employers.create_team(employer, "Kveld", rota, ["sun"])
        add_workers(team, db.session.scalar(select(Provider).where(Provider.slug == "fu-nord")), args.workers)
        season, errors = employers.team_rota("two_shift", {"day_from": "06:00", "day_to": "14:00",
                                                           "evening_from": "14:00", "evening_to": "22:00",
                                                           "week": "1"})
        started = time.perf_counter()
        reached = employers.change_team_rota(team, season, dt.date.today())
        change_seconds = time.perf_counter() - started
        queued = db.session.scalar(select(func.count()).select_from(Message).where(Message.kind == "rota"))
        employer_id = employer.id
    print(f"team rota change: {reached} workers got the new rota and {queued} messages were queued in "
          f"{change_seconds:.2f} s ({1000 * change_seconds / max(reached, 1):.1f} ms per worker)")
    with app.test_request_context("/?lang=en"):
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            counts = employer_counts(db.session.get(Employer, employer_id))
            timings.append(time.perf_counter() - started)
        print(f"employer counts: {len(counts.workers)} consenting workers named, "
              f"{len(counts.teams.rows)} team rows, best of 3 {min(timings) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

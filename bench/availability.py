"""Benchmark: the full availability matrix for a large mixed-rota problem.

Prints learners, venues, slots, seconds and peak MB. Not a test: nothing is asserted.

    .venv/bin/python bench/availability.py [--learners 5000] [--venues 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.availability import compute_availability  # noqa: E402
from nortime.rota_presets import PRESETS, build_rota  # noqa: E402
from solver.problem import read_problem  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "nortime" / "demo" / "data" / "midt_troms.json"
FIRST_DAY = date(2027, 1, 11)
WEEKS = 22
CLOSED = ["2027-02-22", "2027-02-23", "2027-02-24", "2027-02-25", "2027-02-26",
          "2027-03-22", "2027-03-23", "2027-03-24", "2027-03-25", "2027-03-26",
          "2027-03-29", "2027-05-06", "2027-05-17"]
# 26 candidate slots: four evening starts on each weekday, three at each weekend day.
SLOTS = [{"day": d, "start": t} for d in ("mon", "tue", "wed", "thu", "fri")
         for t in ("16:30", "17:00", "18:00", "19:00")] + \
        [{"day": d, "start": t} for d in ("sat", "sun") for t in ("10:00", "12:00", "14:00")]


def problem_doc(learners: int, venues: int, seed: int) -> dict:
    """A seeded problem: Midt-Troms places, random venues, learners on random presets."""
    rng = random.Random(seed)
    region = json.loads(DATA.read_text())
    place_ids = [p["id"] for p in region["places"]]
    presets = [p for p in PRESETS if p != "none"] + ["none"]
    people = []
    for i in range(learners):
        preset = rng.choice(presets)
        anchor = FIRST_DAY + timedelta(days=rng.randrange(-60, 60))
        people.append({
            "id": f"L{i:05d}", "home": rng.choice(place_ids), "level": rng.choice(["A1", "A2", "B1"]),
            "buffer_minutes": rng.choice([15, 30, 45, 60]),
            "rota": build_rota(preset, anchor, week=rng.randrange(4)),
            "busy": [{"start": f"{FIRST_DAY + timedelta(days=rng.randrange(150))}T16:00",
                      "end": f"{FIRST_DAY + timedelta(days=rng.randrange(150, 152))}T21:00"}]
            if rng.random() < 0.2 else [],
        })
    return {
        "format": "nortime.problem/1",
        "timezone": "Europe/Oslo",
        "term": {"first_day": FIRST_DAY.isoformat(),
                 "last_day": (FIRST_DAY + timedelta(days=7 * WEEKS - 1)).isoformat(), "closed": CLOSED},
        "places": region["places"],
        "travel_minutes": region["travel_minutes"],
        "slots": SLOTS,
        "venues": [{"id": f"v{j}", "name": f"Venue {j}", "place": rng.choice(place_ids),
                    "open": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                              "from": "08:00", "to": "23:00"}]}
                   for j in range(venues)],
        "courses": [{"id": f"c{m}", "name": f"Course {m}", "level": "A2", "sessions_per_week": 2,
                     "session_minutes": m, "min_group": 5, "max_group": 12} for m in (90, 120, 150)],
        "teachers": [],
        "learners": people,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--venues", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    doc = problem_doc(args.learners, args.venues, args.seed)
    started = time.perf_counter()
    problem = read_problem(doc)
    read_seconds = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), time.process_time()
    availability = compute_availability(problem)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"learners     {len(problem.learners)}")
    print(f"venues       {len(problem.venues)}")
    print(f"slots        {len(problem.slots)}")
    print(f"durations    {len(availability.durations)}")
    print(f"occurrences  {int(availability.total.sum())}")
    print(f"read seconds {read_seconds:.2f}")
    print(f"seconds      {seconds:.2f}")
    print(f"cpu seconds  {cpu_seconds:.2f} (all threads; wall time suffers when the machine is busy)")
    print(f"peak MB      {peak_mb:.0f} (process RSS now {psutil.Process().memory_info().rss / 2**20:.0f})")


if __name__ == "__main__":
    main()

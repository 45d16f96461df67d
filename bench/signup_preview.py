"""How long the sign-up's last step takes to show which course times a rota leaves free.

Loads the Midt-Troms demo (300 learners) into a temporary SQLite database and
times `signup.preview` (the provider's whole problem built by planning,
read, and one learner's availability computed) and the roster import of a
busy eight-week .ics file. Prints figures; asserts nothing about speed.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="nortime-bench-"))
    os.environ["NORTIME_INSTANCE_PATH"] = str(folder)
    from nortime import create_app
    from nortime.db import db
    from nortime.demo import load_demo
    from nortime.learners.roster_import import roster_from_ics
    from nortime.services import signup
    from nortime.rota_presets import build_rota

    app = create_app({"SECRET_KEY": "bench-secret-key-0123", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'b.sqlite'}"})
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        load_demo(learners=300, seed=1)
        print(f"demo with 300 learners loaded in {time.perf_counter() - started:.2f} s")
        rota = build_rota("health_3week", signup.today())
        about = {"home": "silsand", "level": "A2", "travel": 45, "days": [], "right": "yes"}
        provider = signup.provider_for("yes")
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            result = signup.preview(about, rota, [], provider)
            timings.append(time.perf_counter() - started)
        fitting = sum(slot.fits for slot in result.slots)
        print(f"preview (problem of {provider.slug}, one learner's availability over {len(result.slots)} slots): "
              f"median {statistics.median(timings) * 1000:.0f} ms, first {timings[0] * 1000:.0f} ms; "
              f"{fitting} slots fit the health-care rota")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for index in range(400):
        day = 11 + index % 28
        month = 1 + (day - 1) // 31
        lines += ["BEGIN:VEVENT", f"UID:{index}@bench", f"DTSTART:2027{month:02d}{(day - 1) % 31 + 1:02d}T0{index % 8}0000",
                  f"DTEND:2027{month:02d}{(day - 1) % 31 + 1:02d}T1{index % 8}0000", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    data = "\r\n".join(lines).encode()
    started = time.perf_counter()
    roster = roster_from_ics(data)
    print(f"roster import: {len(data) // 1024} kB, 400 events -> {roster.weeks} weeks in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

"""Cost of reading a roster in a helper process (roster_from_ics_within) against reading it in place.

    .venv/bin/python bench/roster_upload.py [--files 20]

Prints the median time per file of both ways, and how long the hostile rules
of issue 16 take now (bounded by the count and by ROSTER_IMPORT_SECONDS).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from nortime.learners.roster_import import RosterError, roster_from_ics, roster_from_ics_within

TODAY = dt.date(2026, 12, 2)


def calendar(rule: str, start: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r@x\r\n"
            f"DTSTART:{start}\r\nDTEND:{start[:9]}150000\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def timed(read, data: bytes) -> tuple[float, str]:
    began = time.perf_counter()
    try:
        read(data)
        outcome = "read"
    except RosterError as error:
        outcome = error.code
    return time.perf_counter() - began, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=20)
    files = parser.parse_args().files
    weekly = calendar("FREQ=WEEKLY;BYDAY=MO,TU,WE", "20261102T070000")
    timed(lambda d: roster_from_ics_within(2.0, d, today=TODAY), weekly)  # starts the forkserver
    for name, read in (("in place", lambda d: roster_from_ics(d, today=TODAY)),
                       ("helper process", lambda d: roster_from_ics_within(2.0, d, today=TODAY))):
        times = [timed(read, weekly)[0] for _ in range(files)]
        print(f"ordinary weekly roster, {name}: median {statistics.median(times) * 1000:.1f} ms over {files} files")
    for rule, start in (("FREQ=MINUTELY", "20250101T070000"), ("FREQ=SECONDLY", "19700101T070000"),
                        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "20250101T070000")):
        seconds, outcome = timed(lambda d: roster_from_ics_within(2.0, d, today=TODAY), calendar(rule, start))
        print(f"{rule} from {start[:4]}: {seconds:.2f} s -> {outcome}")


if __name__ == "__main__":
    main()

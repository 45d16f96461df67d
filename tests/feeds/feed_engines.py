"""Independent iCalendar engines, each turning a feed into sorted (startUTC, endUTC, STATUS, SUMMARY) rows.

PyPI `ical` (strict), `vobject`, Mozilla's ical.js (node) and libical (Debian's
gir1.2-ical-3.0 under /usr/bin/python3). nortime's own code is not used here.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

TOOLS = Path(__file__).resolve().parent / "tools"
ROOT = Path(__file__).resolve().parents[2]
ICALJS = ROOT / ".test-tools" / "node_modules" / "ical.js" / "dist" / "ical.js"
SYSTEM_PYTHON = "/usr/bin/python3"
UTC = dt.timezone.utc

Row = tuple[str, str, str, str]


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise AssertionError(f"floating time {moment} where a zoned one was expected")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _normal(rows) -> list[Row]:
    """Rows from the external tools ('...T..:..:00.000Z') in the same form as _iso."""
    return sorted((start[:19] + "Z", end[:19] + "Z", status, summary) for start, end, status, summary in rows)


def with_ical(text: str) -> list[Row]:
    """allenporter's `ical`: strict RFC 5545 parsing, its own timeline (RRULE, EXDATE, RECURRENCE-ID)."""
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(text)
    return sorted((_iso(e.dtstart), _iso(e.dtend), e.status.value if e.status else "CONFIRMED", e.summary)
                  for e in calendar.timeline)


def with_vobject(text: str) -> list[Row]:
    """vobject + dateutil rrulesets; overrides related to their master by (UID, RECURRENCE-ID)."""
    import vobject

    calendar = vobject.readOne(text)
    events = list(calendar.contents.get("vevent", []))
    overrides = {(e.uid.value, e.recurrence_id.value.astimezone(UTC)) for e in events if hasattr(e, "recurrence_id")}
    rows = []
    for event in events:
        status = event.status.value if hasattr(event, "status") else "CONFIRMED"
        start, end = event.dtstart.value, event.dtend.value
        if hasattr(event, "rrule") and not hasattr(event, "recurrence_id"):
            length = end - start
            for occurrence in event.getrruleset(addRDate=True):
                if (event.uid.value, occurrence.astimezone(UTC)) not in overrides:
                    rows.append((_iso(occurrence), _iso(occurrence + length), status, event.summary.value))
        else:
            rows.append((_iso(start), _iso(end), status, event.summary.value))
    return sorted(rows)


def icaljs_available() -> bool:
    return shutil.which("node") is not None and ICALJS.is_file()


def with_icaljs(text: str, tz: str = "UTC") -> tuple[list[Row], list[str]]:
    """Mozilla ical.js (Thunderbird's parser) under node, with the process in time zone `tz`."""
    result = subprocess.run(["node", str(TOOLS / "expand.mjs"), str(ICALJS)], input=text, capture_output=True,
                            text=True, env={**os.environ, "TZ": tz}, timeout=60, check=True)
    data = json.loads(result.stdout)
    return _normal(data["sessions"]), data["zones"]


@functools.cache
def libical_available() -> bool:
    if not Path(SYSTEM_PYTHON).is_file():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0'); "
                            "from gi.repository import ICalGLib"], capture_output=True, timeout=30)
    return probe.returncode == 0


def with_libical(text: str) -> tuple[list[Row], list[str]]:
    result = subprocess.run([SYSTEM_PYTHON, str(TOOLS / "libical_expand.py")], input=text, capture_output=True,
                            text=True, timeout=60, check=True, env={"PATH": os.environ.get("PATH", ""), "TZ": "UTC"})
    data = json.loads(result.stdout)
    return _normal(data["sessions"]), data["zones"]

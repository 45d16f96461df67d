"""A deliberately plain availability reference: one occurrence at a time, datetimes only.

It reads the raw problem document (not solver.problem objects) and shares no
code with solver/, so it can check the vectorised matrix independently.
Same rules as the spec; wall times go to real instants with zoneinfo's
default fold=0 (a time in the spring-forward gap uses the offset from before
the change, a time in the autumn overlap its first occurrence), and a shift
that would end before it starts after that conversion is an instant.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(text: str) -> time:
    hours, minutes = map(int, text.split(":"))
    return time(hours, minutes)


def _instant(zone: ZoneInfo, day: date, clock: time) -> datetime:
    """A local wall time as an aware UTC datetime (fold=0)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(timezone.utc)


def travel_minutes(doc: dict, a: str, b: str) -> int:
    """Listed minutes (either direction), else great-circle km x 1.3 at 60 km/h rounded up."""
    if a == b:
        return 0
    for x, y, minutes in doc.get("travel_minutes", []):
        if {x, y} == {a, b}:
            return minutes
    places = {p["id"]: p for p in doc["places"]}
    p, q = places[a], places[b]
    lat1, lon1, lat2, lon2 = map(math.radians, (p["lat"], p["lon"], q["lat"], q["lon"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    km = 2 * 6371.0088 * math.asin(math.sqrt(h))
    return math.ceil(round(km * 1.3, 9))  # km at 60 km/h is the same number of minutes


def occurrences(doc: dict, slot: dict) -> list[date]:
    term = doc["term"]
    first, last = date.fromisoformat(term["first_day"]), date.fromisoformat(term["last_day"])
    closed = {date.fromisoformat(d) for d in term.get("closed", [])}
    result, day = [], first
    while day <= last:
        if DAYS[day.weekday()] == slot["day"] and day not in closed:
            result.append(day)
        day += timedelta(days=1)
    return result


def busy_intervals(doc: dict, learner: dict, around: date, days: int) -> list[tuple[datetime, datetime]]:
    """Every shift, away day and busy interval of rota days within `days` of `around`, as UTC."""
    zone = ZoneInfo(doc["timezone"])
    result = []
    rota = learner.get("rota")
    if rota:
        start = date.fromisoformat(rota["start"])
        cycle = rota["cycle"]
        for offset in range(-days, days + 1):
            day = around + timedelta(days=offset)
            entry = cycle[(day - start).days % len(cycle)]
            if entry == "away":
                result.append((_instant(zone, day, time(0)), _instant(zone, day + timedelta(days=1), time(0))))
                continue
            for begin_text, end_text in entry:
                begin, end = _clock(begin_text), _clock(end_text)
                end_day = day + timedelta(days=1) if end <= begin else day
                s = _instant(zone, day, begin)
                e = _instant(zone, end_day, end)
                result.append((s, max(s, e)))
    for busy in learner.get("busy", []):
        s = datetime.fromisoformat(busy["start"]).replace(tzinfo=zone).astimezone(timezone.utc)
        e = datetime.fromisoformat(busy["end"]).replace(tzinfo=zone).astimezone(timezone.utc)
        result.append((s, max(s, e)))
    return result


def attendable_occurrences(doc: dict, learner_id: str, venue_id: str, slot: dict, minutes: int) -> list[bool]:
    """For each occurrence of the slot: can the learner attend a session of `minutes` at the venue?"""
    zone = ZoneInfo(doc["timezone"])
    learner = next(l for l in doc["learners"] if l["id"] == learner_id)
    venue = next(v for v in doc["venues"] if v["id"] == venue_id)
    gap = timedelta(minutes=learner.get("buffer_minutes", 30) + travel_minutes(doc, learner["home"], venue["place"]))
    reach = math.ceil((gap.total_seconds() / 60 + minutes) / 1440) + 2
    result = []
    for day in occurrences(doc, slot):
        begin = _instant(zone, day, _clock(slot["start"]))
        end = begin + timedelta(minutes=minutes)
        ok = all(e + gap <= begin or end + gap <= s for s, e in busy_intervals(doc, learner, day, reach))
        result.append(ok)
    return result


def reference_matrix(doc: dict) -> tuple[tuple[int, ...], list[int], list]:
    """(durations, total[S], attendable[L][V][K][S]) in the document's order."""
    durations = tuple(sorted({c["session_minutes"] for c in doc["courses"]}))
    total = [len(occurrences(doc, s)) for s in doc["slots"]]
    attendable = [
        [
            [[sum(attendable_occurrences(doc, l["id"], v["id"], s, k)) for s in doc["slots"]] for k in durations]
            for v in doc["venues"]
        ]
        for l in doc["learners"]
    ]
    return durations, total, attendable

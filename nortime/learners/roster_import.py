"""Turn an .ics export of a work roster into a repeating rota.

The roster's calendar weeks, from the Monday of its first shift to the week
of its last one (at most MAX_WEEKS), are read day by day (`days`); the
shortest period that repeats in them, up to a few one-off changes, becomes
the rota's cycle (`rota_cycle.find_cycle`). Timed events become shifts (one ending after midnight ends the
next day); all-day events and events of 20 hours or more make the days they
cover "away". Recurring events (RRULE, RDATE, EXDATE, moved occurrences) are
expanded with dateutil inside that window.

A file that is too big, not a calendar, has too many events or occurrences,
or holds no shift at all raises RosterError with a `code` the page translates.
Expansion is bounded twice: a rule may yield at most MAX_EXPANDED dates from
its start (a MINUTELY rule from last year is refused at once), and
`roster_from_ics_within` reads the file in a helper process that is stopped
after a time limit, because dateutil can loop for seconds inside one step
without yielding (a rule that never matches runs on to the year 9999).
No Flask here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from .rota_cycle import Cycle, find_cycle, rota_of

MAX_BYTES = 256 * 1024
MAX_EVENTS = 500
MAX_OCCURRENCES = 2000
MAX_WEEKS = 12
MAX_EXPANDED = 20_000  # dates one rule may yield from its DTSTART, before and inside the window
AWAY_HOURS = 20  # an event this long is a day away, not a shift


class RosterError(ValueError):
    """Codes: too_big, empty, not_calendar, too_many_events, too_many_occurrences, bad_recurrence,
    repeats_too_often, too_slow, no_shifts."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)


@dataclass(frozen=True)
class ImportedRoster:
    start: dt.date  # a Monday: the first day of `days`
    days: list = field(default_factory=list)  # whole weeks, day by day, as the file shows them
    weeks: int = 1
    events: int = 0  # occurrences used
    first: int = 0  # index in `days` of the first and the last day with a shift or away
    last: int = 0

    @property
    def shown(self) -> list:
        """The days from the first to the last with a shift: what the export tells for sure."""
        return self.days[self.first:self.last + 1]

    @property
    def first_day(self) -> dt.date:
        return self.start + dt.timedelta(days=self.first)

    @cached_property
    def found(self) -> Cycle:
        return find_cycle(self.shown)

    @property
    def cycle(self) -> list:
        return self.rota()["cycle"]

    def rota(self, period: int | None = None) -> dict:
        """The rota repeating the found period, or `period` days when the learner says otherwise."""
        return rota_of(self.shown, self.first_day, period or self.found.period)


def _local(value, zone: ZoneInfo) -> dt.datetime | dt.date:
    """A DTSTART/DTEND value as naive local wall-clock time (dates stay dates)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(zone).replace(tzinfo=None)
        return value
    return value


def _parse(data: bytes):
    import icalendar

    if len(data) > MAX_BYTES:
        raise RosterError("too_big", kilobytes=MAX_BYTES // 1024)
    if not data.strip():
        raise RosterError("empty")
    if b"BEGIN:VCALENDAR" not in data[:2048].upper():
        raise RosterError("not_calendar")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception:  # the parser raises many kinds of error on broken input
        raise RosterError("not_calendar") from None
    if isinstance(calendar, list) or calendar.name != "VCALENDAR":
        raise RosterError("not_calendar")
    return calendar


def _occurrences(event, zone: ZoneInfo, window_start: dt.datetime, window_end: dt.datetime,
                 moved: set) -> list[tuple[dt.datetime | dt.date, dt.timedelta]]:
    """Every (local start, duration) of one VEVENT that starts inside the window."""
    from dateutil.rrule import rrulestr

    start = _local(event.decoded("DTSTART"), zone)
    if "DTEND" in event:
        end = _local(event.decoded("DTEND"), zone)
        length = end - start
    elif "DURATION" in event:
        length = event.decoded("DURATION")
    else:
        length = dt.timedelta(days=1) if not isinstance(start, dt.datetime) else dt.timedelta(0)
    all_day = not isinstance(start, dt.datetime)
    first = dt.datetime.combine(start, dt.time()) if all_day else start
    uid = str(event.get("UID", ""))
    found = []
    if "RRULE" in event or "RDATE" in event:
        try:
            lines = []
            if "RRULE" in event:
                rules = event["RRULE"] if isinstance(event["RRULE"], list) else [event["RRULE"]]
                lines += ["RRULE:" + rule.to_ical().decode() for rule in rules]
            text = "\n".join(lines) or None
            rule_set = rrulestr(text, dtstart=first, forceset=True, ignoretz=True) if text else None
        except Exception:
            raise RosterError("bad_recurrence") from None
        if rule_set is None:
            from dateutil.rrule import rruleset

            rule_set = rruleset()
            rule_set.rdate(first)
        for prop, add in (("RDATE", rule_set.rdate), ("EXDATE", rule_set.exdate)):
            values = event.get(prop)
            for entry in values if isinstance(values, list) else ([values] if values is not None else []):
                for item in getattr(entry, "dts", []):
                    value = _local(item.dt, zone)
                    if isinstance(value, tuple):
                        continue
                    add(dt.datetime.combine(value, dt.time()) if not isinstance(value, dt.datetime) else value)
        # Iterated from DTSTART by hand (not xafter) so that the dates before the window count too.
        for expanded, occurrence in enumerate(rule_set, start=1):
            if expanded > MAX_EXPANDED:
                raise RosterError("repeats_too_often", limit=MAX_EXPANDED)
            if occurrence < window_start:
                continue
            if occurrence >= window_end:
                break
            if (uid, occurrence) in moved:
                continue
            found.append((occurrence.date() if all_day else occurrence, length))
            if len(found) > MAX_OCCURRENCES:
                raise RosterError("too_many_occurrences", limit=MAX_OCCURRENCES)
    elif window_start <= first < window_end:
        found.append((start, length))
    return found


def roster_from_ics(data: bytes, timezone: str = "Europe/Oslo", today: dt.date | None = None) -> ImportedRoster:
    """The rota a roster file describes (see the module docstring); RosterError when it cannot be used."""
    zone = ZoneInfo(timezone)
    calendar = _parse(data)
    events = [component for component in calendar.walk("VEVENT")]
    if len(events) > MAX_EVENTS:
        raise RosterError("too_many_events", limit=MAX_EVENTS)
    try:
        starts = []
        for event in events:
            if "DTSTART" not in event:
                continue
            value = _local(event.decoded("DTSTART"), zone)
            starts.append(value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time()))
    except Exception:
        raise RosterError("not_calendar") from None
    if not starts:
        raise RosterError("no_shifts")
    earliest = min(starts)
    # A rule that started long ago is read from the week it is used in now.
    if today is not None and earliest.date() < today - dt.timedelta(days=7 * MAX_WEEKS):
        earliest = dt.datetime.combine(today, dt.time())
    monday = (earliest - dt.timedelta(days=earliest.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    window_end = monday + dt.timedelta(weeks=MAX_WEEKS)
    moved = set()
    for event in events:
        if "RECURRENCE-ID" in event:
            value = _local(event.decoded("RECURRENCE-ID"), zone)
            moved.add((str(event.get("UID", "")),
                       value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())))
    occurrences = []
    try:
        for event in events:
            if "DTSTART" not in event or str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            occurrences += _occurrences(event, zone, monday, window_end, moved)
            if len(occurrences) > MAX_OCCURRENCES:
                raise RosterError("too_many_occurrences", limit=MAX_OCCURRENCES)
    except RosterError:
        raise
    except Exception:
        raise RosterError("not_calendar") from None
    if not occurrences:
        raise RosterError("no_shifts")
    return _days_from(occurrences, monday.date())


def roster_from_ics_within(seconds: float, data: bytes, timezone: str = "Europe/Oslo",
                           today: dt.date | None = None) -> ImportedRoster:
    """roster_from_ics in a helper process stopped after `seconds` (RosterError "too_slow")."""
    from ..jobs import _local_context  # the solver's helper processes come from the same forkserver

    context = _local_context()
    receiving, sending = context.Pipe(duplex=False)
    helper = context.Process(target=_read_in_helper, args=(sending, data, timezone, today), daemon=True)
    helper.start()
    sending.close()
    try:
        if not receiving.poll(seconds):
            raise RosterError("too_slow", seconds=f"{seconds:g}")
        try:
            kind, value, params = receiving.recv()
        except EOFError:  # the helper died (out of memory, killed)
            raise RosterError("not_calendar") from None
    finally:
        helper.kill()
        helper.join()
        receiving.close()
    if kind == "error":
        raise RosterError(value, **params)
    return value


def _read_in_helper(sending, data: bytes, timezone: str, today: dt.date | None) -> None:
    try:
        answer = ("roster", roster_from_ics(data, timezone, today), {})
    except RosterError as problem:
        answer = ("error", problem.code, problem.params)
    except Exception:
        answer = ("error", "not_calendar", {})
    sending.send(answer)
    sending.close()


def _days_from(occurrences: list, monday: dt.date) -> ImportedRoster:
    last = max((o if not isinstance(o, dt.datetime) else o.date()) for o, _ in occurrences)
    weeks = min(MAX_WEEKS, (last - monday).days // 7 + 1)
    days = weeks * 7
    cycle: list = [[] for _ in range(days)]
    used = 0
    for start, length in sorted(occurrences, key=lambda item: (str(item[0]))):
        if not isinstance(start, dt.datetime):  # all-day: away on every covered day
            covered = max(1, length.days)
            for offset in range(covered):
                index = (start - monday).days + offset
                if 0 <= index < days:
                    cycle[index] = "away"
            used += 1
            continue
        index = (start.date() - monday).days
        if not 0 <= index < days:
            continue
        used += 1
        if length >= dt.timedelta(hours=AWAY_HOURS):
            end = start + length
            for offset in range((end.date() - start.date()).days + 1):
                if index + offset < days:
                    cycle[index + offset] = "away"
            continue
        if length <= dt.timedelta(0) or cycle[index] == "away":
            continue
        shift = [start.strftime("%H:%M"), (start + length).strftime("%H:%M")]
        if shift[0] == shift[1]:
            continue
        if shift not in cycle[index]:
            cycle[index].append(shift)
    for day in cycle:
        if day != "away":
            day.sort()
    busy = [index for index, day in enumerate(cycle) if day]
    if not busy:
        raise RosterError("no_shifts")
    return ImportedRoster(start=monday, days=cycle, weeks=weeks, events=used, first=busy[0], last=busy[-1])

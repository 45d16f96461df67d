"""A learner's rota day by day: what a given date holds, a few weeks laid out, what blocks a weekly slot.

Pure functions over the solver's JSON rota form ({"start", "cycle"}: each day a
list of ["HH:MM", "HH:MM"] shifts, [] when off, or "away"); no Flask here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

AWAY = "away"
MINUTES_PER_DAY = 24 * 60


def clock_minutes(text: str) -> int:
    """Minutes after midnight of an "HH:MM" time of day."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def clock_text(value: int | time) -> str:
    """A time of day (minutes after midnight, or a datetime.time) as "HH:MM", the inverse of clock_minutes."""
    minutes = value.hour * 60 + value.minute if isinstance(value, time) else value
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_entry(cycle: list, start: date, day: date) -> list | str:
    """The rota's entry for one date: a list of [from, to] shifts ([] when off) or "away"."""
    if not cycle:
        return []
    return cycle[(day - start).days % len(cycle)]


@dataclass(frozen=True)
class RotaDay:
    day: date
    entry: list | str  # shifts or "away"

    @property
    def away(self) -> bool:
        return self.entry == AWAY

    @property
    def off(self) -> bool:
        return self.entry == [] or self.entry == ()


def weeks_from(cycle: list, start: date, first: date, weeks: int = 4) -> list[list[RotaDay]]:
    """`weeks` calendar weeks of the rota from the Monday of `first`'s week."""
    monday = first - timedelta(days=first.weekday())
    return [[RotaDay(monday + timedelta(days=7 * w + d), day_entry(cycle, start, monday + timedelta(days=7 * w + d)))
             for d in range(7)] for w in range(weeks)]


def shift_kind(shift: list | tuple) -> str:
    """"night", "evening" or "day", judged by when the shift starts."""
    begin = clock_minutes(shift[0])
    if begin >= 20 * 60 or begin < 4 * 60:
        return "night"
    if begin >= 12 * 60:
        return "evening"
    return "day"


@dataclass(frozen=True)
class Blocker:
    week: int | None  # week of the cycle (1-based) when the cycle is whole weeks, else None
    kind: str  # "day", "evening", "night" (a shift) or "away"
    shift: tuple[str, str] | None


def _intervals(cycle: list, index: int) -> list[tuple[int, int, Blocker]]:
    """Shifts and away days of cycle day `index`, as minutes relative to that day's midnight."""
    entry = cycle[index % len(cycle)]
    weekly = len(cycle) % 7 == 0
    week = (index % len(cycle)) // 7 + 1 if weekly else None
    if entry == AWAY:
        return [(0, MINUTES_PER_DAY, Blocker(week, "away", None))]
    found = []
    for shift in entry:
        begin, end = clock_minutes(shift[0]), clock_minutes(shift[1])
        if end <= begin:
            end += MINUTES_PER_DAY
        found.append((begin, end, Blocker(week, shift_kind(shift), (shift[0], shift[1]))))
    return found


def blockers_for_slot(cycle: list, start: date, weekday: int, slot_start: int, minutes: int, gap: int) -> list[Blocker]:
    """What in the rota keeps a weekly session (weekday, start, length) from being attended.

    `gap` is the buffer plus travel that must lie between a session and any
    shift or away day. Looks at every position of the slot's weekday in the
    cycle (the cycle may not be whole weeks), each blocker named once.
    """
    if not cycle:
        return []
    length = len(cycle)
    span = length * 7 // math.gcd(length, 7)
    first = (weekday - start.weekday()) % 7  # cycle index of the first such weekday
    found: list[Blocker] = []
    for index in range(first, first + span, 7):
        session_begin, session_end = slot_start, slot_start + minutes
        for offset in (-1, 0, 1):
            for begin, end, blocker in _intervals(cycle, index + offset):
                begin += offset * MINUTES_PER_DAY
                end += offset * MINUTES_PER_DAY
                if begin < session_end + gap and end > session_begin - gap and blocker not in found:
                    found.append(blocker)
    return found


def clash_on(cycle: list, start: date, begin: datetime, end: datetime) -> Blocker | None:
    """The shift or away day of the rota that overlaps a session from `begin` to `end` (naive local times), if any."""
    if not cycle:
        return None
    index = (begin.date() - start).days
    midnight = datetime.combine(begin.date(), datetime.min.time())
    for offset in (-1, 0, 1):
        for first, last, blocker in _intervals(cycle, index + offset):
            shift_begin = midnight + timedelta(days=offset, minutes=first)
            shift_end = midnight + timedelta(days=offset, minutes=last)
            if shift_begin < end and shift_end > begin:
                return blocker
    return None

"""Find the repeating cycle in the days a roster export shows.

A roster export covers however many weeks the work app was asked for: five
weeks of a three-week rota are not a five-week rota. `find_cycle` looks for
the shortest period (7 days or more) whose repetition explains the observed
days, allowing a few one-off changes (a swapped shift, a day of leave), and
`cycle_of` builds the cycle of any chosen length by taking, for each day of
the cycle, what the export shows most often on that day.

Days are in the rota's JSON form: a list of [from, to] shifts ([] when off) or
"away". Pure functions; no Flask here.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from ..rota_presets import PRESETS

SHORTEST = 7  # a shorter period is a weekly rota seen from too close
EVIDENCE_DAYS = 4  # at least this many days must be seen twice before a period counts
UNUSUAL_EVIDENCE_DAYS = 14  # ... and this many for a length no common rota has (25 days)
SWAP_DAYS = 2  # a swapped shift changes two days
# Rota lengths seen in practice: whole weeks up to twelve, and those of the presets (10 days).
COMMON_PERIODS = frozenset(range(7, 85, 7)) | {preset.cycle_days for preset in PRESETS.values() if preset.cycle_days}


@dataclass(frozen=True)
class Cycle:
    period: int  # days
    cycle: list
    seen_repeating: bool  # False when the export is too short to show its rota repeat
    changes: int  # days of the export that differ from the cycle (one-off changes)


def _key(day) -> str:
    return day if isinstance(day, str) else repr(sorted(day))


def _mismatches(keys: list[str], period: int) -> int:
    """Days that differ from what the period makes most common on their day of the cycle."""
    total = 0
    for offset in range(period):
        seen = keys[offset::period]
        total += len(seen) - Counter(seen).most_common(1)[0][1]
    return total


def tolerated(days_seen: int) -> int:
    """One-off changes accepted: two days (a swapped shift), and one more per four weeks of export."""
    return SWAP_DAYS + days_seen // 28


def cycle_of(days: list, period: int) -> list:
    """The cycle of `period` days: for each of its days, the entry the export shows most often (the first on a tie).

    Days of the cycle the export never reaches are days off.
    """
    cycle = []
    for offset in range(period):
        seen = days[offset::period]
        if not seen:
            cycle.append([])
            continue
        keys = [_key(day) for day in seen]
        counts = Counter(keys)
        best = max(counts.values())
        cycle.append(next(day for day, key in zip(seen, keys) if counts[key] == best))
    return cycle


def find_cycle(days: list, longest: int | None = None) -> Cycle:
    """The shortest period that explains `days` up to a few one-off changes (see the module docstring).

    When no period is seen to repeat, the whole export (in whole weeks) is the cycle.
    """
    keys = [_key(day) for day in days]
    longest = min(longest or len(days), len(days) - EVIDENCE_DAYS)
    allowed = tolerated(len(days))
    candidates = []  # (period, changes) of the periods the export bears out
    if len(set(keys)) > 1:  # the same day over and over shows no period at all
        for period in range(SHORTEST, longest + 1):
            compared = len(days) - period  # days seen a second time (or more)
            if compared < (EVIDENCE_DAYS if period in COMMON_PERIODS else UNUSUAL_EVIDENCE_DAYS):
                continue
            changes = _mismatches(keys, period)
            if changes <= allowed and changes * 8 <= compared:  # at most one in eight seen again
                candidates.append((period, changes))
    if candidates:
        # An export cut inside a block (14 on / 21 off) fits several periods a few days apart
        # equally well: then a common rota length is the likelier answer. A multiple of the
        # right period may fit "better" only because it compares fewer days.
        common = [c for c in candidates if c[0] in COMMON_PERIODS] or candidates
        fewest = min(changes for _, changes in common)
        period, changes = next(c for c in common if c[1] <= fewest + SWAP_DAYS)
        return Cycle(period, cycle_of(days, period), True, changes)
    whole = -(-len(days) // 7) * 7
    return Cycle(whole, cycle_of(days, whole), False, 0)


def rota_of(days: list, first_day: date, period: int) -> dict:
    """The rota {"start", "cycle"} that repeats `period` days of the export starting on `first_day`.

    A cycle of whole weeks starts on a Monday, so that "week 1" reads as a calendar week.
    """
    cycle = cycle_of(days, period)
    start = first_day
    if period % 7 == 0 and first_day.weekday():
        back = first_day.weekday()
        cycle = cycle[-back:] + cycle[:-back]
        start = first_day - timedelta(days=back)
    return {"start": start.isoformat(), "cycle": cycle}

"""Who can attend what: the attendable share of each learner for each venue, session length and slot.

This module is the single source of truth for availability; the optimizer,
its solution checker and the learner pages all read it.

Rules (spec, "learners"): a session occurrence is attendable when at least
`buffer_minutes + travel minutes from home to the venue` lie between it and
every shift, away day and busy interval, on both sides; a gap of exactly that
length is enough. Shifts and busy intervals are local wall-clock times turned
into real instants by `solver.clock` (daylight saving is real; see there for
times that fall in the spring-forward gap or the autumn overlap). A shift
whose end, after that conversion, would come before its start (only possible
for a shift inside the spring-forward gap) is an instant at its start. A
session starts at its slot's wall time and lasts `session_minutes` of real
time; an away day runs from local midnight to local midnight.

How it is computed, for every learner at once: each learner's busy time is
expanded into real intervals over the term, merged, and laid out on one
number line with every learner in its own band ("key" = row x stride +
minute). For each occurrence one binary search finds the nearest busy
interval on each side; the smaller of the two gaps is the largest
buffer + travel the occurrence tolerates, compared with every venue at once.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from solver.clock import EPOCH_ORDINAL, MINUTES_PER_DAY, LocalClock, wall_minute, wall_minute_of, wall_to_datetime
from solver.problem import AWAY, Learner, Problem, Rota, Slot
from solver.travel import travel_matrix

_CHUNK_LEARNERS = 256  # rows per block of queries: bounds memory, gives threads work to share


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):  # respects container and taskset limits
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def slot_occurrences(problem: Problem, slot: Slot) -> list[date]:
    """Every date in the term (first to last day inclusive) on the slot's weekday, minus closed dates."""
    term = problem.term
    first = term.first_day + timedelta(days=(slot.day - term.first_day.weekday()) % 7)
    days = []
    while first <= term.last_day:
        if first not in term.closed:
            days.append(first)
        first += timedelta(days=7)
    return days


@dataclass(frozen=True, eq=False)
class Availability:
    """Occurrence counts per (learner, venue, session length, slot).

    Rows follow `learner_indexes` (the problem's learner order unless a subset
    was asked for); venues and slots follow the problem's order. `attendable`
    ignores `max_travel_minutes`: whether a venue is in reach is the
    optimizer's question, not this one.
    """

    durations: tuple[int, ...]  # distinct course session_minutes, sorted
    total: np.ndarray  # int32 [S]: occurrences of slot s in the term
    attendable: np.ndarray  # int16 [L, V, K, S]
    learner_indexes: tuple[int, ...] = ()

    def duration_index(self, minutes: int) -> int:
        """Index k of a session length in `durations` (ValueError when no course has it)."""
        return self.durations.index(minutes)

    def share(self, l: int, v: int, minutes: int, slot_indexes: Sequence[int]) -> float:
        """Attendable occurrences over all occurrences of the given slots (0.0 when there are none)."""
        slots = list(slot_indexes)
        total = int(self.total[slots].sum())
        if total == 0:
            return 0.0
        k = self.duration_index(minutes)
        return int(self.attendable[l, v, k, slots].sum()) / total


# ----------------------------------------------------------------------------
# Time frame shared by one computation


@dataclass(frozen=True, eq=False)
class _Frame:
    """The stretch of real time that can matter for this term, and the band layout."""

    clock: LocalClock
    first_day: date  # first local day whose busy time can matter
    last_day: date  # last local day whose busy time can matter
    lo: int  # UTC minute: busy time before this is too far from every occurrence to matter
    hi: int  # UTC minute: likewise after
    origin: int  # UTC minute of key offset 0 in each band
    stride: int  # band width per learner row


def _frame(problem: Problem, clock: LocalClock, max_gap: int, max_duration: int) -> _Frame:
    term = problem.term
    # Busy time further than the largest buffer + travel from every occurrence cannot matter;
    # two hours of slack cover a daylight-saving change inside that margin.
    margin = math.ceil((max_gap + max_duration + 120) / MINUTES_PER_DAY) + 1
    first = term.first_day - timedelta(days=margin)
    last = term.last_day + timedelta(days=margin)
    lo = clock.utc_of(first)
    hi = clock.utc_of(last + timedelta(days=1))
    origin = lo - 1  # sentinel interval at offset 0 lies before every real one
    return _Frame(clock, first, last, lo, hi, origin, stride=hi - origin + 2)


def _clock_for(problem: Problem, margin_days: int = 0) -> LocalClock:
    term = problem.term
    pad = timedelta(days=margin_days + 2)
    return LocalClock.for_span(problem.timezone, term.first_day - pad, term.last_day + pad)


# ----------------------------------------------------------------------------
# Expanding rotas and busy intervals into real intervals


_pattern_cache: dict[tuple, np.ndarray] = {}


def _cycle_pattern(cycle: tuple) -> np.ndarray:
    """int64 [E, 4] rows (cycle day, start minute, end minute, ends next day) for one cycle."""
    pattern = _pattern_cache.get(cycle)
    if pattern is None:
        rows = []
        for i, day in enumerate(cycle):
            if day == AWAY:
                rows.append((i, 0, MINUTES_PER_DAY, 0))  # local midnight to local midnight
            else:
                rows.extend((i, s.start, s.end, int(s.crosses_midnight)) for s in day)
        pattern = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
        if len(_pattern_cache) < 4096:
            _pattern_cache[cycle] = pattern
    return pattern


def _rota_intervals(rows: Sequence[int], rotas: Sequence[Rota], frame: _Frame) -> tuple[np.ndarray, ...]:
    """(row, start, end) UTC minutes of every shift and away day touching the frame."""
    patterns = [_cycle_pattern(rota.cycle) for rota in rotas]
    if not patterns:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    sizes = [len(pattern) for pattern in patterns]
    entries = np.concatenate(patterns)
    owner = np.repeat(np.asarray(rows, dtype=np.int64), sizes)
    length = np.repeat(np.asarray([len(rota.cycle) for rota in rotas], dtype=np.int64), sizes)
    anchor_ord = np.repeat(np.asarray([rota.start.toordinal() for rota in rotas], dtype=np.int64), sizes)
    # A shift starting the day before the frame can still reach into it.
    day0 = frame.first_day.toordinal() - 1
    days = frame.last_day.toordinal() - day0 + 1
    first = (anchor_ord + entries[:, 0] - day0) % length  # first frame day on this cycle day
    count = np.maximum(0, (days - first + length - 1) // length)
    which = np.repeat(np.arange(len(entries)), count)
    step = np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)
    day = day0 + first[which] + step * length[which] - EPOCH_ORDINAL
    start_wall = day * MINUTES_PER_DAY + entries[which, 1]
    end_wall = (day + entries[which, 3]) * MINUTES_PER_DAY + entries[which, 2]
    start = frame.clock.to_utc(start_wall)
    end = np.maximum(frame.clock.to_utc(end_wall), start)
    return owner[which], start, end


def _busy_intervals(rows: Sequence[int], learners: Sequence[Learner], frame: _Frame) -> tuple[np.ndarray, ...]:
    owner, start_wall, end_wall = [], [], []
    for row, learner in zip(rows, learners):
        for busy in learner.busy:
            owner.append(row)
            start_wall.append(wall_minute_of(busy.start))
            end_wall.append(wall_minute_of(busy.end))
    start = frame.clock.to_utc(np.asarray(start_wall, dtype=np.int64))
    end = np.maximum(frame.clock.to_utc(np.asarray(end_wall, dtype=np.int64)), start)
    return np.asarray(owner, dtype=np.int64), start, end


def _merged_bands(learners: Sequence[Learner], frame: _Frame) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, merged busy intervals of all learners as keys (row x stride + offset).

    Each band opens and closes with an empty sentinel interval, so every query
    finds a neighbour on both sides without leaving its own band.
    """
    with_rota = [(row, l.rota) for row, l in enumerate(learners) if l.rota is not None]
    r_owner, r_start, r_end = _rota_intervals([r for r, _ in with_rota], [x for _, x in with_rota], frame)
    b_owner, b_start, b_end = _busy_intervals(range(len(learners)), learners, frame)
    owner = np.concatenate([r_owner, b_owner])
    start = np.concatenate([r_start, b_start])
    end = np.concatenate([r_end, b_end])
    # Busy time outside [lo, hi] is further than any buffer + travel from every occurrence.
    keep = (end >= frame.lo) & (start <= frame.hi)
    owner, start, end = owner[keep], start[keep], end[keep]
    start = np.clip(start, frame.lo, frame.hi) - frame.origin
    end = np.clip(end, frame.lo, frame.hi) - frame.origin
    rows = np.arange(len(learners), dtype=np.int64)
    last = frame.stride - 1
    owner = np.concatenate([owner, rows, rows])
    start = np.concatenate([start, np.zeros_like(rows), np.full_like(rows, last)])
    end = np.concatenate([end, np.zeros_like(rows), np.full_like(rows, last)])
    base = owner * frame.stride
    start_key = base + start
    end_key = base + end
    order = np.argsort(start_key, kind="stable")
    start_key, end_key = start_key[order], end_key[order]
    # Merge overlapping or touching intervals; bands never touch, so learners stay apart.
    reach = np.maximum.accumulate(end_key)
    opens = np.empty(len(start_key), dtype=bool)
    opens[0] = True
    opens[1:] = start_key[1:] > reach[:-1]
    merged_start = start_key[opens]
    merged_end = np.maximum.reduceat(end_key, np.flatnonzero(opens))
    return merged_start, merged_end


# ----------------------------------------------------------------------------


def _occurrence_starts(problem: Problem, clock: LocalClock) -> tuple[np.ndarray, np.ndarray]:
    """UTC start minute of every occurrence, slot by slot, and slot offsets [S + 1] into that list."""
    starts, bounds = [], [0]
    for slot in problem.slots:
        days = slot_occurrences(problem, slot)
        starts.extend(wall_minute(day, slot.start) for day in days)
        bounds.append(len(starts))
    utc = clock.to_utc(np.asarray(starts, dtype=np.int64))
    return np.asarray(utc, dtype=np.int64), np.asarray(bounds, dtype=np.int64)


def compute_availability(problem: Problem, learner_indexes: Sequence[int] | None = None) -> Availability:
    """The whole learner x venue x session length x slot matrix of attendable occurrences."""
    indexes = tuple(range(len(problem.learners))) if learner_indexes is None else tuple(learner_indexes)
    learners = [problem.learners[i] for i in indexes]
    durations = tuple(sorted({c.session_minutes for c in problem.courses}))
    place_index, travel = travel_matrix(problem)
    venue_place = np.asarray([place_index[v.place] for v in problem.venues], dtype=np.int64)
    home = np.asarray([place_index[l.home] for l in learners], dtype=np.int64)
    buffer = np.asarray([l.buffer_minutes for l in learners], dtype=np.int64)
    gap = buffer[:, None] + travel[home[:, None], venue_place[None, :]].astype(np.int64)  # [L, V]

    max_gap = int(gap.max()) if gap.size else 0
    max_duration = max(durations, default=0)
    margin_days = math.ceil((max_gap + max_duration + 120) / MINUTES_PER_DAY) + 3
    clock = _clock_for(problem, margin_days)
    frame = _frame(problem, clock, max_gap, max_duration)
    occ_start, bounds = _occurrence_starts(problem, clock)
    total = np.diff(bounds).astype(np.int32)

    shape = (len(learners), len(problem.venues), len(durations), len(problem.slots))
    attendable = np.zeros(shape, dtype=np.int16)
    if 0 in shape or len(occ_start) == 0:
        return Availability(durations, total, attendable, indexes)

    busy_start, busy_end = _merged_bands(learners, frame)
    occ_offset = occ_start - frame.origin
    duration = np.asarray(durations, dtype=np.int64)
    filled = np.flatnonzero(total > 0)  # slots with occurrences; the others stay 0

    def block(lo: int, hi: int) -> None:
        rows = np.arange(lo, hi, dtype=np.int64)
        begin = (rows * frame.stride)[:, None, None] + occ_offset[None, None, :]  # [R, 1, O]
        finish = begin + duration[None, :, None]  # [R, K, O]
        after = np.searchsorted(busy_start, finish, side="left")
        # The nearest busy time after the session, and the latest end among those starting before its end.
        slack = np.minimum(busy_start[after] - finish, begin - busy_end[after - 1])
        fits = slack[:, None, :, :] >= gap[lo:hi, :, None, None]  # [R, V, K, O]
        # Occurrences are grouped by slot; sum each group (a slot has at most 58 in a term, fits uint8).
        attendable[lo:hi, :, :, filled] = np.add.reduceat(fits.view(np.uint8), bounds[:-1][filled], axis=-1)

    spans = [(lo, min(lo + _CHUNK_LEARNERS, len(learners))) for lo in range(0, len(learners), _CHUNK_LEARNERS)]
    workers = min(len(spans), _usable_cores())
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda span: block(*span), spans))
    else:
        for span in spans:
            block(*span)
    return Availability(durations, total, attendable, indexes)


# ----------------------------------------------------------------------------
# Per-occurrence explanation for one learner


def _describe(kind: str, start_wall: int, end_wall: int, label: str, day: date) -> str:
    start = wall_to_datetime(start_wall)
    if kind == "busy":
        end = wall_to_datetime(end_wall)
        if start.date() == end.date():
            return f"busy {start:%Y-%m-%d} {start:%H:%M}-{end:%H:%M}"
        return f"busy {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
    when = {0: "", -1: " the day before", 1: " the day after"}.get(
        (start.date() - day).days, f" on {start:%Y-%m-%d}"
    )
    return f"{kind} {label}{when}".strip() if kind == "shift" else f"away{when}"


def occurrence_conflicts(
    problem: Problem, learner_id: str, venue_id: str, slot: Slot, minutes: int
) -> list[tuple[date, bool, str | None]]:
    """For each occurrence of `slot`: (date, attendable, what blocks it in plain words or None).

    Agrees with `compute_availability`; names the earliest blocking shift, away day or busy interval.
    """
    learner = next((l for l in problem.learners if l.id == learner_id), None)
    venue = next((v for v in problem.venues if v.id == venue_id), None)
    if learner is None or venue is None:
        unknown = f"learner {learner_id!r}" if learner is None else f"venue {venue_id!r}"
        raise KeyError(f"unknown {unknown}; use the id of one of the problem's {unknown.split()[0]}s")
    place_index, travel = travel_matrix(problem)
    gap = learner.buffer_minutes + int(travel[place_index[learner.home], place_index[venue.place]])
    margin_days = math.ceil((gap + minutes + 120) / MINUTES_PER_DAY) + 1
    clock = _clock_for(problem, margin_days + 2)

    items: list[tuple[int, int, int]] = []  # (utc start, utc end, index into raw)
    raw: list[tuple[str, int, int, str]] = []  # (kind, start wall, end wall, shift label)
    if learner.rota is not None:
        day = problem.term.first_day - timedelta(days=margin_days + 1)
        while day <= problem.term.last_day + timedelta(days=margin_days):
            entry = learner.rota.day(day)
            if entry == AWAY:
                raw.append(("away", wall_minute(day), wall_minute(day + timedelta(days=1)), ""))
            else:
                for shift in entry:
                    ends = day + timedelta(days=1) if shift.crosses_midnight else day
                    raw.append(("shift", wall_minute(day, shift.start), wall_minute(ends, shift.end), shift.label))
            day += timedelta(days=1)
    for busy in learner.busy:
        raw.append(("busy", wall_minute_of(busy.start), wall_minute_of(busy.end), ""))
    for kind, start_wall, end_wall, label in raw:
        start = clock.to_utc(start_wall)
        items.append((start, max(start, clock.to_utc(end_wall)), len(items)))
    items.sort()

    result = []
    for day in slot_occurrences(problem, slot):
        begin = clock.utc_of(day, slot.start)
        finish = begin + minutes
        blocker = next((i for s, e, i in items if s < finish + gap and e > begin - gap), None)
        if blocker is None:
            result.append((day, True, None))
        else:
            kind, start_wall, end_wall, label = raw[blocker]
            result.append((day, False, _describe(kind, start_wall, end_wall, label, day)))
    return result


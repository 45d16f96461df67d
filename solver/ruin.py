"""Ruin and recreate: a fast local search over whole timetables.

Each step takes the timetable found so far, closes a few of its groups (a random
few, a few at one venue, a few at a venue where an unplaced learner could go, or
every group of one teacher), lets their learners go,
and fills it again the greedy way (`solve.fill`: open the group that seats the
most, then one-move augmentations).  The result replaces the timetable when it
places at least as many: accepting equal ones lets the search drift across the
many timetables that place the same number, which is where the next better one
is found.

Measured on the synthetic Midt-Troms problem with 1,000 learners (2 cores): from
the greedy start of 848 placed, 40 seconds of this reach 879-900, while CP-SAT's
counting model (`patterns.py`), given 45 seconds from the same start, found 852.
The rules every step keeps are the greedy's own (`timetable.Timetable`), so every
timetable it returns is valid.
"""

from __future__ import annotations

import random
import time
from typing import Callable

from solver.bounds import usable_venues
from solver.greedy import augment, greedy_fill
from solver.timetable import Timetable

MAX_CLOSED = 4        # groups closed at most per step (measured: 4-6 do about equally, 2 stalls sooner)
RESTARTS = 2          # independent searches at least before going on from the best (see ruin_and_recreate)
RESTART_STEPS = 150   # ... each of at most this many steps when there is time for more (N=1000: about 10 s)
STALL_STEPS = 500     # a search ends after this many steps without placing more (at least)
TARGETED = 0.3        # share of steps that close groups at a venue some unplaced learner could use


def ruin_and_recreate(table: Timetable, blocked: set[int], deadline: float, seed: int = 0,
                      on_progress: Callable[[int], None] | None = None, restarts: int = RESTARTS,
                      steps: int | None = None, ceiling: int | None = None) -> Timetable:
    """The best timetable the search finds from `table` before `deadline` (time.monotonic()).

    The first half of the time goes to independent searches from `table`, the rest
    to going on from the best of them: single searches end far apart (N=1000, 40 s:
    879-900; one 10-minute search ended at 883), and the best of several short ones
    is the better place to go on from (mean of three 40-s runs 887 with one search,
    892 with two).  Each has at most `RESTART_STEPS` steps; there are `restarts` of
    them, and more while the first half lasts if they found better than `table`.
    `table` itself is not changed.  Locked groups and the learners of `current` are
    never touched; `on_progress(placed)` hears of every improvement.  A search that
    has gone as many steps without placing more as it took to get there (and at
    least `STALL_STEPS`) ends: on small problems that is soon, and CP-SAT gets the
    time to prove its optimum.  With `steps`, each search stops after that many steps
    and there are exactly `restarts` + 1 searches (then a seed gives the same result
    every time).  All stop once they place `ceiling` (a proven bound: nothing better
    exists).
    """
    if ceiling is not None and table.placed_value() >= ceiling:
        return table
    restarts = max(1, restarts)
    problem, options = table.options.problem, table.options
    pinned = {options.learner_index[l] for g in problem.current_groups for l in g.learners
              if l in options.learner_index}
    # Where each learner could go, for the targeted steps.
    venues_of = [sorted(vs) for vs in usable_venues(options, blocked)]
    search = lambda start, end, k, limit: _search(start, blocked, pinned, venues_of, end, seed * 1000 + k,
                                                  on_progress, limit, ceiling)
    half = time.monotonic() + (deadline - time.monotonic()) / 2
    found: list[Timetable] = []
    stalled = False
    while len(found) < restarts or (steps is None and time.monotonic() < half and not stalled
                                    and max(t.placed_value() for t in found) > table.placed_value()):
        k = len(found)
        end = time.monotonic() + (half - time.monotonic()) / (restarts - k) if k < restarts else half
        best, stalled = search(table, end, k, RESTART_STEPS if steps is None else steps)
        found.append(best)
        if ceiling is not None and best.placed_value() >= ceiling:
            break
    best = max(found, key=lambda t: t.placed_value())
    return search(best, deadline, len(found), steps)[0]


def _search(table: Timetable, blocked: set[int], pinned: set[int], venues_of: list[list[int]], deadline: float,
            seed: int, on_progress, steps: int | None, ceiling: int | None) -> tuple[Timetable, bool]:
    """One search from `table`: its best timetable, and whether it ended for want of progress."""
    rng = random.Random(seed)
    waiting = [l for l, vs in enumerate(venues_of) if vs]
    best, value = table, table.placed_value()
    step = last = 0
    while time.monotonic() < deadline and (steps is None or step < steps) \
            and (ceiling is None or value < ceiling):
        if step - last >= max(STALL_STEPS, last):
            return best, True
        step += 1
        candidate = best.copy()
        movable = [g for g in candidate.groups if not g.locked and not pinned & set(g.learners)]
        if not movable:
            return best, True
        unplaced = [l for l in rng.sample(waiting, min(20, len(waiting))) if l not in candidate.group_of]
        near = rng.choice(venues_of[unplaced[0]]) if unplaced and rng.random() < TARGETED else None
        for g in _victims(rng, movable, near):
            candidate.remove(g)
        capped = rng.random() < 0.5
        candidate = greedy_fill(augment(greedy_fill(candidate, blocked, capped), blocked, pinned), blocked, capped)
        placed = candidate.placed_value()
        if placed >= value:
            if placed > value:
                last = step
                if on_progress is not None:
                    on_progress(placed)
            best, value = candidate, placed
    return best, False


def _victims(rng: random.Random, groups: list, near: int | None) -> list:
    """The groups one step closes: a random few, a few at one venue, or all of one teacher's.

    With `near` (a venue an unplaced learner could use), a few there.
    """
    count = rng.randint(1, MAX_CLOSED)
    kind = rng.random()
    if near is not None:
        here = [g for g in groups if g.venue == near]
        return rng.sample(here, min(count, len(here)))
    if kind < 0.4:
        return rng.sample(groups, min(count, len(groups)))
    if kind < 0.7:
        venue = rng.choice(groups).venue
        here = [g for g in groups if g.venue == venue]
        return rng.sample(here, min(count, len(here)))
    teacher = rng.choice(groups).teacher
    return [g for g in groups if g.teacher == teacher]

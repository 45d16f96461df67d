"""Fast timetables without CP-SAT: the status quo, the kept `current`, and a greedy fill.

- `status_quo` is how providers plan today: every venue offers each course on
  Mon+Wed and Tue+Thu at 18:00 (one-session courses: Mon and Tue 18:00), and
  learners come first come, first served to the nearest group they can attend.
- `kept_current` is the published timetable with whatever no longer holds
  removed (locked parts are kept as they are; the model reports them
  infeasible if they break a rule).
- `greedy_fill` places unplaced learners into groups with room, then keeps
  opening the group (course, venue, slot pattern, teacher) that places the
  most learners until no group can reach its minimum size.

The optimizer starts CP-SAT from the best of these, so its answer is never
worse than the status quo.
"""

from __future__ import annotations

import numpy as np

from solver.options import Options
from solver.problem import parse_clock, parse_day
from solver.timetable import Group, Timetable

STATUS_QUO_DAYS = (("mon", "wed"), ("tue", "thu"))
STATUS_QUO_START = "18:00"


def _suits(options: Options, learner: int, group: Group) -> bool:
    return options.suits(learner, group.course, group.venue, group.slots)


def status_quo(options: Options) -> Timetable:
    """Today's practice (see the module docstring); a valid timetable."""
    problem = options.problem
    slot_of = {(s.day, s.start): i for i, s in enumerate(problem.slots)}
    start = parse_clock(STATUS_QUO_START)
    table = Timetable(options)
    for offer in options.offers:
        course = problem.courses[offer.course]
        for days in STATUS_QUO_DAYS:
            wanted = [(parse_day(d), start) for d in days[:course.sessions_per_week]]
            if len(wanted) < course.sessions_per_week or any(w not in slot_of for w in wanted):
                continue
            slots = tuple(sorted(slot_of[w] for w in wanted))
            if not all(s in offer.slots for s in slots) or not table.room_free(offer.course, offer.venue, slots):
                continue
            teachers = table.free_teachers(offer.course, offer.venue, slots)
            if teachers:
                table.add(Group(offer.course, offer.venue, slots, teachers[0]))
    while True:
        for g in table.groups:
            for l in list(g.learners):
                table.unplace(l)
        for l in range(len(problem.learners)):
            near = sorted((g for g in table.groups if len(g.learners) < options.max_group(g.course, g.venue)
                           and _suits(options, l, g)),
                          key=lambda g: int(options.learner_travel[l, g.venue]))
            if near:
                table.place(l, near[0])
        small = [g for g in table.groups if len(g.learners) < problem.courses[g.course].min_group]
        if not small:
            return table
        for g in small:
            table.remove(g)


def kept_current(options: Options) -> Timetable:
    """The published groups, minus learners and groups that no longer fit (locked parts kept)."""
    problem = options.problem
    table = Timetable(options)
    slot_of = {(s.day, s.start): i for i, s in enumerate(problem.slots)}
    for current in problem.current_groups:
        if current.course not in options.course_index or current.venue not in options.venue_index:
            continue
        c, v = options.course_index[current.course], options.venue_index[current.venue]
        slots = tuple(sorted(slot_of[(s.day, s.start)] for s in current.slots if (s.day, s.start) in slot_of))
        teacher = options.teacher_index.get(current.teacher) if current.teacher else None
        learners = [options.learner_index[l] for l in current.learners if l in options.learner_index]
        group = Group(c, v, slots, teacher, [], current.id, current.locked)
        if current.locked:
            group.learners = learners
            table.add(group)
            continue
        course = problem.courses[c]
        if (len(slots) != course.sessions_per_week or teacher is None
                or options.offer(c, v) is None or any(s not in options.offer(c, v).slots for s in slots)
                or not table.room_free(c, v, slots) or not table.teacher_can(teacher, c, v, slots)):
            continue
        group.learners = [l for l in learners if l not in table.group_of and _suits(options, l, group)]
        group.learners = group.learners[:options.max_group(c, v)]
        if len(group.learners) >= course.min_group:
            table.add(group)
    return table


def greedy_fill(table: Timetable, blocked: set[int] = frozenset(), capped: bool = False,
                venues: set[int] | None = None, rng=None) -> Timetable:
    """Place more learners into `table` (changed in place and returned); `blocked` stay unplaced.

    Each step opens the group that places the most learners; with `capped`, a
    pattern counts at most `max_group` learners and ties go to the pattern whose
    learners have the fewest other options.  With `venues`, only groups there open.
    A group gets the free teacher who lives nearest, or with `rng` (random.Random) any
    free teacher: ruin and recreate's refills then try other teachers too.
    """
    options = table.options
    problem = options.problem
    priority = np.array([l.priority for l in problem.learners], dtype=np.int64)
    free = np.ones(len(problem.learners), dtype=bool)
    for l in table.group_of:
        free[l] = False
    for l in blocked:
        free[l] = False

    # Into existing groups with room first: it costs nothing.
    for g in table.groups:
        room = options.max_group(g.course, g.venue) - len(g.learners)
        if g.locked or room <= 0:
            continue
        offer = options.offer(g.course, g.venue)
        column = None if offer is None else offer.pattern_index(g.slots)
        if column is None:
            continue
        candidates = [l for l in offer.members(column) if free[l]]
        candidates.sort(key=lambda l: -priority[l])
        for l in candidates[:room]:
            table.place(l, g)
            free[l] = False

    flexibility = options.flexibility()
    scarcity = 1.0 / np.maximum(flexibility, 1)
    # Counted over the learners still free only: after a ruin step that is about one in ten.
    # As matrix-vector products over float copies of `suits` (BLAS; exact for these counts).
    counts = [np.rint(free[offer.learners].astype(np.float32) @ offer.suits_float()).astype(np.int64)
              for offer in options.offers]
    weights = (scarcity * free).astype(np.float32)
    scarce = [weights[offer.learners] @ offer.suits_float() for offer in options.offers]

    def scores(index: int) -> np.ndarray:
        if not capped:
            return counts[index].astype(np.float64)
        offer = options.offers[index]
        # Capped count, then the mean scarcity (< 1) of the learners it would serve.
        return np.minimum(counts[index], options.max_group(offer.course, offer.venue)) + scarce[index] / np.maximum(counts[index], 1) * 0.999

    # Each offer's best pattern that could open now, and the teacher who could take it.
    # It stays so until learners it counts are placed, a group opens at its venue (rooms)
    # or its teacher gets a group: only those offers are looked at again.
    top: dict[int, tuple[float, int, int] | None] = {}

    def best_of(index: int) -> tuple[float, int, int] | None:
        offer = options.offers[index]
        live = np.flatnonzero(counts[index] >= problem.courses[offer.course].min_group)
        if not len(live):
            return None
        teachers = table.pattern_teachers(offer.course, offer.venue, offer.patterns[live])
        live = live[teachers >= 0]
        if not len(live):
            return None
        value = scores(index)[live]
        at = int(np.argmax(value))      # the first of the best: the lowest pattern index among equals
        return float(value[at]), int(live[at]), int(teachers[teachers >= 0][at])

    while True:
        best = None
        for index, offer in enumerate(options.offers):
            if venues is not None and offer.venue not in venues:
                continue
            if index not in top:
                top[index] = best_of(index)
            if top[index] is not None and (best is None or top[index][0] > best[0]):
                best = (top[index][0], index, top[index][1])
        if best is None:
            return table
        _, index, p = best
        offer = options.offers[index]
        course = problem.courses[offer.course]
        slots = offer.pattern_slots[p]
        rows = np.flatnonzero(offer.suits[:, p] & free[offer.learners])
        chosen = offer.learners[rows]
        order = np.lexsort((flexibility[chosen], -priority[chosen]))
        chosen = [int(l) for l in chosen[order][:options.max_group(offer.course, offer.venue)]]
        free_teachers = table.free_teachers(offer.course, offer.venue, slots)
        teacher = free_teachers[0] if rng is None else rng.choice(free_teachers)
        table.add(Group(offer.course, offer.venue, slots, teacher, chosen))
        free[chosen] = False
        touched = {i for l in chosen for i in options.offers_of_learner[l]}
        for other_index in touched:
            other = options.offers[other_index]
            rows = [other.row_of[l] for l in chosen if l in other.row_of]
            counts[other_index] = counts[other_index] - other.suits[rows].sum(axis=0)
            scarce[other_index] = scarce[other_index] - scarcity[other.learners[rows]] @ other.suits[rows]
        # An offer without an openable pattern stays so: counts only fall and groups only open.
        for other_index, found in list(top.items()):
            if found is not None and (other_index in touched or found[2] == teacher
                                      or options.offers[other_index].venue == offer.venue):
                del top[other_index]


def augment(table: Timetable, blocked: set[int] = frozenset(), pinned: set[int] = frozenset()) -> Timetable:
    """Seat unplaced learners by moving one member of a full group to another group (in place).

    Learners in `pinned` (those with a group in `current`) are never moved.
    Each move places one more learner, so the loop ends.
    """
    options = table.options
    problem = options.problem
    # Who could join which group, as (learner, group position) pairs sorted by learner;
    # a learner's list is made when it is first asked for (most never are).
    learners, positions = [], []
    for position, g in enumerate(table.groups):
        offer = options.offer(g.course, g.venue)
        column = None if offer is None else offer.pattern_index(g.slots)
        if column is not None and not g.locked:
            members = offer.member_array(column)
            learners.append(members)
            positions.append(np.full(len(members), position))
    if not learners:
        return table
    learners, positions = np.concatenate(learners), np.concatenate(positions)
    order = np.argsort(learners, kind="stable")      # stable: each learner's groups stay in timetable order
    learners, positions = learners[order], positions[order]
    everyone = np.arange(len(problem.learners))
    first, last = np.searchsorted(learners, everyone, "left"), np.searchsorted(learners, everyone, "right")
    groups = table.groups
    room = [options.max_group(g.course, g.venue) - len(g.learners) for g in groups]
    kept: dict[int, list[int]] = {}

    def groups_of(l: int) -> list[int]:
        """The positions of the groups `l` could join, in timetable order."""
        found = kept.get(l)
        if found is None:
            found = kept[l] = positions[first[l]:last[l]].tolist()
        return found

    def place(l: int, p: int) -> None:
        table.place(l, groups[p])
        room[p] -= 1

    waiting = sorted((l for l in np.flatnonzero(last > first).tolist() if l not in table.group_of
                      and l not in blocked), key=lambda l: -problem.learners[l].priority)
    # Groups only ever fill up here (a move keeps one group's size and grows another), so a
    # full group none of whose members could move, and a member with no other group with
    # room, stay so: remembered, they are not searched again (this search was most of a
    # ruin and recreate step on large problems: bench/NOTES.md, "Cheaper steps").
    dead: set[int] = set()
    stuck: set[int] = set()
    for u in waiting:
        for p in groups_of(u):
            if room[p] > 0:
                place(u, p)
                break
            if p in dead:
                continue
            mover = None
            for m in groups[p].learners:
                if m in pinned or m in stuck:
                    continue
                p2 = next((p2 for p2 in groups_of(m) if p2 != p and room[p2] > 0), None)
                if p2 is None:
                    stuck.add(m)
                else:
                    mover = m, p2
                    break
            if mover is None:
                dead.add(p)
            else:
                m, p2 = mover
                table.unplace(m)
                room[p] += 1
                place(m, p2)
                place(u, p)
                break
    return table

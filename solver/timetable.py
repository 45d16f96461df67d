"""A timetable under construction: opened groups, and the checks for adding one more.

Used by the greedy start, the status quo, the repair after CP-SAT and the
explanations, so that "a room is free" and "a teacher could take it" mean the
same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from solver.options import Options


@dataclass
class Group:
    """An opened group: indexes into the problem's courses, venues, slots, teachers, learners."""

    course: int
    venue: int
    slots: tuple[int, ...]
    teacher: int | None
    learners: list[int] = field(default_factory=list)
    id: str | None = None           # kept from `current`, else named when the solution is written
    locked: bool = False


class Timetable:
    """Groups plus the bookkeeping that makes "can this group open?" cheap to answer."""

    def __init__(self, options: Options, groups=()):
        self.options = options
        self.groups: list[Group] = []
        self.group_of: dict[int, Group] = {}
        self._at_venue: dict[int, dict] = {}    # venue -> day -> its sessions (start, end); see room_free
        for group in groups:
            self.add(group)

    def copy(self) -> "Timetable":
        return Timetable(self.options, [Group(g.course, g.venue, g.slots, g.teacher, list(g.learners), g.id, g.locked)
                                        for g in self.groups])

    def add(self, group: Group) -> Group:
        self.groups.append(group)
        self._at_venue.pop(group.venue, None)
        for l in group.learners:
            self.group_of[l] = group
        return group

    def remove(self, group: Group) -> None:
        self.groups.remove(group)
        self._at_venue.pop(group.venue, None)
        for l in group.learners:
            self.group_of.pop(l, None)

    def place(self, learner: int, group: Group) -> None:
        group.learners.append(learner)
        self.group_of[learner] = group

    def unplace(self, learner: int) -> None:
        group = self.group_of.pop(learner)
        group.learners.remove(learner)

    def placed_value(self) -> int:
        return sum(self.options.problem.learners[l].priority for l in self.group_of)

    # -- rooms and teachers -----------------------------------------------
    def _interval(self, course: int, slot: int) -> tuple[int, int, int]:
        o = self.options
        start = int(o.slot_start[slot])
        return int(o.slot_day[slot]), start, start + o.minutes(course)

    def room_free(self, course: int, venue: int, slots) -> bool:
        """True when the venue has a free room at every instant of every session at `slots`."""
        rooms = self.options.problem.venues[venue].rooms
        # Cached per venue and day (groups come and go through add and remove; the greedy asks often).
        by_day = self._at_venue.get(venue)
        if by_day is None:
            by_day = {}
            for g in self.groups:
                if g.venue == venue:
                    for s in g.slots:
                        day, start, end = self._interval(g.course, s)
                        by_day.setdefault(day, []).append((start, end))
            self._at_venue[venue] = by_day
        for slot in slots:
            day, start, end = self._interval(course, slot)
            overlapping = [(s, e) for s, e in by_day.get(day, ()) if s < end and start < e]
            if len(overlapping) < rooms:
                continue
            # The busiest instant of [start, end) is `start` or the start of an overlapping session.
            for instant in {start} | {s for s, _ in overlapping if s > start}:
                if sum(1 for s, e in overlapping if s <= instant < e) >= rooms:
                    return False
        return True

    def teacher_can(self, teacher: int, course: int, venue: int, slots) -> bool:
        """True when `teacher` may teach one more group of `course` at `venue` at `slots`."""
        if not all(self.options.teacher_slots[teacher, course, s] for s in slots):
            return False
        return self._fits_week(teacher, course, venue, slots)

    def _fits_week(self, teacher: int, course: int, venue: int, slots) -> bool:
        """The weekly maximum and the teacher's other sessions (with driving) allow the group."""
        o = self.options
        own = [g for g in self.groups if g.teacher == teacher]
        load = sum(len(g.slots) for g in own)
        if load + len(slots) > o.problem.teachers[teacher].max_sessions_per_week:
            return False
        for g in own:
            drive = int(o.venue_travel[g.venue, venue])
            for theirs in g.slots:
                d2, s2, e2 = self._interval(g.course, theirs)
                for mine in slots:
                    d1, s1, e1 = self._interval(course, mine)
                    if d1 == d2 and not (e1 + drive <= s2 or e2 + drive <= s1):
                        return False
        return True

    def _qualified(self, course: int, slots) -> list[int]:
        """Teachers of the course's level available at every one of `slots`."""
        return np.flatnonzero(self.options.teacher_slots[:, course, list(slots)].all(axis=1)).tolist()

    def free_teachers(self, course: int, venue: int, slots) -> list[int]:
        """Teachers who could take the group, nearest home first."""
        o = self.options
        found = [t for t in self._qualified(course, slots) if self._fits_week(t, course, venue, slots)]
        return sorted(found, key=lambda t: (int(o.teacher_travel[t, venue]), t))

    def has_free_teacher(self, course: int, venue: int, slots) -> bool:
        """Whether some teacher could take the group (`free_teachers` without the sorting)."""
        return any(self._fits_week(t, course, venue, slots) for t in self._qualified(course, slots))

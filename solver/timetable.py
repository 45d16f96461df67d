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
    """Groups plus the bookkeeping that makes "can this group open?" cheap to answer.

    Whether a room, or a teacher, is free for a session is the same question for every
    pattern that holds that slot, so the answers are kept per slot: per venue and session
    length for the rooms, per teacher, venue and session length for the teachers.  `add`
    and `remove` forget what a change could alter (the ruin and recreate search asks these
    questions millions of times between changes).  Code that changes a group's teacher in
    place calls `forget`.
    """

    def __init__(self, options: Options, groups=()):
        self.options = options
        self.groups: list[Group] = []
        self.group_of: dict[int, Group] = {}
        self._rooms: dict[int, dict[int, np.ndarray]] = {}       # venue -> minutes -> room free, per slot
        self._teaching: dict[int, dict[tuple, np.ndarray]] = {}  # teacher -> (venue, minutes) -> free, per slot
        for group in groups:
            self.add(group)

    def copy(self) -> "Timetable":
        """Copies of the groups; the kept answers come along.

        They are shared: what is kept for a venue or teacher holds for every copy until
        that copy changes them, and then it drops its own entry (`_changed`).
        """
        copied = Timetable(self.options, [Group(g.course, g.venue, g.slots, g.teacher, list(g.learners), g.id,
                                                g.locked) for g in self.groups])
        copied._rooms = dict(self._rooms)
        copied._teaching = dict(self._teaching)
        return copied

    def add(self, group: Group) -> Group:
        self.groups.append(group)
        self._changed(group)
        for l in group.learners:
            self.group_of[l] = group
        return group

    def remove(self, group: Group) -> None:
        self.groups.remove(group)
        self._changed(group)
        for l in group.learners:
            self.group_of.pop(l, None)

    def _changed(self, group: Group) -> None:
        self._rooms.pop(group.venue, None)
        self._teaching.pop(group.teacher, None)

    def forget(self) -> None:
        """Drop every kept answer (after groups were changed in place)."""
        self._rooms.clear()
        self._teaching.clear()

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

    def _sessions(self, groups) -> list[tuple[int, int, int, Group]]:
        return [(*self._interval(g.course, s), g) for g in groups for s in g.slots]

    def room_free(self, course: int, venue: int, slots) -> bool:
        """True when the venue has a free room at every instant of every session at `slots`."""
        free = self._room_slots(venue, self.options.minutes(course))
        return all(free[s] for s in slots)

    def _room_slots(self, venue: int, minutes: int) -> np.ndarray:
        free = self._rooms.setdefault(venue, {}).get(minutes)
        if free is None:
            free = self._rooms[venue][minutes] = self._free_rooms(venue, minutes)
        return free

    def pattern_teachers(self, course: int, venue: int, patterns: np.ndarray) -> np.ndarray:
        """Per pattern (rows of slot indexes): a teacher who could take a group there, or -1.

        -1 also when the venue has no free room for it.  The same answers as `room_free`
        and `free_teachers`, for a whole offer at once.
        """
        o = self.options
        minutes = o.minutes(course)
        found = np.full(len(patterns), -1, dtype=np.int64)
        open_room = self._room_slots(venue, minutes)[patterns].all(axis=1)
        if not open_room.any():
            return found
        sessions = patterns.shape[1]
        able, free = [], []
        for t in o.course_teachers(course):
            load, week = self._teacher_week(t, venue, minutes)
            if load + sessions <= o.problem.teachers[t].max_sessions_per_week:
                able.append(t)
                free.append(week)
        if not able:
            return found
        # Teacher x pattern: free at every session; the first able teacher of each pattern.
        fits = (np.stack(free) & o.teacher_slots[able, course])[:, patterns].all(axis=2) & open_room
        some = fits.any(axis=0)
        found[some] = np.asarray(able)[fits.argmax(axis=0)[some]]
        return found

    def _free_rooms(self, venue: int, minutes: int) -> np.ndarray:
        o = self.options
        rooms = o.problem.venues[venue].rooms
        sessions = self._sessions(g for g in self.groups if g.venue == venue)
        free = np.ones(len(o.slot_start), dtype=bool)
        for slot in range(len(free)):
            day, start = int(o.slot_day[slot]), int(o.slot_start[slot])
            end = start + minutes
            overlapping = [(s, e) for d, s, e, _ in sessions if d == day and s < end and start < e]
            if len(overlapping) < rooms:
                continue
            # The busiest instant of [start, end) is `start` or the start of an overlapping session.
            free[slot] = all(sum(1 for s, e in overlapping if s <= instant < e) < rooms
                             for instant in {start} | {s for s, _ in overlapping if s > start})
        return free

    def teacher_can(self, teacher: int, course: int, venue: int, slots) -> bool:
        """True when `teacher` may teach one more group of `course` at `venue` at `slots`."""
        if not all(self.options.teacher_slots[teacher, course, s] for s in slots):
            return False
        return self._fits_week(teacher, course, venue, slots)

    def _fits_week(self, teacher: int, course: int, venue: int, slots) -> bool:
        """The weekly maximum and the teacher's other sessions (with driving) allow the group."""
        load, free = self._teacher_week(teacher, venue, self.options.minutes(course))
        if load + len(slots) > self.options.problem.teachers[teacher].max_sessions_per_week:
            return False
        return all(free[s] for s in slots)

    def _teacher_week(self, teacher: int, venue: int, minutes: int) -> tuple[int, np.ndarray]:
        """The teacher's sessions per week, and per slot whether a session of `minutes` at `venue` fits."""
        kept = self._teaching.get(teacher)
        if kept is None:
            # Copies of the groups: copied tables share what they keep, not their groups.
            own = [Group(g.course, g.venue, g.slots, teacher) for g in self.groups if g.teacher == teacher]
            kept = self._teaching[teacher] = {"own": own, "load": sum(len(g.slots) for g in own)}
        free = kept.get((venue, minutes))
        if free is None:
            free = kept[venue, minutes] = self._free_sessions(kept["own"], venue, minutes)
        return kept["load"], free

    def _free_sessions(self, own: list[Group], venue: int, minutes: int) -> np.ndarray:
        """Per slot: a session of `minutes` there at `venue` clears the teacher's others, driving included."""
        o = self.options
        starts = o.slot_start.astype(np.int64)
        free = np.ones(len(starts), dtype=bool)
        for day, s2, e2, g in self._sessions(own):
            drive = int(o.venue_travel[g.venue, venue])
            free &= ~((o.slot_day == day) & ~((starts + minutes + drive <= s2) | (e2 + drive <= starts)))
        return free

    def _qualified(self, course: int, slots) -> list[int]:
        """Teachers of the course's level available at every one of `slots`."""
        return np.flatnonzero(self.options.teacher_slots[:, course, list(slots)].all(axis=1)).tolist()

    def free_teachers(self, course: int, venue: int, slots) -> list[int]:
        """Teachers who could take the group, nearest home first."""
        o = self.options
        found = [t for t in self._qualified(course, slots) if self._fits_week(t, course, venue, slots)]
        return sorted(found, key=lambda t: (int(o.teacher_travel[t, venue]), t))

"""Who could join what: the problem turned into index arrays for the optimizer.

`Options` holds, for one problem (or one region of it), everything the greedy
start, the CP-SAT model and the explanations need, computed once with numpy:
the candidate slots each course may use at each venue, every weekly pattern of
slots a group could meet at (one slot per weekday), and for each learner the
attendable share of every pattern at every venue in reach.  A pattern *suits* a
learner when the learner's level matches, the venue is in reach and the share
is at least the course's `min_attendance`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from solver.availability import Availability, compute_availability
from solver.problem import Problem
from solver.travel import travel_matrix

EPSILON = 1e-9  # shares are compared as floats; equality with min_attendance counts as enough


@dataclass
class Offer:
    """One course at one venue: its candidate slots, patterns and the learners it could suit."""

    course: int
    venue: int
    slots: np.ndarray          # slot indexes that fit the venue's hours for this course
    patterns: np.ndarray       # int [P, sessions_per_week] slot indexes, one weekday each
    sessions: np.ndarray       # int [P] occurrences in the term of each pattern
    learners: np.ndarray       # int [n] learners of the course's level with the venue in reach
    shares: np.ndarray         # float32 [n, P] attendable share of each pattern
    suits: np.ndarray          # bool [n, P] share >= min_attendance, on patterns min_group learners suit
    suits_share: np.ndarray    # bool [n, P] share >= min_attendance alone
    row_of: dict = field(default_factory=dict)   # learner index -> row in `learners`
    # Derived in __post_init__: each pattern's slots as a tuple, and sorted slots -> pattern index.
    pattern_slots: list = field(init=False, repr=False)
    pattern_of: dict = field(init=False, repr=False)

    def __post_init__(self):
        self.pattern_slots = [tuple(int(s) for s in row) for row in self.patterns]
        self.pattern_of = {tuple(sorted(slots)): p for p, slots in enumerate(self.pattern_slots)}

    def member_array(self, pattern: int) -> np.ndarray:
        """The learners `pattern` suits, by index; kept (the greedy and its augmentations ask often)."""
        kept = self.__dict__.setdefault("_member_arrays", {})
        if pattern not in kept:
            kept[pattern] = self.learners[self.suits[:, pattern]]
        return kept[pattern]

    def members(self, pattern: int) -> tuple[int, ...]:
        """`member_array(pattern)` as a tuple of ints, kept."""
        kept = self.__dict__.setdefault("_members", {})
        if pattern not in kept:
            kept[pattern] = tuple(self.member_array(pattern).tolist())
        return kept[pattern]

    def suits_float(self) -> np.ndarray:
        """`suits` as float32, kept: the greedy counts free learners per pattern as a matrix product."""
        kept = self.__dict__.get("_suits_float")
        if kept is None:
            kept = self.__dict__["_suits_float"] = self.suits.astype(np.float32)
        return kept

    def pattern_index(self, slots) -> int | None:
        """The pattern meeting at `slots` (any order), or None when the offer has none."""
        return self.pattern_of.get(tuple(sorted(slots)))


@dataclass
class Options:
    problem: Problem
    availability: Availability
    travel: np.ndarray                 # minutes [P, P] between places
    place_index: dict
    slot_day: np.ndarray               # int [S]
    slot_start: np.ndarray             # int [S] minutes after midnight
    venue_place: np.ndarray            # int [V] place index
    learner_travel: np.ndarray         # int [L, V] minutes from home to venue
    teacher_travel: np.ndarray         # int [T, V]
    venue_travel: np.ndarray           # int [V, V]
    offers: list[Offer]
    offers_of_learner: list[list[int]]  # learner -> offer indexes at their level in reach
    teacher_slots: np.ndarray          # bool [T, C, S]: qualified and available for that session
    course_index: dict
    venue_index: dict
    teacher_index: dict
    learner_index: dict
    offer_of: dict = field(default_factory=dict)   # (course, venue) -> offer index

    def flexibility(self) -> np.ndarray:
        """Per learner, how many (offer, pattern) pairs suit them; computed once (the greedy asks often)."""
        if getattr(self, "_flexibility", None) is None:
            flexibility = np.zeros(len(self.problem.learners), dtype=np.int64)
            for offer in self.offers:
                flexibility[offer.learners] += offer.suits.sum(axis=1)
            self._flexibility = flexibility
        return self._flexibility

    def course_teachers(self, course: int) -> list[int]:
        """Teachers who could teach `course` at some slot, by index; kept."""
        kept = self.__dict__.setdefault("_course_teachers", {})
        if course not in kept:
            kept[course] = np.flatnonzero(self.teacher_slots[:, course].any(axis=1)).tolist()
        return kept[course]

    def max_group(self, course: int, venue: int) -> int:
        """Learners a group of `course` at `venue` may hold (`Problem.max_group`: the room's seats count too)."""
        return self.problem.max_group(course, venue)

    def pinned(self) -> set[int]:
        """Learners with a group in `current`: the searches never move them."""
        return {self.learner_index[l] for g in self.problem.current_groups for l in g.learners
                if l in self.learner_index}

    def offer(self, course: int, venue: int) -> Offer | None:
        index = self.offer_of.get((course, venue))
        return None if index is None else self.offers[index]

    def suits(self, learner: int, course: int, venue: int, slots) -> bool:
        """Level, reach and attendable share >= min_attendance for a group there at `slots`."""
        offer = self.offer(course, venue)
        if offer is None or learner not in offer.row_of:
            return False
        return self.share(learner, offer, slots) + EPSILON >= self.problem.courses[course].min_attendance

    def minutes(self, course: int) -> int:
        return self.problem.courses[course].session_minutes

    def share(self, learner: int, offer: Offer, slots) -> float:
        """Attendable share of a learner in a group of `offer` meeting at `slots`."""
        k = self.availability.durations.index(self.minutes(offer.course))
        attendable = self.availability.attendable[learner, offer.venue, k, list(slots)].sum()
        total = self.availability.total[list(slots)].sum()
        return float(attendable) / float(total) if total else 0.0


def _fits(problem: Problem, course, venue, slot) -> bool:
    return any(w.contains(slot.day, slot.start, course.session_minutes) for w in venue.open)


def build_options(problem: Problem) -> Options:
    """Index arrays for `problem` (see the module docstring)."""
    availability = compute_availability(problem)
    place_index, travel = travel_matrix(problem)
    course_index = {c.id: i for i, c in enumerate(problem.courses)}
    venue_index = {v.id: i for i, v in enumerate(problem.venues)}
    teacher_index = {t.id: i for i, t in enumerate(problem.teachers)}
    learner_index = {l.id: i for i, l in enumerate(problem.learners)}
    slot_day = np.array([s.day for s in problem.slots], dtype=np.int32)
    slot_start = np.array([s.start for s in problem.slots], dtype=np.int32)
    venue_place = np.array([place_index[v.place] for v in problem.venues], dtype=np.int32)
    home = np.array([place_index[l.home] for l in problem.learners], dtype=np.int32)
    learner_travel = travel[home][:, venue_place] if len(home) else np.zeros((0, len(venue_place)), np.int32)
    teacher_home = np.array([place_index[t.home] for t in problem.teachers], dtype=np.int32)
    teacher_travel = (travel[teacher_home][:, venue_place] if len(teacher_home)
                      else np.zeros((0, len(venue_place)), np.int32))
    venue_travel = travel[venue_place][:, venue_place]
    reach = np.array([l.max_travel_minutes for l in problem.learners], dtype=np.int32)
    levels = np.array([l.level for l in problem.learners], dtype=object)
    total = availability.total.astype(np.int64)

    offers: list[Offer] = []
    offers_of_learner: list[list[int]] = [[] for _ in problem.learners]
    for c, course in enumerate(problem.courses):
        k = availability.durations.index(course.session_minutes)
        for vid in course.venues:
            v = venue_index[vid]
            slots = np.array([s for s, slot in enumerate(problem.slots)
                              if _fits(problem, course, problem.venues[v], slot)], dtype=np.int32)
            patterns = np.array([combo for combo in itertools.combinations(slots.tolist(), course.sessions_per_week)
                                 if len({problem.slots[s].day for s in combo}) == len(combo)],
                                dtype=np.int32).reshape(-1, course.sessions_per_week)
            sessions = total[patterns].sum(axis=1) if len(patterns) else np.zeros(0, np.int64)
            learners = np.flatnonzero((levels == course.level) & (learner_travel[:, v] <= reach)) \
                if len(levels) else np.zeros(0, np.int64)
            if len(learners) and len(patterns):
                attendable = availability.attendable[learners, v, k].astype(np.int32)    # [n, S]
                counts = attendable[:, patterns].sum(axis=2)                              # [n, P]
                shares = (counts / np.maximum(sessions, 1)).astype(np.float32)
                shares[:, sessions == 0] = 0.0
            else:
                shares = np.zeros((len(learners), len(patterns)), np.float32)
            suits_share = shares.astype(np.float64) + EPSILON >= course.min_attendance
            # A pattern fewer than min_group learners could attend can never be a group's:
            # leaving it out makes every learner's options (and the model) smaller.
            suits = suits_share & (suits_share.sum(axis=0) >= course.min_group)[None, :]
            offer = Offer(c, v, slots, patterns, sessions, learners, shares, suits, suits_share,
                          {int(l): row for row, l in enumerate(learners)})
            for l in learners:
                offers_of_learner[l].append(len(offers))
            offers.append(offer)

    teacher_slots = np.zeros((len(problem.teachers), len(problem.courses), len(problem.slots)), dtype=bool)
    for t, teacher in enumerate(problem.teachers):
        for c, course in enumerate(problem.courses):
            if course.level not in teacher.levels:
                continue
            for s, slot in enumerate(problem.slots):
                teacher_slots[t, c, s] = any(w.contains(slot.day, slot.start, course.session_minutes)
                                             for w in teacher.available)
    return Options(problem, availability, travel, place_index, slot_day, slot_start, venue_place,
                   learner_travel, teacher_travel, venue_travel, offers, offers_of_learner, teacher_slots,
                   course_index, venue_index, teacher_index, learner_index,
                   {(o.course, o.venue): i for i, o in enumerate(offers)})

"""The CP-SAT model: which groups open, their weekly slots, teacher and learners.

Formulation (a naive group x slot-combination model finds no first solution
for 300 learners in 30 s: bench/NOTES.md):

- Each course x venue ("offer") gets a few interchangeable *group* places:
  `open[g]`, one boolean `x[g, s]` per candidate slot that fits the venue's
  hours, exactly `sessions_per_week` of them on distinct weekdays.  Free group
  places of one offer are ordered (open first, then by slot code) so CP-SAT does
  not explore permutations.
- Learners with identical options (level, priority, the set of patterns that
  suit them at every venue, their group in `current`) form one *class*;
  `n[q, g]` counts its members in group g.  Membership is allowed only when
  the attendance row holds: sum_s x[g, s] * (attendable_s - m * occurrences_s)
  >= 0, the attendable share at least `min_attendance`; slots that no suiting
  pattern uses are forbidden outright (a tighter relaxation).
- A teacher takes a group (`t[g, T]`) and each of its sessions
  (`u[g, T, s]`); per teacher and slot at most one session, sessions on one
  day far enough apart to drive between venues, at most the weekly maximum.
- Rooms: at every session start instant, no more sessions than rooms.

Each row states a hard rule of `rules.py`: the slot and weekday rows
"pattern", the attendance rows "attendable_share", the teacher variables
"teacher" and "travel", the room rows "room", the size rows "group_size",
locked groups and learners "lock".  The objective tiers are solved lexicographically (`tiers.TieredModel`): tier 1
first, then each lower tier with the better tiers fixed as constraints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model

from solver.config import DEFAULT, SolverConfig, Weights
from solver.options import Options
from solver.tiers import CpSatProgress, TieredModel
from solver.timetable import Group, Timetable



@dataclass
class LearnerClass:
    members: list[int]
    priority: int
    offers: list[int]            # offer indexes with at least one suiting pattern
    current: int | None          # model group index of their current group
    fixed: bool = False          # locked learners: must stay in `current`
    counted: bool = True         # False: they may fill groups but do not count (`bounds.cluster_model`)


@dataclass
class GroupPlace:
    offer: int
    course: int
    venue: int
    slots: list[int]             # candidate slot indexes
    current: object = None       # the CurrentGroup it continues, if any
    locked: bool = False
    x: dict = field(default_factory=dict)
    t: dict = field(default_factory=dict)
    u: dict = field(default_factory=dict)
    open: object = None
    members: dict = field(default_factory=dict)    # class index -> (n, a)


def learner_classes(options: Options, blocked: set[int], current_of: dict[int, int],
                    fixed: set[int], uncounted: set[int] = frozenset()) -> list[LearnerClass]:
    """Learners grouped by identical options (see the module docstring); `uncounted` ones apart."""
    problem = options.problem
    by_key: dict = {}
    classes: list[LearnerClass] = []
    for l, learner in enumerate(problem.learners):
        if l in blocked:
            continue
        usable = [i for i in options.offers_of_learner[l]
                  if options.offers[i].suits[options.offers[i].row_of[l]].any()]
        if l in fixed:
            classes.append(LearnerClass([l], learner.priority, usable, current_of.get(l), True))
            continue
        if not usable:
            continue
        # suits_share too: the model checks a group's attendance row for the class's first
        # member only, and on patterns fewer than min_group suit (left out of `suits`) members
        # with equal `suits` rows can differ; equal suits_share rows make the check hold for all.
        key = (learner.priority, l in uncounted, current_of.get(l),
               tuple((i, options.offers[i].suits[options.offers[i].row_of[l]].tobytes(),
                      options.offers[i].suits_share[options.offers[i].row_of[l]].tobytes()) for i in usable))
        if key in by_key:
            by_key[key].members.append(l)
        else:
            by_key[key] = LearnerClass([l], learner.priority, usable, current_of.get(l), counted=l not in uncounted)
            classes.append(by_key[key])
    return classes


def _non_overlapping_per_week(options: Options, offer) -> int:
    """How many sessions of this course fit one after another in a room there in a week."""
    minutes = options.minutes(offer.course)
    count = 0
    for day in set(options.slot_day[offer.slots].tolist()):
        end = -1
        for s in sorted(offer.slots[options.slot_day[offer.slots] == day], key=lambda s: options.slot_start[s]):
            if options.slot_start[s] >= end:
                count += 1
                end = options.slot_start[s] + minutes
    return count


class TimetableModel(TieredModel):
    """Builds the exact slot model for one problem (or region); `TieredModel` solves its tiers.

    `repair` (Timetable -> Timetable with teachers), when given, turns each better solution
    of the relaxed teacher rules into a real timetable as CP-SAT finds it (`CpSatProgress`).
    `uncounted` learners form classes of their own marked `counted=False` (`bounds.cluster_model`).
    """

    def __init__(self, options: Options, start: Timetable, blocked: set[int], weights: Weights,
                 exact_teachers: bool | None = None, config: SolverConfig = DEFAULT, repair=None,
                 uncounted: set[int] = frozenset()):
        super().__init__(options, weights, config)
        self.start = start
        self._current_places()
        current_of = {l: gi for gi, gp in enumerate(self.places) if gp.current is not None
                      for l in self._current_learners(gp)}
        fixed = {l for l in current_of if self.problem.learners[l].id in self.problem.locked_learners
                 or self.places[current_of[l]].locked}
        self.classes = learner_classes(options, blocked, current_of, fixed, uncounted)
        self._free_places()
        self._group_variables()
        self.repair = repair
        self.best_repaired: Timetable | None = None   # the best repaired solution (`CpSatProgress`)
        self.exact_teachers = exact_teachers if exact_teachers is not None else \
            self._teacher_sessions_count() <= config.exact_teacher_sessions
        if self.exact_teachers:
            self._teacher_variables()
        else:
            self._teacher_capacity()
        self._rooms()
        self._learner_variables()
        self._objectives()
        self.hint(start)

    # -- data -----------------------------------------------------------------
    def _current_learners(self, gp: GroupPlace) -> list[int]:
        index = self.options.learner_index
        return [index[l] for l in gp.current.learners if l in index]

    def _taught_slots(self, offer_index: int) -> list[int]:
        """The offer's candidate slots that at least one teacher of its level could teach."""
        offer = self.options.offers[offer_index]
        return [int(s) for s in offer.slots if self.options.teacher_slots[:, offer.course, s].any()]

    def _current_places(self) -> None:
        o = self.options
        self.places: list[GroupPlace] = []
        for current in self.problem.current_groups:
            c, v = o.course_index.get(current.course), o.venue_index.get(current.venue)
            offer_index = o.offer_of.get((c, v))
            if offer_index is None:
                continue
            self.places.append(GroupPlace(offer_index, c, v, self._taught_slots(offer_index), current, current.locked))

    def _free_places(self) -> None:
        o = self.options
        eligible = np.zeros(len(o.offers), dtype=np.int64)
        for q in self.classes:
            for i in q.offers:
                eligible[i] += len(q.members)
        level_sessions: dict[str, int] = {}
        for teacher in self.problem.teachers:
            for level in teacher.levels:
                level_sessions[level] = level_sessions.get(level, 0) + teacher.max_sessions_per_week
        self.free_of_offer: dict[int, list[int]] = {}
        for i, offer in enumerate(o.offers):
            course = self.problem.courses[offer.course]
            if len(offer.patterns) == 0:
                continue
            cap = min(eligible[i] // course.min_group,
                      self.problem.venues[offer.venue].rooms * _non_overlapping_per_week(o, offer)
                      // course.sessions_per_week,
                      level_sessions.get(course.level, 0) // course.sessions_per_week,
                      self.config.max_groups_per_offer)
            in_start = sum(1 for g in self.start.groups if (g.course, g.venue) == (offer.course, offer.venue)
                           and g.id is None)
            cap = max(int(cap), in_start)
            self.free_of_offer[i] = list(range(len(self.places), len(self.places) + cap))
            for _ in range(cap):
                self.places.append(GroupPlace(i, offer.course, offer.venue, self._taught_slots(i)))

    # -- variables and hard rules ---------------------------------------------
    def _group_variables(self) -> None:
        m, o = self.model, self.options
        for gi, gp in enumerate(self.places):
            course = self.problem.courses[gp.course]
            gp.open = m.new_bool_var(f"open[{gi}]")
            gp.x = {s: m.new_bool_var(f"x[{gi},{s}]") for s in gp.slots}
            m.add(sum(gp.x.values()) == course.sessions_per_week * gp.open)
            for day in set(o.slot_day[gp.slots].tolist()):
                m.add(sum(gp.x[s] for s in gp.slots if o.slot_day[s] == day) <= 1)
            if gp.locked:
                m.add(gp.open == 1)
                wanted = {i for i, s in enumerate(self.problem.slots)
                          if any((s.day, s.start) == (c.day, c.start) for c in gp.current.slots)}
                if not wanted <= set(gp.slots) or len(wanted) != course.sessions_per_week:
                    m.add_bool_or([])  # a locked group on a slot it may not use: infeasible
                for s, var in gp.x.items():
                    m.add(var == (1 if s in wanted else 0))
        # Interchangeable places of one offer: open ones first, ordered by their slot code.
        for places in self.free_of_offer.values():
            for a, b in zip(places, places[1:]):
                ga, gb = self.places[a], self.places[b]
                m.add(ga.open >= gb.open)
                code = lambda gp: sum((1 << i) * gp.x[s] for i, s in enumerate(gp.slots))
                m.add(code(ga) >= code(gb))

    def _able_teachers(self, gp: GroupPlace) -> list[int]:
        o = self.options
        k = self.problem.courses[gp.course].sessions_per_week
        able = [t for t in range(len(self.problem.teachers))
                if sum(o.teacher_slots[t, gp.course, s] for s in gp.slots) >= k]
        if gp.locked and gp.current.teacher is not None:
            able = [t for t in able if self.problem.teachers[t].id == gp.current.teacher]
        return able

    def _teacher_sessions_count(self) -> int:
        o = self.options
        return sum(int(o.teacher_slots[t, gp.course, gp.slots].sum())
                   for gp in self.places for t in self._able_teachers(gp))

    def _teacher_variables(self) -> None:
        """Exact teacher rules: `t[g, T]` takes the group, `u[g, T, s]` each of its sessions."""
        m, o = self.model, self.options
        sessions_of: dict[int, list] = {}      # teacher -> [(slot, group place, u)]
        for gi, gp in enumerate(self.places):
            course = self.problem.courses[gp.course]
            able = self._able_teachers(gp)
            gp.t = {t: m.new_bool_var(f"t[{gi},{t}]") for t in able}
            m.add(sum(gp.t.values()) == gp.open)
            gp.u = {}
            for t in able:
                gp.u[t] = {s: m.new_bool_var(f"u[{gi},{t},{s}]") for s in gp.slots if o.teacher_slots[t, gp.course, s]}
                m.add(sum(gp.u[t].values()) == course.sessions_per_week * gp.t[t])
                for s, var in gp.u[t].items():
                    sessions_of.setdefault(t, []).append((s, gi, var))
            for s in gp.slots:
                m.add(sum(gp.u[t][s] for t in able if s in gp.u[t]) == gp.x[s])
        for t, sessions in sessions_of.items():
            m.add(sum(var for _, _, var in sessions) <= self.problem.teachers[t].max_sessions_per_week)
            at_slot: dict[int, list] = {}
            for s, gi, var in sessions:
                at_slot.setdefault(s, []).append((gi, var))
            for s, items in at_slot.items():
                if len(items) > 1:
                    m.add(sum(var for _, var in items) <= 1)
            # A later session the same day must start after this one ends plus the drive between venues.
            for s1, items1 in at_slot.items():
                by_venue: dict = {}
                for gi, var in items1:
                    gp = self.places[gi]
                    by_venue.setdefault((gp.venue, o.minutes(gp.course)), []).append(var)
                for s2, items2 in at_slot.items():
                    if o.slot_day[s2] != o.slot_day[s1] or o.slot_start[s2] <= o.slot_start[s1]:
                        continue
                    for (v1, minutes), first in by_venue.items():
                        gap = int(o.slot_start[s2] - o.slot_start[s1]) - minutes
                        clash = [var for gi, var in items2 if o.venue_travel[v1, self.places[gi].venue] > gap]
                        if clash:
                            m.add(sum(first) + sum(clash) <= 1)

    def _teacher_capacity(self) -> None:
        """A relaxation of the teacher rules (teachers are assigned to the chosen groups later).

        For every set of levels: sessions of those levels per week are at most what the
        teachers of any of them may teach, and at every instant at most as many run as
        there are teachers of those levels available for one of them.
        """
        m, o = self.model, self.options
        levels = sorted({c.level for c in self.problem.courses})
        subsets = [set(levels[i] for i in range(len(levels)) if mask >> i & 1) for mask in range(1, 1 << len(levels))] \
            if len(levels) <= 6 else [{level} for level in levels] + [set(levels)]
        teachers = self.problem.teachers
        sessions = []          # (day, start, end, course, slot, var)
        for gp in self.places:
            course = self.problem.courses[gp.course]
            for s, var in gp.x.items():
                start = int(o.slot_start[s])
                sessions.append((int(o.slot_day[s]), start, start + course.session_minutes, gp.course, s, var))
        instants = {(d, start) for d, start, *_ in sessions}
        for wanted in subsets:
            mine = [item for item in sessions if self.problem.courses[item[3]].level in wanted]
            if not mine:
                continue
            weekly = sum(t.max_sessions_per_week for t in teachers if t.levels & wanted)
            if len(mine) > weekly:
                m.add(sum(item[5] for item in mine) <= weekly)
            for day, instant in instants:
                running = [item for item in mine if item[0] == day and item[1] <= instant < item[2]]
                able = sum(1 for t in range(len(teachers))
                           if any(o.teacher_slots[t, item[3], item[4]] for item in running))
                if len(running) > able:
                    m.add(sum(item[5] for item in running) <= able)
        self._scarce_day_rows(subsets)

    def _scarce_day_rows(self, subsets: list[set[str]]) -> None:
        """Groups meeting on a day few teachers work need one of those teachers for *all* sessions.

        For a set of levels W and a day d: every session of the groups of W with a
        session on d is taught by a teacher of W available on d, so those sessions are
        at most the weekly maximum of those teachers.  Without this row the per-instant
        rows let one weekend teacher take every weekend group, and teacher assignment
        then closed groups the relaxation had opened (bench/NOTES.md).
        """
        m, o = self.model, self.options
        teachers = self.problem.teachers
        for day in sorted(set(o.slot_day.tolist())):
            day_slots = [s for s in range(len(self.problem.slots)) if o.slot_day[s] == day]
            # Group place -> 0/1 expression: it meets on `day` (at most one session a day).
            on_day = {gi: sum(gp.x[s] for s in gp.slots if o.slot_day[s] == day)
                      for gi, gp in enumerate(self.places) if any(o.slot_day[s] == day for s in gp.slots)}
            for wanted in subsets:
                groups = [gi for gi in on_day if self.problem.courses[self.places[gi].course].level in wanted]
                if not groups:
                    continue
                courses = {self.places[gi].course for gi in groups}
                weekly = sum(t.max_sessions_per_week for ti, t in enumerate(teachers)
                             if any(o.teacher_slots[ti, c, s] for c in courses for s in day_slots))
                most = sum(self.problem.courses[self.places[gi].course].sessions_per_week for gi in groups)
                if most > weekly:
                    m.add(sum(self.problem.courses[self.places[gi].course].sessions_per_week * on_day[gi]
                              for gi in groups) <= weekly)

    def _rooms(self) -> None:
        m, o = self.model, self.options
        by_venue: dict[int, list] = {}
        for gp in self.places:
            for s, var in gp.x.items():
                start = int(o.slot_start[s])
                by_venue.setdefault(gp.venue, []).append((int(o.slot_day[s]), start, start + o.minutes(gp.course), var))
        for v, sessions in by_venue.items():
            rooms = self.problem.venues[v].rooms
            for day, instant in {(d, s) for d, s, _, _ in sessions}:
                running = [var for d, s, e, var in sessions if d == day and s <= instant < e]
                if len(running) > rooms:
                    m.add(sum(running) <= rooms)

    def _learner_variables(self) -> None:
        m, o = self.model, self.options
        self.class_vars: list[dict[int, tuple]] = []
        size = {gi: [] for gi in range(len(self.places))}
        places_of_offer: dict[int, list[int]] = {}
        for gi, gp in enumerate(self.places):
            places_of_offer.setdefault(gp.offer, []).append(gi)
        for qi, q in enumerate(self.classes):
            rep = q.members[0]
            mine: dict[int, tuple] = {}
            for i in q.offers:
                offer = o.offers[i]
                course = self.problem.courses[offer.course]
                row = offer.suits[offer.row_of[rep]]
                usable_slots = set(offer.patterns[row].ravel().tolist())
                k = o.availability.durations.index(course.session_minutes)
                attendable = o.availability.attendable[rep, offer.venue, k].astype(np.int64)
                total = o.availability.total.astype(np.int64)
                need = Fraction(course.min_attendance).limit_denominator(10000)
                weight = {s: int(attendable[s] * need.denominator - total[s] * need.numerator) for s in offer.slots}
                for gi in places_of_offer.get(i, []):
                    gp = self.places[gi]
                    if q.fixed and gi != q.current:
                        continue
                    if gp.locked and not q.fixed:
                        continue
                    top = min(len(q.members), o.max_group(gp.course, gp.venue))
                    n = m.new_int_var(0, top, f"n[{qi},{gi}]") if top > 1 else m.new_bool_var(f"n[{qi},{gi}]")
                    a = m.new_bool_var(f"a[{qi},{gi}]") if top > 1 else n
                    if top > 1:
                        m.add(n <= top * a)
                        m.add(n >= a)
                    m.add_implication(a, gp.open)
                    unusable = [gp.x[s] for s in gp.slots if s not in usable_slots]
                    if unusable:
                        m.add(sum(unusable) == 0).only_enforce_if(a)
                    if course.sessions_per_week > 1:
                        m.add(sum(weight[s] * gp.x[s] for s in gp.slots if s in usable_slots) >= 0).only_enforce_if(a)
                    mine[gi] = (n, a)
                    gp.members[qi] = (n, a)
                    size[gi].append(n)
            if q.fixed:
                if q.current not in mine:
                    m.add_bool_or([])   # a locked learner who can no longer attend their group
                else:
                    m.add(mine[q.current][0] == 1)
            if mine:
                m.add(sum(n for n, _ in mine.values()) <= len(q.members))
            self.class_vars.append(mine)
        for gi, gp in enumerate(self.places):
            course = self.problem.courses[gp.course]
            total = sum(size[gi]) if size[gi] else 0
            m.add(total >= course.min_group * gp.open)
            m.add(total <= o.max_group(gp.course, gp.venue) * gp.open)
        # Redundant, for a tighter bound: seats never exceed what the teachers can give.
        capacity = sum(t.max_sessions_per_week for t in self.problem.teachers)
        m.add(sum(self.problem.courses[gp.course].sessions_per_week * gp.open for gp in self.places) <= capacity)

    def limit_placements(self, limits) -> None:
        """Redundant rows from proven limits: learners of a set place at most `most` (priority-weighted).

        `limits` holds (learners, most) pairs (`bounds.captive_bound`); only classes wholly
        inside a set are summed, which keeps every row valid and tightens the bound.
        """
        for learners, most in limits:
            inside = set(learners)
            terms = [q.priority * n for qi, q in enumerate(self.classes) if set(q.members) <= inside
                     for n, _ in self.class_vars[qi].values()]
            if terms:
                self.model.add(sum(terms) <= most)

    # -- objective tiers --------------------------------------------------------
    def _objectives(self) -> None:
        m, o, w = self.model, self.options, self.weights
        self.tier1 = sum(q.priority * n for qi, q in enumerate(self.classes) for n, _ in self.class_vars[qi].values())
        changes = []
        for gi, gp in enumerate(self.places):
            if gp.current is None or gp.locked:
                continue
            changed = m.new_bool_var(f"changed[{gi}]")
            m.add(changed >= 1 - gp.open)
            wanted = {i for i, s in enumerate(self.problem.slots)
                      if any((s.day, s.start) == (c.day, c.start) for c in gp.current.slots)}
            for s, var in gp.x.items():
                m.add(changed >= (1 - var) if s in wanted else changed >= var)
            teacher = o.teacher_index.get(gp.current.teacher) if gp.current.teacher else None
            if teacher in gp.t:
                m.add(changed >= 1 - gp.t[teacher])
            changes.append(w.change_group * changed)
        for qi, q in enumerate(self.classes):
            if q.current is not None and not q.fixed:
                stay = self.class_vars[qi].get(q.current)
                moved = len(q.members) - (stay[0] if stay else 0)
                changes.append(w.change_learner * moved)
        self.tier2 = sum(changes) if changes else 0

    def _lower_tiers(self) -> None:
        """Tier 3 and 4 expressions; built only once tier 1 (and 2) are settled."""
        m, o, w = self.model, self.options, self.weights
        # Tier 3 (shares and preferred days) and tier 4 (groups, driving): linear proxies per
        # class representative; the solution reports the exact values.
        share_terms, prefer_terms = [], []
        for qi, q in enumerate(self.classes):
            rep = q.members[0]
            prefer = self.problem.learners[rep].prefer_days
            for gi, (n, a) in self.class_vars[qi].items():
                gp = self.places[gi]
                course = self.problem.courses[gp.course]
                k = o.availability.durations.index(course.session_minutes)
                att = o.availability.attendable[rep, gp.venue, k]
                total = o.availability.total
                # Share points of the pattern ~ sum over its slots of 100*attendable/total / sessions.
                points = {s: int(100 * att[s] / max(total[s], 1) / course.sessions_per_week) for s in gp.slots}
                score = m.new_int_var(0, 100 * len(q.members), f"share[{qi},{gi}]")
                m.add(score <= 100 * n)
                m.add(score <= len(q.members) * sum(points[s] * gp.x[s] for s in gp.slots))
                share_terms.append(score)
                if prefer:
                    liked = [gp.x[s] for s in gp.slots if o.slot_day[s] in prefer]
                    if liked:
                        hit = m.new_int_var(0, len(q.members), f"prefer[{qi},{gi}]")
                        m.add(hit <= n)
                        m.add(hit <= len(q.members) * sum(liked))
                        prefer_terms.append(hit)
        self.tier3 = (w.share * sum(share_terms) + w.prefer_day * sum(prefer_terms)) if share_terms else 0
        groups = sum(gp.open for gp in self.places)
        learner_drive = sum(int(o.learner_travel[q.members[0], self.places[gi].venue]) * n
                            for qi, q in enumerate(self.classes) for gi, (n, _) in self.class_vars[qi].items())
        teacher_drive = sum(int(o.teacher_travel[t, gp.venue]) * var for gp in self.places for t, var in gp.t.items())
        self.tier4 = w.group * groups + w.learner_drive * learner_drive + w.teacher_drive * teacher_drive

    # -- hints and solutions ----------------------------------------------------
    def assignment(self, table: Timetable) -> dict:
        """Variable values that represent `table` in this model (for a hint)."""
        o = self.options
        values: dict = {}
        by_id = {gp.current.id: gi for gi, gp in enumerate(self.places) if gp.current is not None}
        used: dict[int, int] = {}          # group place -> index into table.groups
        free_groups: dict[int, list] = {}
        for index, g in enumerate(table.groups):
            if g.id is not None and g.id in by_id:
                used[by_id[g.id]] = index
            else:
                free_groups.setdefault(o.offer_of[(g.course, g.venue)], []).append(index)
        for offer, indexes in free_groups.items():
            places = self.free_of_offer.get(offer, [])
            if not places:
                continue
            position = {s: i for i, s in enumerate(self.places[places[0]].slots)}
            # The same order the model imposes: by slot code, largest first.
            order = sorted(indexes, key=lambda i: -sum(1 << position[s] for s in table.groups[i].slots))
            for gi, index in zip(places, order):
                used[gi] = index
        class_of = {l: qi for qi, q in enumerate(self.classes) for l in q.members}
        counts: dict = {}
        for gi, gp in enumerate(self.places):
            g = table.groups[used[gi]] if gi in used else None
            values[gp.open] = int(g is not None)
            for s, var in gp.x.items():
                values[var] = int(g is not None and s in g.slots)
            for t, var in gp.t.items():
                values[var] = int(g is not None and g.teacher == t)
                for s, uvar in gp.u[t].items():
                    values[uvar] = int(g is not None and g.teacher == t and s in g.slots)
            if g is not None:
                for l in g.learners:
                    if l in class_of:
                        counts[(class_of[l], gi)] = counts.get((class_of[l], gi), 0) + 1
        for qi, mine in enumerate(self.class_vars):
            for gi, (n, a) in mine.items():
                c = counts.get((qi, gi), 0)
                values[n] = c
                values[a] = int(c > 0)
        return values

    def timetable(self, value) -> Timetable:
        """The timetable a solution represents; `value(var)` reads a variable."""
        table = Timetable(self.options)
        o = self.options
        for gi, gp in enumerate(self.places):
            if not value(gp.open):
                continue
            slots = tuple(s for s in gp.slots if value(gp.x[s]))
            preferred = o.teacher_index.get(gp.current.teacher) if gp.current is not None else None
            if self.exact_teachers:
                preferred = next(t for t, var in gp.t.items() if value(var))
            group = Group(gp.course, gp.venue, slots, preferred, [],
                          gp.current.id if gp.current is not None else None, gp.locked)
            table.add(group)
            gp.group = group
        # Members of a class are interchangeable for the hard rules; give each the group
        # where their own share (and preferred days) is best, current group first.
        for qi, q in enumerate(self.classes):
            seats = {gi: int(value(n)) for gi, (n, _) in self.class_vars[qi].items() if value(n)}
            members = list(q.members)
            if q.current is not None and q.current in seats:
                keep = members[:seats[q.current]]
                for l in keep:
                    table.place(l, self.places[q.current].group)
                members = members[seats[q.current]:]
                del seats[q.current]
            for gi, count in sorted(seats.items()):
                group = self.places[gi].group
                offer = o.offers[self.places[gi].offer]
                members.sort(key=lambda l: -(o.share(l, offer, group.slots)
                                             + 0.05 * sum(o.slot_day[s] in self.problem.learners[l].prefer_days
                                                          for s in group.slots)))
                for l in members[:count]:
                    table.place(l, group)
                members = members[count:]
        return table

    # -- tiers (`tiers.TieredModel`) -------------------------------------------------
    def variables(self) -> list:
        """Every variable of the model: the slot model carries them all from tier to tier."""
        return [self.model.get_int_var_from_proto_index(i) for i in range(len(self.model.proto.variables))]

    def lower_tier_count(self) -> int:
        return 3

    def lower_tiers(self):
        yield self.tier2, "min"
        self._lower_tiers()
        yield self.tier3, "max"
        yield self.tier4, "min"

    def tier1_share(self) -> float:
        return self.config.resolve_tier1_share if self.problem.current_groups else self.config.tier1_share

    def timetable_of(self, values: dict) -> Timetable:
        return self.timetable(lambda var: values[var.index] if not isinstance(var, int) else var)

    def progress(self, on_progress) -> CpSatProgress | None:
        repairing = self.repair is not None and not self.exact_teachers
        if on_progress is None and not repairing:
            return None
        return CpSatProgress(on_progress, self if repairing else None)

    def plan_around(self, rest: Timetable, venue_of: list[int], time_limit: float, workers: int,
                    seed: int) -> dict | None:
        """Seat as many as possible around `rest`, then drive the least; the values, or None.

        For a cluster model (`bounds.cluster_model`, exact teachers): each teacher gets only the
        sessions that fit around their groups in `rest` (time, driving, weekly maximum).
        """
        m = self.model
        for t, teacher in enumerate(self.problem.teachers):
            sessions = []
            for gp in self.places:
                for s, var in gp.u.get(t, {}).items():
                    if rest.teacher_can(t, gp.course, venue_of[gp.venue], (s,)):
                        sessions.append(var)
                    else:
                        m.add(var == 0)
            load = sum(len(g.slots) for g in rest.groups if g.teacher == t)
            if sessions:
                m.add(sum(sessions) <= teacher.max_sessions_per_week - load)
        seats = sum(q.priority * n for qi, q in enumerate(self.classes) for n, _ in self.class_vars[qi].values())
        drives = [(int(self.options.teacher_travel[t, gp.venue]), var) for gp in self.places for t, var in gp.t.items()]
        # One more seat outweighs any driving: each place has one teacher, so the driving is at most this.
        per_seat = 1 + sum(int(self.options.teacher_travel[:, gp.venue].max(initial=0)) for gp in self.places)
        m.maximize(per_seat * seats - sum(minutes * var for minutes, var in drives))
        return self.solve_objective(time_limit, workers, seed)

    def solve_objective(self, time_limit: float, workers: int, seed: int) -> dict | None:
        """Solve for the objective set on `model` now; the values of the best solution, or None."""
        solver = self.cp_solver(workers, seed)
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        if solver.solve(self.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return self.read(solver)

"""A compact CP-SAT model for large problems: counts of groups per weekly pattern.

With hundreds of learners per course the slot-variable model (`model.py`)
spends its time on interchangeable group places.  Here a group is described
by its course, venue and *pattern* (its set of weekly slots), and groups
with the same description are interchangeable, so the model only counts
them: `N[o, p]` groups of offer o at pattern p, and `f[q, o, p]` learners of
class q in those groups, min_group * N <= sum_q f <= max_group * N.  Any such
counts split into N real groups.  Rooms are counted at every session start
instant; teachers exactly: `y[T, o, p]` says teacher T takes one of the
groups at (o, p), with the same weekly maximum, availability and driving
rules as every group.

The patterns are a selection per offer (those of the start timetable and the
ones the most learners could attend), so the model is a restriction of the
problem: its optimum is a good timetable, not a proof.  Because the
selection includes the start, the answer is never worse than the start.
Tier 3 (shares, preferred days) and tier 4 (groups, learners' and teachers' driving) are linear
here and solved after tier 1 with tier 1 fixed.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from solver.model import LearnerClass, learner_classes
from solver.config import DEFAULT, SolverConfig, Weights
from solver.options import Options
from solver.tiers import CpSatProgress, TieredModel
from solver.timetable import Group, Timetable



class PatternModel(TieredModel):
    """Counts of groups per (offer, pattern) and of class members in them; `TieredModel` solves its tiers."""

    proves_bound = False      # a restriction of the problem (a selection of patterns)

    def __init__(self, options: Options, start: Timetable, blocked: set[int], weights: Weights,
                 config: SolverConfig = DEFAULT):
        super().__init__(options, weights, config)
        self.classes: list[LearnerClass] = learner_classes(options, blocked, {}, set())
        self._choose_patterns(start)
        self._variables()
        self._rooms()
        self._teachers()
        self.hint(start)

    def _choose_patterns(self, start: Timetable) -> None:
        o = self.options
        weight = np.array([l.priority for l in self.problem.learners], dtype=np.int64)
        self.chosen: dict[int, list[int]] = {}
        in_start: dict[int, set[int]] = {}
        for g in start.groups:
            i = o.offer_of[(g.course, g.venue)]
            in_start.setdefault(i, set()).add(o.offers[i].pattern_index(g.slots))
        for i, offer in enumerate(o.offers):
            if not len(offer.patterns):
                continue
            taught = np.array([o.teacher_slots[:, offer.course, list(p)].any(axis=0).all() for p in offer.patterns])
            score = (offer.suits * weight[offer.learners][:, None]).sum(axis=0)
            live = np.flatnonzero(taught & (score > 0))
            best = live[np.argsort(-score[live], kind="stable")][:self.config.patterns_per_offer]
            chosen = set(best.tolist()) | in_start.get(i, set())
            if chosen:
                self.chosen[i] = sorted(chosen)

    def _variables(self) -> None:
        m, o = self.model, self.options
        self.N: dict[tuple[int, int], cp_model.IntVar] = {}
        self.f: dict[tuple[int, int, int], cp_model.IntVar] = {}
        inflow: dict[tuple[int, int], list] = {}
        for i, patterns in self.chosen.items():
            rooms = self.problem.venues[o.offers[i].venue].rooms
            for p in patterns:
                self.N[i, p] = m.new_int_var(0, rooms, f"N[{i},{p}]")
                inflow[i, p] = []
        self.of_class: list[list] = []
        for qi, q in enumerate(self.classes):
            rep = q.members[0]
            mine = []
            for i in q.offers:
                if i not in self.chosen:
                    continue
                offer = o.offers[i]
                course = self.problem.courses[offer.course]
                row = offer.suits[offer.row_of[rep]]
                for p in self.chosen[i]:
                    if row[p]:
                        top = min(len(q.members), o.max_group(offer.course, offer.venue)
                                  * self.problem.venues[offer.venue].rooms)
                        var = m.new_int_var(0, top, f"f[{qi},{i},{p}]")
                        self.f[qi, i, p] = var
                        inflow[i, p].append(var)
                        mine.append(var)
            if mine:
                m.add(sum(mine) <= len(q.members))
            self.of_class.append(mine)
        for (i, p), var in self.N.items():
            course = self.problem.courses[o.offers[i].course]
            flow = sum(inflow[i, p]) if inflow[i, p] else 0
            m.add(flow >= course.min_group * var)
            m.add(flow <= o.max_group(o.offers[i].course, o.offers[i].venue) * var)
        self.tier1 = sum(self.classes[qi].priority * var for (qi, _, _), var in self.f.items())

    def _sessions(self):
        o = self.options
        for (i, p), var in self.N.items():
            offer = o.offers[i]
            minutes = o.minutes(offer.course)
            for s in offer.patterns[p]:
                start = int(o.slot_start[s])
                yield offer, int(s), int(o.slot_day[s]), start, start + minutes, var

    def _rooms(self) -> None:
        by_venue: dict[int, list] = {}
        for offer, s, day, start, end, var in self._sessions():
            by_venue.setdefault(offer.venue, []).append((day, start, end, var))
        for v, sessions in by_venue.items():
            rooms = self.problem.venues[v].rooms
            for day, instant in {(d, s) for d, s, _, _ in sessions}:
                running = [var for d, s, e, var in sessions if d == day and s <= instant < e]
                if len(running) > 1:
                    self.model.add(sum(running) <= rooms)

    def _teachers(self) -> None:
        """Exact teacher rules: `y[T, o, p]` = teacher T takes one of the groups at (o, p)."""
        m, o = self.model, self.options
        self.y: dict[tuple[int, int, int], cp_model.IntVar] = {}
        for (i, p), var in self.N.items():
            offer = o.offers[i]
            slots = [int(s) for s in offer.patterns[p]]
            able = [t for t in range(len(self.problem.teachers)) if o.teacher_slots[t, offer.course, slots].all()]
            mine = [m.new_bool_var(f"y[{t},{i},{p}]") for t in able]
            for t, y in zip(able, mine):
                self.y[t, i, p] = y
            m.add(sum(mine) == var) if mine else m.add(var == 0)
        by_teacher: dict[int, list] = {}
        for (t, i, p), y in self.y.items():
            by_teacher.setdefault(t, []).append((i, p, y))
        for t, items in by_teacher.items():
            sessions = []     # (day, start, end, venue, y)
            for i, p, y in items:
                offer = o.offers[i]
                minutes = o.minutes(offer.course)
                for s in offer.patterns[p]:
                    start = int(o.slot_start[s])
                    sessions.append((int(o.slot_day[s]), start, start + minutes, offer.venue, y))
            m.add(sum(len(o.offers[i].patterns[p]) * y for i, p, y in items)
                  <= self.problem.teachers[t].max_sessions_per_week)
            # Sessions grouped by (day, start, end, venue); a teacher runs at most one of each
            # clashing pair of groups: same instant, or too close to drive between the venues.
            keys: dict[tuple, list] = {}
            for day, start, end, venue, y in sessions:
                keys.setdefault((day, start, end, venue), []).append(y)
            keyed = list(keys.items())
            for a, (ka, ya) in enumerate(keyed):
                if len(ya) > 1:
                    m.add(sum(ya) <= 1)
                for kb, yb in keyed[a + 1:]:
                    if ka[0] != kb[0]:
                        continue
                    drive = int(o.venue_travel[ka[3], kb[3]])
                    if not (ka[2] + drive <= kb[1] or kb[2] + drive <= ka[1]):
                        m.add(sum(ya) + sum(yb) <= 1)

    def limit_placements(self, limits) -> None:
        """Redundant rows from proven limits (see `TimetableModel.limit_placements`)."""
        for learners, most in limits:
            inside = set(learners)
            terms = [self.classes[qi].priority * var for (qi, _, _), var in self.f.items()
                     if set(self.classes[qi].members) <= inside]
            if terms:
                self.model.add(sum(terms) <= most)

    # -- hints, lower tiers, solutions -----------------------------------------
    def assignment(self, table: Timetable) -> dict:
        o = self.options
        class_of = {l: qi for qi, q in enumerate(self.classes) for l in q.members}
        values = {var: 0 for var in self._decisions()}
        for g in table.groups:
            i = o.offer_of[(g.course, g.venue)]
            p = o.offers[i].pattern_index(g.slots)
            values[self.N[i, p]] += 1
            if (g.teacher, i, p) in self.y:
                values[self.y[g.teacher, i, p]] = 1
            for l in g.learners:
                values[self.f[class_of[l], i, p]] += 1
        return values

    def _decisions(self) -> list:
        return list(self.N.values()) + list(self.f.values()) + list(self.y.values())

    def _lower_tiers(self):
        o, w = self.options, self.weights
        tier3, tier4 = [], []
        for (qi, i, p), var in self.f.items():
            rep = self.classes[qi].members[0]
            offer = o.offers[i]
            share = float(offer.shares[offer.row_of[rep], p])
            liked = sum(int(o.slot_day[s]) in self.problem.learners[rep].prefer_days for s in offer.patterns[p])
            tier3.append((w.share * round(100 * share) + w.prefer_day * liked) * var)
            tier4.append(w.learner_drive * int(o.learner_travel[rep, offer.venue]) * var)
        tier4 += [w.group * var for var in self.N.values()]
        # Teachers drive from home to each of their groups, as in the slot model and the document.
        tier4 += [w.teacher_drive * int(o.teacher_travel[t, o.offers[i].venue]) * y for (t, i, p), y in self.y.items()]
        return sum(tier3), sum(tier4)

    # -- tiers (`tiers.TieredModel`) -------------------------------------------------
    def variables(self) -> list:
        return self._decisions()

    def lower_tier_count(self) -> int:
        return 2

    def lower_tiers(self):
        tier3, tier4 = self._lower_tiers()
        yield tier3, "max"
        yield tier4, "min"

    def tier1_share(self) -> float:
        return self.config.pattern_tier1_share

    def tune(self, params, workers: int) -> None:
        if workers >= 4:
            # This model is a restriction: its bound is never reported, so most workers go to
            # the neighbourhood searches (bench/NOTES.md, "counting model workers").
            params.num_full_subsolvers = self.config.pattern_full_workers

    def progress(self, on_progress) -> CpSatProgress | None:
        return CpSatProgress(on_progress) if on_progress is not None else None

    def timetable_of(self, values: dict) -> Timetable:
        return self.timetable(values)

    def timetable(self, values: dict) -> Timetable:
        """Split each (offer, pattern) count into real groups, members dealt round-robin."""
        o = self.options
        table = Timetable(o)
        members: dict[tuple[int, int], list[int]] = {}
        taken = [0] * len(self.classes)
        for (qi, i, p), var in sorted(self.f.items(), key=lambda item: item[0]):
            count = values[var.index]
            if count:
                q = self.classes[qi]
                members.setdefault((i, p), []).extend(q.members[taken[qi]:taken[qi] + count])
                taken[qi] += count
        for (i, p), var in self.N.items():
            n = values[var.index]
            if not n:
                continue
            offer = o.offers[i]
            slots = tuple(int(s) for s in offer.patterns[p])
            teachers = [t for (t, i2, p2), y in self.y.items() if (i2, p2) == (i, p) and values[y.index]]
            groups = [table.add(Group(offer.course, offer.venue, slots, teachers[k] if k < len(teachers) else None))
                      for k in range(n)]
            for index, l in enumerate(members.get((i, p), [])):
                table.place(l, groups[index % n])
        return table

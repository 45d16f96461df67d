"""Why a learner has no group, and which unused slots would suit the unplaced.

Every reason is a checkable statement about the final timetable (the tests
recompute each one independently):

- `no_course_at_level`: no course teaches the learner's level.
- `no_venue_in_reach`: courses at the level exist, but none at a venue within
  `max_travel_minutes` of home.
- `rota_conflict` with `group`: that opened group's slots leave the learner
  under `min_attendance` (`share`).  Without `group`: no weekly pattern of
  candidate slots at that course and venue reaches `min_attendance`.
- `group_full` with `group`: that group suits the learner but has `max_group`
  learners.  Without `group`: a new group at `slots` would suit the learner
  and enough others, but every room of the venue is taken then.
- `too_few_for_group`: the best pattern at that course and venue suits only
  `learners` of the unplaced (the learner included): `needed` more would be
  required to reach `min_group`.
- `no_teacher`: a new group at `slots` would suit enough unplaced learners and
  a room is free, but no teacher is qualified, available and free then.
- `locked_out`: the learner is locked while without a group; with `group`:
  that group would suit but is locked as published.

`what_if` counts, per candidate slot that no group uses, the unplaced
learners who could attend some group pattern containing it.
"""

from __future__ import annotations

import numpy as np

from solver.options import EPSILON, Options
from solver.timetable import Timetable

REASON_CODES = ("no_course_at_level", "no_venue_in_reach", "rota_conflict", "group_full", "too_few_for_group",
                "no_teacher", "locked_out")


def _slots_json(options: Options, slots) -> list[dict]:
    return [options.problem.slots[int(s)].to_json() for s in slots]


def _label(options: Options, slots) -> str:
    return " and ".join(options.problem.slots[int(s)].label for s in slots)


def explain(options: Options, table: Timetable, blocked: set[int], group_id,
            region_only: bool = False) -> dict[int, list[dict]]:
    """Reasons for every unplaced learner of this (part of the) problem, by learner index.

    `group_id(group)` gives the id the solution uses for a group.  With
    `region_only` (a split problem), `no_teacher` speaks of the teachers of
    the region only and says so (`details.region_teachers_only`).
    """
    problem = options.problem
    unplaced = [l for l in range(len(problem.learners)) if l not in table.group_of]
    free = np.zeros(len(problem.learners), dtype=bool)
    free[[l for l in unplaced if l not in blocked]] = True
    levels = {c.level for c in problem.courses}
    groups_of_offer: dict = {}
    for g in table.groups:
        groups_of_offer.setdefault((g.course, g.venue), []).append(g)
    # Per offer: how many free learners each pattern suits, and the verdict on opening it.
    suited_counts = {}
    verdicts: dict = {}
    for i, offer in enumerate(options.offers):
        suited_counts[i] = (offer.suits_share & free[offer.learners][:, None]).sum(axis=0)
    reasons: dict[int, list[dict]] = {}
    for l in unplaced:
        learner = problem.learners[l]
        mine: list[dict] = []
        if learner.id in problem.locked_learners:
            reasons[l] = [{"code": "locked_out", "details": {},
                           "message": "This learner is locked without a group in the published timetable."}]
            continue
        if learner.level not in levels:
            mine.append({"code": "no_course_at_level",
                         "message": f"No course teaches level {learner.level}.",
                         "details": {"level": learner.level}})
            reasons[l] = mine
            continue
        offers = options.offers_of_learner[l]
        if not offers:
            at_level = [v for c in problem.courses if c.level == learner.level
                        for v in (options.venue_index[vid] for vid in c.venues)]
            nearest = min(at_level, key=lambda v: int(options.learner_travel[l, v]), default=None)
            details = {"level": learner.level, "max_travel_minutes": learner.max_travel_minutes}
            if nearest is not None:
                details.update(venue=problem.venues[nearest].id, minutes=int(options.learner_travel[l, nearest]))
            mine.append({"code": "no_venue_in_reach",
                         "message": f"No venue offering {learner.level} is within {learner.max_travel_minutes} "
                                    "minutes of home.", "details": details})
            reasons[l] = mine
            continue
        for i in offers:
            offer = options.offers[i]
            course = problem.courses[offer.course]
            venue = problem.venues[offer.venue]
            for g in groups_of_offer.get((offer.course, offer.venue), []):
                share = options.share(l, offer, g.slots)
                if share + EPSILON < course.min_attendance:
                    mine.append({"code": "rota_conflict",
                                 "message": f"The rota allows only {share:.0%} of group {group_id(g)}'s sessions "
                                            f"({_label(options, g.slots)}); {course.min_attendance:.0%} is needed.",
                                 "details": {"group": group_id(g), "share": round(share, 3),
                                             "needed": course.min_attendance}})
                elif g.locked:
                    mine.append({"code": "locked_out",
                                 "message": f"Group {group_id(g)} would suit, but it is locked as published.",
                                 "details": {"group": group_id(g)}})
                elif len(g.learners) >= options.max_group(g.course, g.venue):
                    mine.append({"code": "group_full",
                                 "message": f"Group {group_id(g)} would suit, but it is full "
                                            f"({options.max_group(g.course, g.venue)} learners).",
                                 "details": {"group": group_id(g), "max_group": options.max_group(g.course, g.venue),
                                             "share": round(share, 3)}})
            row = offer.suits_share[offer.row_of[l]]
            if not row.any():
                best = float(offer.shares[offer.row_of[l]].max()) if offer.shares.shape[1] else 0.0
                mine.append({"code": "rota_conflict",
                             "message": f"No weekly slots for {course.name} at {venue.name} fit the rota: "
                                        f"at best {best:.0%} of the sessions, {course.min_attendance:.0%} needed.",
                             "details": {"course": course.id, "venue": venue.id, "best_share": round(best, 3),
                                         "needed": course.min_attendance}})
                continue
            counts = suited_counts[i]
            patterns = np.flatnonzero(row)
            best = patterns[np.argmax(counts[patterns])]
            if counts[best] < course.min_group:
                slots = offer.patterns[best]
                mine.append({"code": "too_few_for_group",
                             "message": f"A {course.name} group at {venue.name} on {_label(options, slots)} "
                                        f"would suit only {int(counts[best])} waiting learners; "
                                        f"{course.min_group} are needed.",
                             "details": {"course": course.id, "venue": venue.id,
                                         "slots": _slots_json(options, slots), "learners": int(counts[best]),
                                         "needed": int(course.min_group - counts[best])}})
                continue
            for p in patterns[counts[patterns] >= course.min_group]:
                slots = tuple(int(s) for s in offer.patterns[p])
                key = (i, p)
                if key not in verdicts:
                    if not table.room_free(offer.course, offer.venue, slots):
                        verdicts[key] = "group_full"
                    elif not table.free_teachers(offer.course, offer.venue, slots):
                        verdicts[key] = "no_teacher"
                    else:
                        verdicts[key] = None
                verdict = verdicts[key]
                if verdict == "group_full":
                    mine.append({"code": "group_full",
                                 "message": f"A new {course.name} group on {_label(options, slots)} would suit, "
                                            f"but every room at {venue.name} is taken then.",
                                 "details": {"course": course.id, "venue": venue.id,
                                             "slots": _slots_json(options, slots), "rooms": venue.rooms}})
                    break
                if verdict == "no_teacher":
                    where = " in this region" if region_only else ""
                    details = {"course": course.id, "venue": venue.id, "slots": _slots_json(options, slots)}
                    if region_only:
                        details["region_teachers_only"] = True
                    mine.append({"code": "no_teacher",
                                 "message": f"A new {course.name} group at {venue.name} on {_label(options, slots)} "
                                            f"would suit, but no teacher{where} is qualified, available and free then.",
                                 "details": details})
                    break
        reasons[l] = _unique(mine)
    return reasons


def _unique(reasons: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in reasons:
        key = (r["code"], repr(sorted(r["details"].items())))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def what_if(options: Options, table: Timetable, blocked: set[int]) -> np.ndarray:
    """Per slot index: how many unplaced learners some suiting pattern with that slot would serve."""
    problem = options.problem
    free = np.zeros(len(problem.learners), dtype=bool)
    free[[l for l in range(len(problem.learners)) if l not in table.group_of and l not in blocked]] = True
    served = np.zeros((len(problem.learners), len(problem.slots)), dtype=bool)
    for offer in options.offers:
        rows = np.flatnonzero(free[offer.learners])
        if not len(rows) or not len(offer.patterns):
            continue
        contains = np.zeros((len(offer.patterns), len(problem.slots)), dtype=np.int32)
        for column in range(offer.patterns.shape[1]):
            contains[np.arange(len(offer.patterns)), offer.patterns[:, column]] = 1
        hit = offer.suits_share[rows].astype(np.int32) @ contains > 0
        served[offer.learners[rows]] |= hit
    return served.sum(axis=0)

"""Splitting a problem into regions that can be solved on their own.

Two venues belong to one region when some learner can reach both, or when
they lie within `config.teacher_reach_minutes` of each other (a teacher could serve
both on one evening).  Learners go with the venues they can reach (those who
reach none go with the venue nearest home, to be explained), teachers with
the region of the venue nearest their home.

The spec sets no travel limit for teachers, so a teacher could in principle
drive hours to a far region on another weekday; the split treats a teacher
as serving their home region only.  For one region (the usual case) nothing
changes; `placed_bound` of a split problem is the sum of the regions' bounds
under that assumption.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from solver.config import DEFAULT, SolverConfig
from solver.problem import Problem
from solver.travel import travel_matrix

def split_regions(problem: Problem, config: SolverConfig = DEFAULT) -> list[Problem]:
    """The independent parts of `problem` (a list with `problem` itself when it is one region)."""
    venues = problem.venues
    if len(venues) <= 1:
        return [problem]
    place_index, travel = travel_matrix(problem)
    venue_place = np.array([place_index[v.place] for v in venues])
    parent = list(range(len(venues)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    between = travel[venue_place][:, venue_place]
    for a in range(len(venues)):
        for b in np.flatnonzero(between[a] <= config.teacher_reach_minutes):
            union(a, int(b))
    homes = np.array([place_index[l.home] for l in problem.learners], dtype=np.int64)
    reach = np.array([l.max_travel_minutes for l in problem.learners])
    home_to_venue = travel[homes][:, venue_place] if len(homes) else np.zeros((0, len(venues)))
    for row in home_to_venue <= reach[:, None] if len(homes) else []:
        reachable = np.flatnonzero(row)
        for b in reachable[1:]:
            union(int(reachable[0]), int(b))
    roots = sorted({find(v) for v in range(len(venues))})
    if len(roots) == 1:
        return [problem]
    region_of_venue = [roots.index(find(v)) for v in range(len(venues))]

    def region_near(place: str, row=None) -> int:
        minutes = travel[place_index[place]][venue_place] if row is None else row
        return region_of_venue[int(np.argmin(minutes))]

    parts = []
    for region in range(len(roots)):
        venue_ids = {v.id for v, r in zip(venues, region_of_venue) if r == region}
        learners = tuple(l for i, l in enumerate(problem.learners)
                         if region_near(l.home, np.where(home_to_venue[i] <= reach[i], home_to_venue[i], 10**9)
                                        if (home_to_venue[i] <= reach[i]).any() else None) == region)
        teachers = tuple(t for t in problem.teachers if region_near(t.home) == region)
        courses = tuple(replace(c, venues=tuple(v for v in c.venues if v in venue_ids)) for c in problem.courses)
        parts.append(replace(
            problem,
            venues=tuple(v for v in venues if v.id in venue_ids),
            courses=courses, teachers=teachers, learners=learners,
            current_groups=tuple(g for g in problem.current_groups if g.venue in venue_ids),
        ))
    return parts

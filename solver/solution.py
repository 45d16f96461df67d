"""Writing the solution document (spec: solver/README.md, "The solution document").

Besides the spec's fields the document carries two optional extras:

- `changes`: what differs from `current` —
  `{"learners": {"moved": [{"learner", "from", "to"}], "added": [{"learner", "group"}],
  "removed": [{"learner", "from"}]}, "groups": {"changed": [{"group", "fields": [...]}],
  "opened": [ids], "closed": [ids]}}` where `fields` lists "slots", "venue",
  "teacher" (a group of `current` that no longer meets is "closed").
- `what_if`: for each candidate slot no group uses, how many unplaced
  learners a group there could suit: `[{"slot": {"day", "start"}, "learners": n}]`,
  most first.

`stats.objective` holds the four tiers of the spec, computed exactly on the
written timetable: [placed (by priority), changes against `current`, share
points (100 x each placed learner's attendable share, plus `prefer_day`
weight per session on a preferred day), group and driving cost (`group`
weight per group plus driving minutes of learners and teachers)].

The weights within each tier are `config.Weights` (defaults there, each
documented; a problem's `weights` override them by name, whole numbers only).
Tiers stay strictly ordered.
`stats` also reports `status_quo_placed`, `start_placed` (the greedy start)
and `regions`.
"""

from __future__ import annotations

from solver.config import Weights
from solver.options import Options
from solver.problem import Problem, parse_clock, parse_day
from solver.timetable import Group, Timetable

FORMAT = "nortime.solution/1"


def invalid_document(errors: list[dict], seconds: float = 0.0) -> dict:
    """The document for a problem that could not be read."""
    return {"format": FORMAT, "status": "invalid_input", "placed": 0, "placed_bound": 0, "groups": [],
            "attendance": {}, "unplaced": [], "stats": {"seconds": round(seconds, 3), "objective": [0, 0, 0, 0]},
            "errors": list(errors)}


def name_groups(parts: list[tuple[Options, Timetable]], problem: Problem) -> dict[int, str]:
    """A stable id for every group: its id in `current`, else course-venue-n."""
    taken = {g.id for g in problem.current_groups}
    names: dict[int, str] = {}
    for options, table in parts:
        for g in table.groups:
            if g.id is not None:
                names[id(g)] = g.id
        for g in table.groups:
            if g.id is None:
                stem = f"{options.problem.courses[g.course].id}-{options.problem.venues[g.venue].id}"
                n = 1
                while f"{stem}-{n}" in taken:
                    n += 1
                taken.add(f"{stem}-{n}")
                names[id(g)] = f"{stem}-{n}"
    return names


def _group_json(options: Options, g: Group, name: str) -> dict:
    p = options.problem
    slots = sorted(g.slots, key=lambda s: (p.slots[s].day, p.slots[s].start))
    return {"id": name, "course": p.courses[g.course].id, "venue": p.venues[g.venue].id,
            "teacher": p.teachers[g.teacher].id if g.teacher is not None else None,
            "slots": [p.slots[s].to_json() for s in slots],
            "learners": sorted(p.learners[l].id for l in g.learners),
            "sessions": int(options.availability.total[list(g.slots)].sum())}


def _changes(problem: Problem, groups: list[dict], w: Weights) -> tuple[dict, int]:
    """The `changes` section and the tier-2 count (change weights from `weights`)."""
    now = {g["id"]: g for g in groups}
    where = {l: g["id"] for g in groups for l in g["learners"]}
    before = {l: g.id for g in problem.current_groups for l in g.learners}
    moved, added, removed = [], [], []
    for l in sorted(set(where) | set(before)):
        if l in before and l not in where:
            removed.append({"learner": l, "from": before[l]})
        elif l not in before:
            added.append({"learner": l, "group": where[l]})
        elif before[l] != where[l]:
            moved.append({"learner": l, "from": before[l], "to": where[l]})
    changed, closed = [], []
    for old in problem.current_groups:
        new = now.get(old.id)
        if new is None:
            closed.append(old.id)
            continue
        fields = []
        if sorted((s.day, s.start) for s in old.slots) != sorted(
                (parse_day(s["day"]), parse_clock(s["start"])) for s in new["slots"]):
            fields.append("slots")
        if old.venue != new["venue"]:
            fields.append("venue")
        if old.teacher != new["teacher"]:
            fields.append("teacher")
        if fields:
            changed.append({"group": old.id, "fields": fields})
    opened = sorted(g["id"] for g in groups if g["id"] not in {c.id for c in problem.current_groups})
    tier2 = w.change_learner * (len(moved) + len(removed)) + w.change_group * (len(changed) + len(closed))
    return ({"learners": {"moved": moved, "added": added, "removed": removed},
             "groups": {"changed": changed, "opened": opened, "closed": closed}}, tier2)


def write_solution(problem: Problem, parts: list[tuple[Options, Timetable]], reasons: list[dict],
                   status: str, bound: int, seconds: float, what_if: list[dict], extra_stats: dict,
                   w: Weights) -> dict:
    """The solution document for the merged timetables of all parts."""
    names = name_groups(parts, problem)
    groups, attendance = [], {}
    tier1 = tier3 = tier4 = 0
    for options, table in parts:
        p = options.problem
        for g in table.groups:
            groups.append(_group_json(options, g, names[id(g)]))
            offer = options.offer(g.course, g.venue)
            tier4 += w.group
            if g.teacher is not None:
                tier4 += w.teacher_drive * int(options.teacher_travel[g.teacher, g.venue])
            for l in g.learners:
                share = options.share(l, offer, g.slots)
                attendance[p.learners[l].id] = round(share, 3)
                tier1 += p.learners[l].priority
                tier3 += w.share * round(100 * share)
                tier3 += w.prefer_day * sum(p.slots[s].day in p.learners[l].prefer_days for s in g.slots)
                tier4 += w.learner_drive * int(options.learner_travel[l, g.venue])
    groups.sort(key=lambda g: g["id"])
    changes, tier2 = _changes(problem, groups, w)
    return {
        "format": FORMAT, "status": status, "placed": tier1, "placed_bound": max(bound, tier1),
        "groups": groups, "attendance": dict(sorted(attendance.items())),
        "unplaced": sorted(reasons, key=lambda r: r["learner"]),
        "stats": {"seconds": round(seconds, 3), "objective": [tier1, tier2, tier3, tier4], **extra_stats},
        "errors": [], "changes": changes, "what_if": what_if,
    }

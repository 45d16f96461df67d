"""The two figures a solve run gives, kept apart: learners placed (a head count) and the
priority-weighted value the optimizer maximises (each placed learner counts their priority).

`solution["placed"]`, `placed_bound` and the progress the solver reports are priority-weighted;
the review's "placed" is a head count. Pages label each as what it is.
"""
from __future__ import annotations

from collections.abc import Mapping


def head_count(solution: Mapping | None) -> int | None:
    """Learners placed by a solution document (None without one)."""
    if not solution:
        return None
    return sum(len(group.get("learners") or []) for group in solution.get("groups") or [])


def weighted_total(problem: Mapping | None) -> int:
    """The largest priority-weighted value a problem allows: everyone placed."""
    return sum(int(learner.get("priority", 1) or 1) for learner in (problem or {}).get("learners", []))

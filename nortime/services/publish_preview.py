"""What publishing a draft would change against the live (published) plan, group by group.

Learners are matched by id, never by name (namesakes exist); groups by their
key, which stays the same across re-plans. Nothing is changed here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Group, Learner, Plan


def slot_times(group: Group) -> tuple:
    return tuple((slot.day, slot.start) for slot in group.slots)


@dataclass
class GroupChange:
    """One group's change: (`before` None: a new group; `after` None: the group ends)."""

    key: str
    before: Group | None
    after: Group | None
    joining: list[Learner] = field(default_factory=list)
    leaving: list[Learner] = field(default_factory=list)

    @property
    def time_changes(self) -> bool:
        return self.before is not None and self.after is not None and slot_times(self.before) != slot_times(self.after)

    @property
    def venue_changes(self) -> bool:
        return self.before is not None and self.after is not None and self.before.venue_id != self.after.venue_id

    @property
    def teacher_changes(self) -> bool:
        return self.before is not None and self.after is not None and self.before.teacher_id != self.after.teacher_id

    @property
    def changed(self) -> bool:
        return (self.before is None or self.after is None or self.time_changes or self.venue_changes
                or self.teacher_changes or bool(self.joining or self.leaving))


@dataclass
class PublishPreview:
    """Head counts of learners placed (newly), moved (to another group), removed (placed before, not now)."""

    live: Plan | None
    draft: Plan
    placed: list[Learner] = field(default_factory=list)
    moved: list[Learner] = field(default_factory=list)
    removed: list[Learner] = field(default_factory=list)
    staying: int = 0
    groups: list[GroupChange] = field(default_factory=list)


def _placements(plan: Plan | None) -> dict[int, tuple[Learner, Group]]:
    if plan is None:
        return {}
    return {placement.learner_id: (placement.learner, group) for group in plan.groups for placement in group.placements}


def preview(draft: Plan, live: Plan | None) -> PublishPreview:
    """What changes for learners and groups when `draft` replaces `live` (None: nothing is published yet)."""
    before, after = _placements(live), _placements(draft)
    result = PublishPreview(live, draft)
    old_groups = {group.key: group for group in (live.groups if live is not None else [])}
    new_groups = {group.key: group for group in draft.groups}
    changes = {key: GroupChange(key, old_groups.get(key), new_groups.get(key))
               for key in sorted(set(old_groups) | set(new_groups))}
    for learner_id, (learner, group) in sorted(after.items()):
        if learner_id not in before:
            result.placed.append(learner)
            changes[group.key].joining.append(learner)
        elif before[learner_id][1].key != group.key:
            result.moved.append(learner)
            changes[group.key].joining.append(learner)
            changes[before[learner_id][1].key].leaving.append(learner)
        else:
            result.staying += 1
    for learner_id, (learner, group) in sorted(before.items()):
        if learner_id not in after:
            result.removed.append(learner)
            changes[group.key].leaving.append(learner)
    result.groups = [change for change in changes.values() if change.changed]
    return result

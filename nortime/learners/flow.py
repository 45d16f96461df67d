"""The rota steps, shared by sign-up and by a learner changing their rota later.

A Flow says where the draft answers live in the session and where each step's
URL is. Nothing is stored in the database until the flow's last step.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import session, url_for


@dataclass(frozen=True)
class Flow:
    kind: str  # "signup" or "edit"
    token: str | None = None
    learner_id: int | None = None

    @property
    def key(self) -> str:
        return "signup" if self.kind == "signup" else f"edit-{self.learner_id}"

    def url(self, step: str, **values) -> str:
        if self.token is not None:
            values["token"] = self.token
        return url_for(f"learners.{self.kind}_{step}", **values)

    def draft(self) -> dict:
        return session.get(self.key) or {}

    def save(self, **parts) -> None:
        draft = dict(self.draft())
        draft.update(parts)
        session[self.key] = draft
        session.modified = True

    def clear(self) -> None:
        session.pop(self.key, None)

"""The rota steps, shared by sign-up and by a learner changing their rota later.

A Flow says which draft holds its answers and where each step's URL is. The
answers live on the server (services/drafts.py); the session holds only the
draft's random id. Nothing reaches the learner's record until the last step.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import session, url_for

from ..services import drafts


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

    @property
    def session_key(self) -> str:
        return f"{self.key}-draft"

    def draft(self) -> dict:
        return drafts.load(session.get(self.session_key))

    def save(self, **parts) -> None:
        draft = dict(self.draft())
        draft.update(parts)
        session[self.session_key] = drafts.store(session.get(self.session_key), draft)

    def clear(self) -> None:
        drafts.discard(session.pop(self.session_key, None))

"""Unfinished sign-up and rota-change answers, kept on the server (issue 16).

Name, phone and rota must not travel in a readable cookie, so the visitor's
session holds only a random draft id. A draft untouched for SIGNUP_DRAFT_HOURS
is gone: reading it answers {}, and starting a new draft deletes the expired ones.
"""
from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from sqlalchemy import delete

from ..db import db
from ..models import SignupDraft, utcnow


def _oldest_kept() -> dt.datetime:
    return utcnow() - dt.timedelta(hours=current_app.config["SIGNUP_DRAFT_HOURS"])


def load(draft_id) -> dict:
    """The draft's answers, or {} when there is none (or it expired)."""
    if not isinstance(draft_id, str) or not draft_id:
        return {}
    draft = db.session.get(SignupDraft, draft_id)
    if draft is None or draft.updated_at < _oldest_kept():
        return {}
    return dict(draft.answers or {})


def store(draft_id, answers: dict) -> str:
    """Save the answers under draft_id, or under a new id when there is none yet; returns the id."""
    draft = db.session.get(SignupDraft, draft_id) if isinstance(draft_id, str) and draft_id else None
    if draft is None:
        purge_expired()
        draft = SignupDraft(id=secrets.token_urlsafe(32))
        db.session.add(draft)
    draft.answers = answers
    draft.updated_at = utcnow()
    db.session.commit()
    return draft.id


def discard(draft_id) -> None:
    if isinstance(draft_id, str) and draft_id:
        db.session.execute(delete(SignupDraft).where(SignupDraft.id == draft_id))
        db.session.commit()


def purge_expired() -> int:
    """Delete drafts nobody touched for SIGNUP_DRAFT_HOURS; the number deleted (not committed)."""
    return db.session.execute(delete(SignupDraft).where(SignupDraft.updated_at < _oldest_kept())).rowcount

"""How long learners' details are kept, and how a learner is erased everywhere.

The privacy page promises deletion RETENTION_MONTHS after the learner's last
term ended; `flask --app nortime purge` keeps that promise. A learner's last
term is the latest term of their provider that ended on or after the day they
signed up, or of any plan that placed or left them out, whichever is later.
Learners with no such term (still waiting for their first course) are kept.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from babel.units import format_unit
from flask import current_app
from flask_babel import get_locale
from sqlalchemy import String, cast, delete, or_, select

from ..db import db
from ..models import Attendance, FeedToken, Learner, Message, Offer, Placement, Plan, PlanChange, SolveRun, Term, Unplacement, utcnow
from .planning import learner_key

_DROP = object()
SCRUB_KEYS_PER_QUERY = 100


def retention_months() -> int:
    return int(current_app.config["RETENTION_MONTHS"])


def retention_period() -> str:
    """The retention time in the current language, e.g. "1 year", "18 months"."""
    months = retention_months()
    unit, value = ("duration-year", months // 12) if months % 12 == 0 else ("duration-month", months)
    return format_unit(value, unit, length="long", locale=str(get_locale() or "nb"))


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_term_ends() -> dict[int, dt.date]:
    """For every learner who has one: the last day of their last term (see the module docstring)."""
    ends: dict[int, dt.date] = {}

    def note(learner_id: int, day: dt.date) -> None:
        if learner_id not in ends or day > ends[learner_id]:
            ends[learner_id] = day

    own_terms = db.session.execute(
        select(Learner.id, Term.last_day).join(Term, Term.provider_id == Learner.provider_id))
    for learner_id, last_day in own_terms:
        note(learner_id, last_day)
    created = dict(db.session.execute(select(Learner.id, Learner.created_at)).all())
    ends = {learner_id: day for learner_id, day in ends.items() if day >= created[learner_id].date()}
    for model in (Placement, Unplacement):
        rows = db.session.execute(select(model.learner_id, Term.last_day).join(Plan, Plan.id == model.plan_id)
                                  .join(Term, Term.id == Plan.term_id))
        for learner_id, last_day in rows:
            note(learner_id, last_day)
    return ends


def due_for_deletion(today: dt.date | None = None) -> list[Learner]:
    """Learners whose last term ended more than RETENTION_MONTHS before `today`."""
    today = today or dt.date.today()
    months = retention_months()
    due = [learner_id for learner_id, end in last_term_ends().items() if months_after(end, months) < today]
    if not due:
        return []
    return list(db.session.scalars(select(Learner).where(Learner.id.in_(due)).order_by(Learner.id)))


def erase_learners(learners: Iterable[Learner]) -> int:
    """Delete the learners and everything about them, in one transaction; returns how many.

    Their calendar feeds answer 410 Gone from now on, and they are scrubbed from the
    problem and solution documents of stored solve runs (home, level, rota, group).
    """
    learners = list(learners)
    if not learners:
        return 0
    from . import offers

    ids = [learner.id for learner in learners]
    now = utcnow()
    freed = [seat for learner in learners for seat in offers.learner_leaves(learner, "deleted")]
    for token in db.session.scalars(select(FeedToken).where(FeedToken.learner_id.in_(ids))):
        token.revoked_at = token.revoked_at or now
        token.learner_id = None
    # Rows that point at the learner without an ORM cascade (SQLite does not enforce ON DELETE).
    for model in (Placement, Unplacement, Attendance, PlanChange, Message, Offer):
        db.session.execute(delete(model).where(model.learner_id.in_(ids)))
    scrub_solve_runs({learner_key(learner_id) for learner_id in ids})
    for learner in learners:
        db.session.delete(learner)
    db.session.commit()
    offers.pass_on(freed)
    return len(ids)


def scrub_solve_runs(keys: set[str]) -> int:
    """Remove the learners with these JSON ids ("L17") from every stored run; returns the runs changed."""
    ordered = sorted(keys)
    run_ids: set[int] = set()
    # The ids are quoted JSON strings in the stored text: a cheap filter before parsing, a few
    # keys per query (SQLite refuses expressions more than 1000 deep).
    for start in range(0, len(ordered), SCRUB_KEYS_PER_QUERY):
        mentions = [cast(column, String).contains(f'"{key}"') for key in ordered[start:start + SCRUB_KEYS_PER_QUERY]
                    for column in (SolveRun.problem, SolveRun.solution)]
        run_ids.update(db.session.scalars(select(SolveRun.id).where(or_(*mentions))))
    for run_id in sorted(run_ids):
        run = db.session.get(SolveRun, run_id)
        run.problem = _without(run.problem, keys)
        run.solution = _without(run.solution, keys)
    return len(run_ids)


def _without(value, keys: set[str]):
    """`value` (JSON data) without any mention of `keys`.

    Dropped: an object whose "id" or "learner" is one of them (a learner, an unplaced
    entry, a change), a list item or an object key equal to one (group members,
    locked learners, the attendance map). The documents' format needs no knowledge here.
    """
    if isinstance(value, dict):
        if _is_key(value.get("id"), keys) or _is_key(value.get("learner"), keys):
            return _DROP
        kept = {name: _without(item, keys) for name, item in value.items() if not _is_key(name, keys)}
        return {name: item for name, item in kept.items() if item is not _DROP}
    if isinstance(value, list):
        kept = [_without(item, keys) for item in value if not _is_key(item, keys)]
        return [item for item in kept if item is not _DROP]
    return value


def _is_key(value, keys: set[str]) -> bool:
    return isinstance(value, str) and value in keys


def purge(today: dt.date | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Delete every learner due for deletion; returns how many per provider slug ("-" for none)."""
    due = due_for_deletion(today)
    counts: dict[str, int] = {}
    for learner in due:
        slug = learner.provider.slug if learner.provider is not None else "-"
        counts[slug] = counts.get(slug, 0) + 1
    if not dry_run:
        erase_learners(due)
    return counts

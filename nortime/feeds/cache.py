"""Built feed bodies (and public pages), kept in this process until something they show may have changed.

An entry is valid while the cache version is unchanged. The version moves
when (a) this process commits a change to a row a feed shows (a SQLAlchemy
event), (b) `invalidate_feeds()` runs, or (c) the database's feed stamp —
published plans, seats changed, session changes, series SEQUENCEs, revoked tokens — differs
from the last look, which happens at most every STAMP_SECONDS, so changes
made by another worker or a CLI command show within a second. Entries older
than MAX_AGE are rebuilt whatever happened (e.g. a venue renamed by another
worker), which calendar clients polling every few hours never notice.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session as OrmSession

from ..db import db
from ..models import (
    CalendarSeries, ClosedDate, Course, FeedToken, Group, GroupSlot, Learner, Offer, Place, Placement, Plan,
    PlanChange, Provider, SessionChange, Teacher, Term, Venue,
)

STAMP_SECONDS = 1.0
MAX_AGE = 60.0
MAX_ENTRIES = 5_000  # least recently used bodies go first (a few MB per thousand feeds)
# Rows whose change may change a feed's body or whether it is served.
WATCHED = (Plan, Group, GroupSlot, Placement, SessionChange, ClosedDate, Term, Course, Venue, Place, Teacher,
           Learner, Provider, FeedToken, Offer)  # an offer holds a seat: others' join lists change

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[tuple[int, int], float, object]] = OrderedDict()
_local_version = 0
_stamp: tuple | None = None
_stamp_checked = 0.0
_stamp_generation = 0


def bump() -> None:
    """Forget every built body in this process."""
    global _local_version
    with _lock:
        _local_version += 1
        _entries.clear()


def database_stamp() -> tuple:
    """One cheap query whose answer changes with publications, session changes, SEQUENCEs and revocations."""
    published = Plan.status == "published"
    columns = [
        select(func.count()).select_from(Plan).where(published),
        select(func.max(Plan.published_at)).where(published),
        select(func.max(Plan.id)).where(published),
        select(func.max(PlanChange.id)),  # a learner seated in a live plan by another worker
        select(func.max(Offer.id)),  # a seat held or let go by another worker: free seats change
        select(func.max(Offer.answered_at)),
        select(func.count()).select_from(Offer).where(Offer.state == "open"),
        select(func.count()).select_from(SessionChange),
        select(func.max(SessionChange.id)),
        select(func.max(SessionChange.created_at)),
        select(func.count()).select_from(CalendarSeries),
        select(func.sum(CalendarSeries.sequence)),
        select(func.max(CalendarSeries.last_modified)),
        select(func.count()).select_from(FeedToken).where(FeedToken.revoked_at.is_not(None)),
        select(func.max(FeedToken.revoked_at)),
    ]
    row = db.session.execute(select(*(column.scalar_subquery() for column in columns))).one()
    return tuple(str(value) for value in row)


def _version(force: bool = False) -> tuple[int, int]:
    """The current cache version, looking at the database stamp at most every STAMP_SECONDS (or now)."""
    global _stamp, _stamp_checked, _stamp_generation
    now = time.monotonic()
    if force or now - _stamp_checked >= STAMP_SECONDS:
        stamp = database_stamp()
        with _lock:
            _stamp_checked = now
            if stamp != _stamp:
                _stamp = stamp
                _stamp_generation += 1
    return _local_version, _stamp_generation


def _valid(key: Hashable, version: tuple[int, int], now: float):
    entry = _entries.get(key)
    if entry is not None and entry[0] == version and now - entry[1] < MAX_AGE:
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
        return entry[2]
    return None


def peek(key: Hashable):
    """The entry for `key` when still valid, else None (nothing is built)."""
    return _valid(key, _version(), time.monotonic())


def cached(key: Hashable, build: Callable[[], object]):
    """The entry for `key` when still valid, else `build()` (stored; exceptions are not)."""
    version, now = _version(), time.monotonic()
    value = _valid(key, version, now)
    if value is not None:
        return value
    value = build()
    # Building may itself commit series SEQUENCEs, which move the stamp: look again, so the
    # entry is not stale at birth. A change another worker commits during the build is
    # then missed until the next change or MAX_AGE, a window of one build.
    version = _version(force=True)
    with _lock:
        _entries[key] = (version, now, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def _touches_feeds(session: OrmSession) -> bool:
    return any(isinstance(row, WATCHED) for rows in (session.new, session.dirty, session.deleted) for row in rows)


@event.listens_for(OrmSession, "before_flush")
def _note_feed_change(session, flush_context, instances) -> None:
    if _touches_feeds(session):
        session.info["nortime_feeds_changed"] = True


@event.listens_for(OrmSession, "after_commit")
def _drop_built_feeds(session) -> None:
    if session.info.pop("nortime_feeds_changed", False):
        bump()


@event.listens_for(OrmSession, "after_rollback")
def _forget_feed_change(session) -> None:
    session.info.pop("nortime_feeds_changed", None)

"""Which published groups each feed shows, and its built body (cached; see cache.py).

Feeds: a learner's (private, by FeedToken), a teacher's (private, by
FeedToken), a group's, a venue's, a municipality's and a provider's (public).
Only groups of published plans ever appear.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from ..db import db
from ..i18n import DEFAULT, LANGUAGES
from ..models import FeedToken, Group, Learner, Municipality, Place, Plan, Provider, Teacher, Venue
from ..services.plans import of_live_plans
from ..services.timetable import published_group_for, published_groups_of_teacher
from . import cache
from .calendar import group_text, override_vevent, series_vevent, standalone_vevent, vcalendar, vtimezone
from .series import Series, group_series, sync_series

UTC = dt.timezone.utc
EPOCH = dt.datetime(2000, 1, 1, tzinfo=UTC)


class FeedNotFound(LookupError):
    """No such feed (and, for a private feed, no such token was ever issued): 404."""


class FeedGone(LookupError):
    """The private feed's token was revoked, or its owner is gone: 410."""


@dataclass(frozen=True)
class FeedBody:
    body: bytes
    etag: str  # strong: a hash of exactly these bytes
    last_modified: dt.datetime  # aware UTC, whole seconds


@dataclass(frozen=True)
class FeedContent:
    name: str
    groups: list[Group]
    language: str
    since: dt.datetime  # Last-Modified may not be earlier (e.g. when a group left the feed)


def _groups(query) -> list[Group]:
    groups = list(db.session.scalars(of_live_plans(query)))
    return sorted(groups, key=lambda group: (group.plan.provider.slug, group.key))


def _published_since(*provider_ids: int) -> dt.datetime:
    latest = db.session.scalar(select(func.max(Plan.published_at)).where(Plan.provider_id.in_(provider_ids))) \
        if provider_ids else None
    return latest.replace(tzinfo=UTC) if latest else EPOCH


def _token(token: str, kind: str) -> FeedToken:
    row = db.session.get(FeedToken, token) if 16 <= len(token) <= 64 else None
    if row is None or row.owner_kind != kind:
        raise FeedNotFound(kind)
    owner_id = row.learner_id if kind == "learner" else row.teacher_id
    if row.revoked_at is not None or owner_id is None:
        raise FeedGone(kind)
    return row


def feed_content(kind: str, ident: str | tuple, language: str | None) -> FeedContent:
    """What the feed `kind`/`ident` shows; FeedNotFound or FeedGone when it cannot be served."""
    public_language = language if language in LANGUAGES else DEFAULT
    if kind == "learner":
        learner = db.session.get(Learner, _token(ident, "learner").learner_id)
        if learner is None or learner.withdrawn_at is not None:
            raise FeedGone(kind)
        group = published_group_for(learner)
        with force_locale(learner.language if learner.language in LANGUAGES else DEFAULT):
            name = gettext("My Norwegian course")
        providers = [learner.provider_id] if learner.provider_id else []
        return FeedContent(f"nortime: {name}", [group] if group else [], learner.language,
                           _published_since(*providers))
    if kind == "teacher":
        teacher = db.session.get(Teacher, _token(ident, "teacher").teacher_id)
        if teacher is None:
            raise FeedGone(kind)
        return FeedContent(f"nortime: {teacher.name}", published_groups_of_teacher(teacher), teacher.language,
                           _published_since(teacher.provider_id))
    if kind == "group":
        provider_slug, key = ident
        provider = db.session.scalar(select(Provider).where(Provider.slug == provider_slug))
        groups = _groups(select(Group).where(Group.key == key, Plan.provider_id == provider.id)) if provider else []
        if not groups:
            raise FeedNotFound(kind)
        course = groups[0].course
        return FeedContent(f"nortime: {course.name} {groups[0].venue.name}", groups, public_language,
                           _published_since(provider.id))
    if kind == "venue":
        venue = db.session.scalar(select(Venue).where(Venue.slug == ident))
        if venue is None:
            raise FeedNotFound(kind)
        return FeedContent(f"nortime: {venue.name}", _groups(select(Group).where(Group.venue_id == venue.id)),
                           public_language, _published_since(venue.provider_id))
    if kind == "municipality":
        municipality = db.session.get(Municipality, ident)
        if municipality is None:
            raise FeedNotFound(kind)
        groups = _groups(select(Group).join(Venue, Venue.id == Group.venue_id).join(Place, Place.id == Venue.place_id)
                         .where(Place.municipality_number == municipality.number))
        providers = db.session.scalars(select(Provider.id)).all()
        return FeedContent(f"nortime: {municipality.name}", groups, public_language, _published_since(*providers))
    if kind == "provider":
        provider = db.session.scalar(select(Provider).where(Provider.slug == ident))
        if provider is None:
            raise FeedNotFound(kind)
        return FeedContent(f"nortime: {provider.name}", _groups(select(Group).where(Plan.provider_id == provider.id)),
                           public_language, _published_since(provider.id))
    raise FeedNotFound(kind)


def build_body(content: FeedContent, link_for=None) -> FeedBody:
    """The VCALENDAR bytes of `content`, with a strong ETag and Last-Modified from the data."""
    per_group = [(group, *group_series(group)) for group in content.groups]
    items = [item for _, series, standalones in per_group for item in (*series, *standalones)]
    states = sync_series(items)
    zones = sorted({group.plan.term.timezone for group in content.groups})
    years = [year for group in content.groups for year in (group.plan.term.first_day.year,
                                                             group.plan.term.last_day.year)]
    events = []
    language = content.language if content.language in LANGUAGES else DEFAULT
    with force_locale(language):
        timezones = [vtimezone(tzid, range(min(years) - 1, max(years) + 2)) for tzid in zones]
        for group, series_list, standalones in per_group:
            text = group_text(group, link_for(group) if link_for else None)
            for series in series_list:
                events.append(series_vevent(series, text, states[series.uid]))
                events.extend(override_vevent(series, session, text, states[series.uid])
                              for session in series.overrides)
            events.extend(standalone_vevent(item, text, states[item.uid]) for item in standalones)
    body = vcalendar(content.name, timezones, events).to_ical()
    modified = max([content.since, *(states[item.uid].last_modified.replace(tzinfo=UTC) for item in items)])
    return FeedBody(body, hashlib.sha256(body).hexdigest()[:40], modified.replace(microsecond=0))


def feed(kind: str, ident, language: str | None = None, base_url: str = "", link_for=None) -> FeedBody:
    """The feed's body, from the cache when nothing relevant changed since it was built.

    `link_for(group)` gives the group page's address (or None); it depends on
    `base_url` only, which is part of the cache key.
    """
    key = (kind, ident, language, base_url)
    return cache.cached(key, lambda: build_body(feed_content(kind, ident, language), link_for))


def _series_of(groups: list[Group]) -> list[Series]:
    return [item for group in groups for part in group_series(group) for item in part]


def invalidate_feeds() -> None:
    """Call after committing a publication or a session change: SEQUENCEs are brought up to date
    (committed) and every cached feed body is dropped."""
    cache.bump()
    sync_series(_series_of(_groups(select(Group))))
    cache.bump()

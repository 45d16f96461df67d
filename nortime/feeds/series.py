"""A group's timetable as calendar series: one weekly rule per slot, with its exceptions.

The sessions come from `services.timetable.group_sessions`, so a feed can only
say what nortime's own timetable says. Each series keeps a `CalendarSeries`
row (SEQUENCE, fingerprint, LAST-MODIFIED) so that SEQUENCE only ever grows
and an unchanged feed is byte-identical.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..models import WEEKDAYS, CalendarSeries, Group, GroupSlot, utcnow
from ..services.timetable import Session, group_sessions, local_time, slot_dates

UTC = dt.timezone.utc
# Fixed for ever: UIDs derived from it must not change between releases.
UID_NAMESPACE = uuid.UUID("6f0d4b0e-2a53-5a8e-9c1e-7d3f0b9a4c21")
RRULE_DAYS = tuple(day[:2].upper() for day in WEEKDAYS)  # RFC 5545 BYDAY: MO, TU, ... SU


@dataclass(frozen=True)
class Series:
    """One weekly series of a group's slot: a VEVENT master and its overrides."""

    uid: str
    group: Group
    dtstart: dt.datetime
    dtend: dt.datetime
    byday: str
    until: dt.datetime  # the last occurrence's start, in UTC
    exdates: tuple[dt.datetime, ...]  # real occurrences that do not take place in the series
    overrides: tuple[Session, ...]  # cancelled, or moved between their neighbours


@dataclass(frozen=True)
class Standalone:
    """A session moved past a neighbouring occurrence: its own VEVENT (the series has an EXDATE)."""

    uid: str
    group: Group
    session: Session


def series_uid(group: Group, slot_day: str, moved_from: dt.date | None = None) -> str:
    """uuid5 of provider, term, group key and slot: stable across re-publication, no personal data."""
    name = f"{group.plan.provider.slug}/{group.plan.term_id}/{group.key}/{slot_day}"
    if moved_from is not None:
        name += f"/moved/{moved_from.isoformat()}"
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@nortime"


def group_series(group: Group) -> tuple[list[Series], list[Standalone]]:
    """The group's series (one per slot with at least one open date) and standalone moved sessions."""
    zone = ZoneInfo(group.plan.term.timezone)
    sessions = group_sessions(group)
    # Every occurrence the rules give, in time order: a moved session's neighbours may be in another slot.
    occurrences = sorted(local_time(day, slot.start, zone) for slot in group.slots
                         for day in slot_dates(group, slot.weekday))
    series, standalones = [], []
    for slot in group.slots:
        built = _slot_series(group, slot, zone, [s for s in sessions if s.occurrence_date.weekday() == slot.weekday],
                             occurrences)
        if built is not None:
            series.append(built[0])
            standalones.extend(built[1])
    return series, standalones


def _slot_series(group: Group, slot: GroupSlot, zone: ZoneInfo, sessions: list[Session],
                 occurrences: list[dt.datetime]):
    open_days = slot_dates(group, slot.weekday)
    if not open_days:
        return None
    first, last = open_days[0], open_days[-1]
    dtstart = local_time(first, slot.start, zone)
    dtend = (dt.datetime.combine(first, slot.start)
             + dt.timedelta(minutes=group.course.session_minutes)).replace(tzinfo=zone)
    # EXDATEs only on dates the rule really produces: closed weekdays inside DTSTART..UNTIL.
    rule_days = [first + dt.timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    open_set = set(open_days)
    exdates = [local_time(day, slot.start, zone) for day in rule_days if day not in open_set]
    starts = [local_time(day, slot.start, zone) for day in open_days]
    overrides, standalones = [], []
    for session in sessions:
        if session.status == "confirmed":
            continue
        if session.status == "moved" and not _between_neighbours(session, occurrences, slot, zone):
            exdates.append(local_time(session.occurrence_date, slot.start, zone))
            standalones.append(Standalone(series_uid(group, slot.day, session.occurrence_date), group, session))
        else:
            overrides.append(session)
    return (Series(uid=series_uid(group, slot.day), group=group, dtstart=dtstart, dtend=dtend,
                   byday=RRULE_DAYS[slot.weekday], until=starts[-1].astimezone(UTC),
                   exdates=tuple(sorted(exdates)), overrides=tuple(overrides)),
            standalones)


def _between_neighbours(session: Session, starts: list[dt.datetime], slot: GroupSlot, zone: ZoneInfo) -> bool:
    """Whether a moved session still lies strictly between the group's previous and next occurrence.

    Beyond a neighbour, some clients (Outlook) drop or misplace the override,
    so such a session becomes an EXDATE plus a standalone event.
    """
    original = local_time(session.occurrence_date, slot.start, zone)
    index = starts.index(original)
    previous = starts[index - 1] if index > 0 else None
    following = starts[index + 1] if index + 1 < len(starts) else None
    return (previous is None or session.start > previous) and (following is None or session.start < following)


def _stamp(value: dt.datetime) -> str:
    return value.isoformat()


def event_facts(group: Group) -> dict:
    """What a subscriber sees of the group, whatever the language (course, venue, teacher)."""
    venue = group.venue
    return {"course": [group.course.name, group.course.level],
            "venue": [venue.name, venue.address, venue.place.lat, venue.place.lon],
            "teacher": group.teacher.name if group.teacher else None}


def fingerprint(item: Series | Standalone) -> str:
    """A hash of everything a calendar client would notice changing in this UID."""
    if isinstance(item, Series):
        data = {"start": _stamp(item.dtstart), "end": _stamp(item.dtend), "rule": [item.byday, _stamp(item.until)],
                "exdates": [_stamp(x) for x in item.exdates],
                "overrides": [[s.occurrence_date.isoformat(), s.status, _stamp(s.start), _stamp(s.end), s.reason]
                              for s in item.overrides]}
    else:
        s = item.session
        data = {"moved": [s.occurrence_date.isoformat(), _stamp(s.start), _stamp(s.end), s.reason]}
    data["facts"] = event_facts(item.group)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def sync_series(items: list[Series | Standalone]) -> dict[str, CalendarSeries]:
    """The CalendarSeries row of every item, created or bumped (SEQUENCE + 1) when its fingerprint changed.

    Commits when it changed anything. Two processes racing to create the same
    row: the loser re-reads the winner's row.
    """
    fingerprints = {item.uid: fingerprint(item) for item in items}
    rows = {row.uid: row for row in db.session.scalars(
        select(CalendarSeries).where(CalendarSeries.uid.in_(list(fingerprints))))} if fingerprints else {}
    now = utcnow().replace(microsecond=0)
    changed = False
    for uid, print_ in fingerprints.items():
        row = rows.get(uid)
        if row is None:
            rows[uid] = row = CalendarSeries(uid=uid, sequence=0, fingerprint=print_, last_modified=now)
            db.session.add(row)
            changed = True
        elif row.fingerprint != print_:
            row.sequence += 1
            row.fingerprint = print_
            # Never backwards, even if this machine's clock is behind the one that wrote the row.
            row.last_modified = max(now, row.last_modified + dt.timedelta(seconds=1))
            changed = True
    if changed:
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return sync_series(items)
    return rows

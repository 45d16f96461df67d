"""iCalendar (RFC 5545) components of a published timetable, one function per component.

`vcalendar` holds one `vtimezone` per TZID and, per group, a `series_vevent`
per weekly slot with its `override_vevent`s (RECURRENCE-ID) and any
`standalone_vevent` for a session moved past a neighbouring occurrence.
Texts are in the current locale (see flask_babel.force_locale).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import get_locale, gettext
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration

from ..models import CalendarSeries, Group
from ..services.timetable import Session
from .series import Series, Standalone

PRODID = "-//nortime//Norwegian course timetables//EN"
REFRESH = dt.timedelta(hours=6)
UTC = dt.timezone.utc


@dataclass(frozen=True)
class EventText:
    """What a group's events say, in the current language."""

    summary: str
    location: str
    description: str
    geo: tuple[float, float]


def calendar_name(text: str) -> str:
    """A calendar name without , ; \\ or line breaks, which some clients show escaped or cut."""
    return re.sub(r"\s+", " ", re.sub(r"[,;\\\r\n]", " ", text)).strip()


def group_text(group: Group, link: str | None) -> EventText:
    course, venue = group.course, group.venue
    summary = course.name if course.level in course.name else f"{course.name} ({course.level})"
    location = ", ".join(part for part in (venue.name, venue.address) if part)
    lines = []
    if group.teacher is not None:
        lines.append(gettext("Teacher: %(name)s", name=group.teacher.name))
    lines.append(gettext("Venue: %(name)s", name=location))
    if link:
        lines.append(link)
    return EventText(summary, location, "\n".join(lines), (venue.place.lat, venue.place.lon))


def vcalendar(name: str, timezones: list[Timezone], events: list[Event]) -> Calendar:
    """VCALENDAR for publishing: fixed PRODID, a refresh hint, then zones and events."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", calendar_name(name))
    calendar.add("x-wr-calname", calendar_name(name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for timezone in timezones:
        calendar.add_component(timezone)
    for event in events:
        calendar.add_component(event)
    return calendar


def _last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() - 6) % 7)


def vtimezone(tzid: str, years: range) -> Timezone:
    """VTIMEZONE from two yearly rules (EU daylight saving: last Sunday of March and October, 01:00 UTC).

    Long RDATE lists are avoided on purpose: Thunderbird reads only the first
    value and Outlook misreads them. A zone that does not follow the EU rule
    in `years` is refused with a ValueError rather than described wrongly.
    """
    zone = ZoneInfo(tzid)
    winter = dt.datetime(years.start, 1, 15, tzinfo=zone)
    summer = dt.datetime(years.start, 7, 15, tzinfo=zone)
    standard, daylight = winter.utcoffset(), summer.utcoffset()
    timezone = Timezone()
    timezone.add("tzid", tzid)
    if standard == daylight:
        timezone.add_component(_observance(TimezoneStandard, winter.tzname(), standard, standard,
                                           dt.datetime(1970, 1, 1), None))
        return timezone
    for year in years:
        for month, before, after in ((3, standard, daylight), (10, daylight, standard)):
            change = dt.datetime.combine(_last_sunday(year, month), dt.time(1), tzinfo=UTC)
            if ((change - dt.timedelta(minutes=1)).astimezone(zone).utcoffset(), change.astimezone(zone).utcoffset()) \
                    != (before, after):
                raise ValueError(f"time zone {tzid!r} does not change clocks on the last Sunday of "
                                 f"{'March' if month == 3 else 'October'} {year} at 01:00 UTC; "
                                 "nortime's feeds support zones that follow the EU daylight-saving rule")
    timezone.add_component(_observance(TimezoneDaylight, summer.tzname(), standard, daylight,
                                       _first_change(3, standard), {"freq": "yearly", "bymonth": 3, "byday": "-1SU"}))
    timezone.add_component(_observance(TimezoneStandard, winter.tzname(), daylight, standard,
                                       _first_change(10, daylight), {"freq": "yearly", "bymonth": 10, "byday": "-1SU"}))
    return timezone


def _first_change(month: int, offset_before: dt.timedelta) -> dt.datetime:
    """The 1970 change, in local time before it (as RFC 5545 wants DTSTART of an observance)."""
    return dt.datetime.combine(_last_sunday(1970, month), dt.time(1)) + offset_before


def _observance(kind, name: str, offset_from: dt.timedelta, offset_to: dt.timedelta, start: dt.datetime,
                rule: dict | None):
    observance = kind()
    observance.add("tzname", name)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    observance.add("dtstart", start)
    if rule:
        observance.add("rrule", rule)
    return observance


def _event(uid: str, state: CalendarSeries, start: dt.datetime, end: dt.datetime, summary: str, status: str,
           text: EventText, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    stamp = state.last_modified.replace(tzinfo=UTC)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", state.sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("location", text.location)
    event.add("geo", text.geo)
    event.add("description", description)
    event.add("status", status)
    event.add("transp", "OPAQUE")
    return event


def series_vevent(series: Series, text: EventText, state: CalendarSeries) -> Event:
    """The master VEVENT: weekly RRULE with UNTIL in UTC, EXDATEs in the DTSTART's TZID form."""
    event = _event(series.uid, state, series.dtstart, series.dtend, text.summary, "CONFIRMED", text,
                   text.description)
    event.add("rrule", {"freq": "weekly", "byday": series.byday, "until": series.until})
    if series.exdates:
        event.add("exdate", list(series.exdates))
    return event


def override_vevent(series: Series, session: Session, text: EventText, state: CalendarSeries) -> Event:
    """One occurrence changed: cancelled (STATUS:CANCELLED, "Cancelled: …") or moved to new times."""
    original = series.dtstart.replace(year=session.occurrence_date.year, month=session.occurrence_date.month,
                                      day=session.occurrence_date.day)
    if session.status == "cancelled":
        summary = gettext("Cancelled: %(summary)s", summary=text.summary)
        note = gettext("Cancelled: %(reason)s", reason=session.reason) if session.reason else gettext("Cancelled")
        event = _event(series.uid, state, session.start, session.end, summary, "CANCELLED", text,
                       note + "\n" + text.description)
    else:
        event = _event(series.uid, state, session.start, session.end, text.summary, "CONFIRMED", text,
                       _moved_note(session) + "\n" + text.description)
    event.add("recurrence-id", original)
    return event


def standalone_vevent(standalone: Standalone, text: EventText, state: CalendarSeries) -> Event:
    """A session moved past a neighbouring occurrence, as an event of its own."""
    session = standalone.session
    return _event(standalone.uid, state, session.start, session.end, text.summary, "CONFIRMED", text,
                  _moved_note(session) + "\n" + text.description)


def _moved_note(session: Session) -> str:
    day = format_date(session.occurrence_date, format="long", locale=get_locale() or "nb")
    note = gettext("Moved from %(date)s", date=day)
    return f"{note}: {session.reason}" if session.reason else note

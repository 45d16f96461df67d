"""Expand an iCalendar feed (stdin) with libical (Evolution's engine) through GObject introspection.

Runs under Debian's /usr/bin/python3 with gir1.2-ical-3.0 (nortime's venv
cannot import gi). Prints the same JSON as expand.mjs:
{"zones": [...], "sessions": [[startUTC, endUTC, STATUS, SUMMARY], ...]}.
RRULE expansion, EXDATE and TZID resolution (through the feed's own
VTIMEZONE) are libical's; relating overrides to their master is done here.
"""
import datetime as dt
import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ical  # noqa: E402

UTC = dt.timezone.utc


def utc(time):
    seconds = time.as_timet_with_zone(time.get_timezone() or ical.Timezone.get_utc_timezone())
    return dt.datetime.fromtimestamp(seconds, UTC)


def zoned(calendar, prop, time):
    """The property's time with its TZID resolved through the feed's own VTIMEZONE."""
    tzid = prop.get_parameter_as_string("TZID")
    if time.get_timezone() is None and tzid:
        time.set_timezone(calendar.get_timezone(tzid))
    return time


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def status_name(event):
    return event.get_status().value_nick.upper().replace("-", "")


def properties(event, kind):
    prop = event.get_first_property(kind)
    while prop is not None:
        yield prop
        prop = event.get_next_property(kind)


def main():
    calendar = ical.Component.new_from_string(sys.stdin.read())
    events = []
    event = calendar.get_first_component(ical.ComponentKind.VEVENT_COMPONENT)
    while event is not None:
        events.append(event)
        event = calendar.get_next_component(ical.ComponentKind.VEVENT_COMPONENT)
    overridden = set()
    for e in events:
        prop = e.get_first_property(ical.PropertyKind.RECURRENCEID_PROPERTY)
        if prop is not None:
            overridden.add((e.get_uid(), utc(zoned(calendar, prop, prop.get_recurrenceid()))))
    zones, sessions = set(), []
    for event in events:
        start, end = event.get_dtstart(), event.get_dtend()
        zones.add(start.get_tzid())
        length = utc(end) - utc(start)
        rule = event.get_first_property(ical.PropertyKind.RRULE_PROPERTY)
        if rule is None or not event.get_recurrenceid().is_null_time():
            sessions.append([iso(utc(start)), iso(utc(end)), status_name(event), event.get_summary()])
            continue
        excluded = {utc(zoned(calendar, prop, prop.get_exdate())) for prop in properties(event, ical.PropertyKind.EXDATE_PROPERTY)}
        iterator = ical.RecurIterator.new(rule.get_rrule(), start)
        occurrence = iterator.next()
        while occurrence is not None and not occurrence.is_null_time():
            moment = utc(occurrence)
            if moment not in excluded and (event.get_uid(), moment) not in overridden:
                sessions.append([iso(moment), iso(moment + length), status_name(event), event.get_summary()])
            occurrence = iterator.next()
    json.dump({"zones": sorted(zones), "sessions": sessions}, sys.stdout)


if __name__ == "__main__":
    main()

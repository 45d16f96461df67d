"""The learner's feed as RFC 5545 text: structure, escaping, UIDs, SEQUENCE and stability."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from icalendar import Calendar

from feed_fixture import CANCELLED_DAY, CLOSED, COURSE_NAME, TEACHER_NAME, VENUE_ADDRESS, VENUE_NAME


def get_feed(client, timetable) -> bytes:
    response = client.get(f"/feeds/l/{timetable.learner_token}.ics")
    assert response.status_code == 200
    return response.data


def unfolded_lines(body: bytes) -> list[str]:
    return body.decode().replace("\r\n ", "").split("\r\n")


def events_by_uid(body: bytes) -> dict[str, list]:
    by_uid: dict[str, list] = {}
    for event in Calendar.from_ical(body).walk("VEVENT"):
        by_uid.setdefault(str(event["UID"]), []).append(event)
    return by_uid


def test_wire_format_crlf_and_folding(client, timetable):
    body = get_feed(client, timetable)
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    assert b"\r\n " in body  # long lines really are folded
    body.decode("utf-8")


def test_calendar_properties(client, timetable):
    lines = unfolded_lines(get_feed(client, timetable))
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//nortime//Norwegian course timetables//EN"]
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in lines and "X-PUBLISHED-TTL:PT6H" in lines
    assert [line for line in lines if line.startswith("METHOD")] == ["METHOD:PUBLISH"]
    names = [line.split(":", 1)[1] for line in lines if line.startswith(("NAME:", "X-WR-CALNAME:"))]
    assert len(names) == 2 and names[0] == names[1]
    assert not re.search(r"[,;\\]", names[0])
    assert not any(line.startswith("RDATE") for line in lines)


def test_one_vtimezone_from_yearly_rules(client, timetable):
    calendar = Calendar.from_ical(get_feed(client, timetable))
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Oslo"]
    observances = {component.name: component for component in zones[0].subcomponents}
    assert observances["DAYLIGHT"]["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert observances["STANDARD"]["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert observances["DAYLIGHT"]["TZOFFSETTO"].td == dt.timedelta(hours=2)
    assert observances["STANDARD"]["TZOFFSETTO"].td == dt.timedelta(hours=1)
    assert all("RDATE" not in component for component in zones[0].subcomponents)


def test_series_rules_exdates_and_overrides(client, timetable):
    body = get_feed(client, timetable)
    lines = unfolded_lines(body)
    assert all(re.search(r"UNTIL=\d{8}T\d{6}Z(;|$)", line) for line in lines if line.startswith("RRULE:FREQ=WEEKLY"))
    exdate_lines = [line for line in lines if line.startswith("EXDATE")]
    assert exdate_lines and all(line.startswith("EXDATE;TZID=Europe/Oslo:") for line in exdate_lines)
    assert all(line.startswith("RECURRENCE-ID;TZID=Europe/Oslo:") for line in lines if line.startswith("RECURRENCE-ID"))
    by_uid = events_by_uid(body)
    masters = {uid: [e for e in events if "RECURRENCE-ID" not in e] for uid, events in by_uid.items()}
    assert all(len(found) == 1 for found in masters.values())
    for events in by_uid.values():
        master = next(e for e in events if "RECURRENCE-ID" not in e)
        if "RRULE" not in master:
            continue
        start = master.decoded("DTSTART")
        until = master["RRULE"]["UNTIL"][0]
        found = master.get("EXDATE", [])
        exdates = [value.dt for prop in (found if isinstance(found, list) else [found]) for value in prop.dts]
        for moment in exdates:
            # Only on real occurrences: same weekday and clock time, inside DTSTART..UNTIL.
            assert (moment.weekday(), moment.time()) == (start.weekday(), start.time())
            assert start <= moment <= until
        assert {m.date() for m in exdates} <= set(CLOSED) | {dt.date(2027, 3, 4)}
    cancelled = [e for events in by_uid.values() for e in events if str(e.get("STATUS")) == "CANCELLED"]
    assert len(cancelled) == 1
    assert cancelled[0].decoded("RECURRENCE-ID").date() == CANCELLED_DAY
    assert str(cancelled[0]["SUMMARY"]) == f"Cancelled: {COURSE_NAME}"


def test_text_fields_survive_escaping(client, timetable):
    master = next(e for e in Calendar.from_ical(get_feed(client, timetable)).walk("VEVENT") if "RRULE" in e)
    assert str(master["SUMMARY"]) == COURSE_NAME
    assert str(master["LOCATION"]) == f"{VENUE_NAME}, {VENUE_ADDRESS}"
    assert TEACHER_NAME in str(master["DESCRIPTION"]) and VENUE_ADDRESS in str(master["DESCRIPTION"])
    assert (master["GEO"].latitude, master["GEO"].longitude) == pytest.approx((69.2297, 17.9812))


def test_uids_stable_and_free_of_personal_data(app, client, timetable):
    from nortime.feeds.cache import bump

    body = get_feed(client, timetable)
    uids = set(events_by_uid(body))
    assert len(uids) == 3  # Monday series, Thursday series, the session moved past its neighbour
    for uid in uids:
        assert re.fullmatch(r"[0-9a-f-]{36}@nortime", uid)
        assert timetable.learner_token not in uid and "Olena" not in uid
    bump()
    assert get_feed(client, timetable) == body  # rebuilt from the data: byte-identical


def test_sequence_grows_on_change_and_survives_republication(app, client, timetable):
    from nortime.db import db
    from nortime.feeds.service import invalidate_feeds
    from nortime.models import Group, GroupSlot, Placement, Plan, SessionChange

    first = events_by_uid(get_feed(client, timetable))
    with app.app_context():
        db.session.add(SessionChange(group_id=timetable.group_id, occurrence_date=dt.date(2026, 10, 19),
                                     kind="cancelled", reason="Sykdom"))
        db.session.commit()
        invalidate_feeds()
    second = events_by_uid(get_feed(client, timetable))
    sequences = {uid: {int(e["SEQUENCE"]) for e in events} for uid, events in second.items()}
    monday = next(uid for uid, events in second.items() if any(
        e.decoded("DTSTART").weekday() == 0 and "RRULE" in e for e in events))
    assert sequences[monday] == {int(first[monday][0]["SEQUENCE"]) + 1}
    assert all(sequences[uid] == {0} for uid in sequences if uid != monday)
    assert second[monday][0].decoded("LAST-MODIFIED") >= first[monday][0].decoded("LAST-MODIFIED")

    # Re-publication of the same group (same key), now with the Monday slot at 18:15.
    with app.app_context():
        old = db.session.get(Plan, timetable.plan_id)
        old.status = "archived"
        plan = Plan(provider_id=old.provider_id, term_id=old.term_id, status="published",
                    published_at=dt.datetime(2026, 10, 18, 9))
        group_before = db.session.get(Group, timetable.group_id)
        group = Group(plan=plan, key=group_before.key, course_id=group_before.course_id,
                      venue_id=group_before.venue_id, teacher_id=group_before.teacher_id)
        group.slots = [GroupSlot(day="mon", weekday=0, start=dt.time(18, 15)),
                       GroupSlot(day="thu", weekday=3, start=dt.time(17, 30))]
        db.session.add_all([plan, group])
        db.session.flush()
        db.session.add(Placement(plan_id=plan.id, group_id=group.id, learner_id=timetable.learner_id))
        db.session.commit()
        invalidate_feeds()
    third = events_by_uid(get_feed(client, timetable))
    assert monday in third
    assert {int(e["SEQUENCE"]) for e in third[monday]} == {sequences[monday].pop() + 1}
    for uid, events in third.items():
        if uid in second:
            assert min(int(e["SEQUENCE"]) for e in events) >= max(int(e["SEQUENCE"]) for e in second[uid])


def test_drafts_never_appear(app, client, timetable):
    from nortime.db import db
    from nortime.models import Plan

    with app.app_context():
        db.session.get(Plan, timetable.plan_id).status = "draft"
        db.session.commit()
    for path in (f"/feeds/l/{timetable.learner_token}.ics", f"/feeds/t/{timetable.teacher_token}.ics",
                 "/feeds/venue/senja-vo.ics", "/feeds/provider/nord.ics", "/feeds/municipality/5530.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"BEGIN:VEVENT" not in response.data, path
    assert client.get("/feeds/group/nord/a2-finnsnes-1.ics").status_code == 404

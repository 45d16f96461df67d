"""Reading a work roster (.ics) into a rota: recurrences expanded, odd and hostile files refused."""
import datetime as dt

import pytest

from nortime.learners.roster_import import MAX_BYTES, MAX_WEEKS, RosterError, roster_from_ics


def calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n".encode()


def test_weekly_rule_with_exception_and_moved_occurrence():
    roster = roster_from_ics(calendar(
        "UID:evening@x\r\nDTSTART;TZID=Europe/Oslo:20270111T143000\r\nDTEND;TZID=Europe/Oslo:20270111T220000\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU;COUNT=6\r\nEXDATE;TZID=Europe/Oslo:20270118T143000",
        # The occurrence of Tuesday 19 January is moved to Wednesday 20 January.
        "UID:evening@x\r\nRECURRENCE-ID;TZID=Europe/Oslo:20270119T143000\r\n"
        "DTSTART;TZID=Europe/Oslo:20270120T150000\r\nDTEND;TZID=Europe/Oslo:20270120T230000",
    ))
    assert roster.start == dt.date(2027, 1, 11) and roster.weeks == 3
    cycle = roster.cycle
    assert cycle[0] == cycle[1] == [["14:30", "22:00"]]  # week 1 Monday, Tuesday
    assert cycle[7] == []  # excluded Monday 18th
    assert cycle[8] == [] and cycle[9] == [["15:00", "23:00"]]  # moved from Tuesday to Wednesday
    assert cycle[14] == cycle[15] == [["14:30", "22:00"]]


def test_utc_night_shift_becomes_local_time_crossing_midnight():
    roster = roster_from_ics(calendar("UID:n@x\r\nDTSTART:20270115T204500Z\r\nDTEND:20270116T064500Z"))
    assert roster.start == dt.date(2027, 1, 11)
    assert roster.cycle[4] == [["21:45", "07:45"]]  # Friday, 21:45 Oslo (UTC+1) until the next morning


def test_all_day_and_very_long_events_are_days_away():
    roster = roster_from_ics(calendar(
        "UID:a@x\r\nDTSTART;VALUE=DATE:20270111\r\nDTEND;VALUE=DATE:20270113",
        "UID:b@x\r\nDTSTART:20270115T080000\r\nDTEND:20270117T080000",
    ))
    assert roster.cycle[:2] == ["away", "away"] and roster.cycle[2] == []
    assert roster.cycle[4:7] == ["away", "away", "away"]


def test_an_endless_rule_is_read_for_at_most_max_weeks():
    roster = roster_from_ics(calendar(
        "UID:r@x\r\nDTSTART:20270111T070000\r\nDTEND:20270111T150000\r\nRRULE:FREQ=DAILY"))
    assert roster.weeks == MAX_WEEKS and len(roster.cycle) == 7 * MAX_WEEKS
    assert all(day == [["07:00", "15:00"]] for day in roster.cycle)


def test_an_old_rule_is_read_from_this_week():
    roster = roster_from_ics(calendar(
        "UID:r@x\r\nDTSTART:20200106T070000\r\nDTEND:20200106T150000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO"),
        today=dt.date(2027, 1, 13))
    assert roster.start == dt.date(2027, 1, 11) and roster.cycle[0] == [["07:00", "15:00"]]


def test_cancelled_events_are_ignored():
    with pytest.raises(RosterError) as error:
        roster_from_ics(calendar("UID:c@x\r\nSTATUS:CANCELLED\r\nDTSTART:20270111T070000\r\nDTEND:20270111T150000"))
    assert error.value.code == "no_shifts"


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"   \r\n", "empty"),
    (b"just text", "not_calendar"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not_calendar"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:yesterday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "not_calendar"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no_shifts"),
    (b"BEGIN:VCALENDAR\r\nX:" + b"a" * MAX_BYTES + b"\r\nEND:VCALENDAR\r\n", "too_big"),
])
def test_bad_files(data, code):
    with pytest.raises(RosterError) as error:
        roster_from_ics(data)
    assert error.value.code == code


def test_too_many_events():
    events = [f"UID:{i}@x\r\nDTSTART:20270111T080000\r\nDTEND:20270111T160000" for i in range(501)]
    with pytest.raises(RosterError) as error:
        roster_from_ics(calendar(*events))
    assert error.value.code == "too_many_events"


def test_too_many_occurrences_from_a_minutely_rule():
    with pytest.raises(RosterError) as error:
        roster_from_ics(calendar("UID:m@x\r\nDTSTART:20270111T080000\r\nDTEND:20270111T080500\r\nRRULE:FREQ=MINUTELY"))
    assert error.value.code == "too_many_occurrences"


def test_unreadable_rule():
    with pytest.raises(RosterError) as error:
        roster_from_ics(calendar("UID:m@x\r\nDTSTART:20270111T080000\r\nDTEND:20270111T160000\r\nRRULE:FREQ=SOMETIMES"))
    assert error.value.code in ("bad_recurrence", "not_calendar")

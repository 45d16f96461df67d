"""Round trips: a preset rota exported as .ics for 4-12 weeks comes back as the same repeating rota.

A five-week export of a three-week rota must become a three-week rota, not a five-week one;
a swapped shift must not break the cycle.
"""
from __future__ import annotations

import datetime as dt

import pytest

from nortime.learners.roster_import import roster_from_ics
from nortime.learners.rota_cycle import find_cycle
from nortime.services.rota_days import day_entry
from nortime.rota_presets import PRESETS, build_rota

# Exports start on different days of the cycle and of the week.
EXPORT_STARTS = (dt.date(2027, 1, 11), dt.date(2027, 1, 20), dt.date(2027, 2, 6))
CASES = [("health_2week", weeks) for weeks in (4, 6, 9)] \
    + [("health_3week", weeks) for weeks in (4, 5, 7, 12)] \
    + [("continuous_3shift", weeks) for weeks in (4, 8)] \
    + [("offshore_14_28", weeks) for weeks in (8, 10, 12)] \
    + [("land_14_21", weeks) for weeks in (6, 8, 12)] \
    + [("two_shift", 5), ("army_field_week", 10), ("office", 4), ("weekend_retail", 6)]


def ics_export(rota: dict, first: dt.date, weeks: int, swap: tuple[dt.date, dt.date] | None = None) -> bytes:
    """What a work app exports for `weeks` weeks from `first`: one event per shift, all-day events when away."""
    start = dt.date.fromisoformat(rota["start"])
    days = [first + dt.timedelta(days=offset) for offset in range(7 * weeks)]
    entries = {day: day_entry(rota["cycle"], start, day) for day in days}
    if swap:  # a colleague takes one shift, and she works another day in return
        entries[swap[0]], entries[swap[1]] = entries[swap[1]], entries[swap[0]]
    events = []
    for number, day in enumerate(days):
        entry = entries[day]
        if entry == "away":
            events.append(f"DTSTART;VALUE=DATE:{day:%Y%m%d}\r\nDTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}")
            continue
        for begin, end in entry:
            begin_at = dt.datetime.combine(day, dt.time.fromisoformat(begin))
            end_at = dt.datetime.combine(day, dt.time.fromisoformat(end))
            if end_at <= begin_at:
                end_at += dt.timedelta(days=1)
            events.append(f"DTSTART;TZID=Europe/Oslo:{begin_at:%Y%m%dT%H%M%S}\r\n"
                          f"DTEND;TZID=Europe/Oslo:{end_at:%Y%m%dT%H%M%S}\r\nSUMMARY:Vakt")
    body = "".join(f"BEGIN:VEVENT\r\nUID:{n}@vaktplan\r\n{event}\r\nEND:VEVENT\r\n" for n, event in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//vaktplan//EN\r\n{body}END:VCALENDAR\r\n".encode()


def same_days(found: dict, expected: dict, first: dt.date, days: int = 150) -> list[dt.date]:
    """The dates (from the export's first day on) where the two rotas differ."""
    found_start, expected_start = dt.date.fromisoformat(found["start"]), dt.date.fromisoformat(expected["start"])
    return [day for day in (first + dt.timedelta(days=n) for n in range(days))
            if day_entry(found["cycle"], found_start, day) != day_entry(expected["cycle"], expected_start, day)]


def preset_rota(preset_id: str) -> dict:
    return build_rota(preset_id, dt.date(2027, 1, 4) if PRESETS[preset_id].weekly else dt.date(2027, 1, 6))


@pytest.mark.parametrize("first", EXPORT_STARTS)
@pytest.mark.parametrize("preset_id, weeks", CASES)
def test_an_export_of_a_preset_comes_back_as_the_preset(preset_id, weeks, first):
    rota = preset_rota(preset_id)
    roster = roster_from_ics(ics_export(rota, first, weeks))
    period = len(rota["cycle"])
    if len(roster.shown) >= period + 7:  # the export shows the rota repeat for a week or more
        assert roster.found.seen_repeating and roster.found.period == period
        assert roster.found.changes == 0
        assert not same_days(roster.rota(), rota, first)
    else:  # too short to see it repeat: never a shorter, wrong cycle
        assert not roster.found.seen_repeating or roster.found.period >= period


def test_five_weeks_of_a_three_week_rota_is_a_three_week_rota_starting_on_a_monday():
    rota = preset_rota("health_3week")
    roster = roster_from_ics(ics_export(rota, dt.date(2027, 1, 13), 5))
    assert roster.found.period == 21 and roster.weeks == 6
    found = roster.rota()
    assert len(found["cycle"]) == 21 and dt.date.fromisoformat(found["start"]).weekday() == 0
    assert not same_days(found, rota, dt.date(2027, 1, 13))


def a_swap(rota: dict, day: dt.date) -> tuple[dt.date, dt.date]:
    """From `day` on, the first work day and the next day that holds something else (off, or another shift)."""
    start = dt.date.fromisoformat(rota["start"])
    while not day_entry(rota["cycle"], start, day) or day_entry(rota["cycle"], start, day) == "away":
        day += dt.timedelta(days=1)
    other = day + dt.timedelta(days=1)
    while day_entry(rota["cycle"], start, other) == day_entry(rota["cycle"], start, day):
        other += dt.timedelta(days=1)
    return day, other


@pytest.mark.parametrize("preset_id, weeks, weeks_in", [
    ("health_3week", 9, 3), ("health_3week", 12, 10), ("health_2week", 6, 3),
    ("continuous_3shift", 6, 2), ("land_14_21", 12, 5), ("two_shift", 8, 4),
])
def test_one_swapped_shift_does_not_change_the_cycle(preset_id, weeks, weeks_in):
    rota = preset_rota(preset_id)
    first = dt.date(2027, 1, 11)
    swap = a_swap(rota, first + dt.timedelta(weeks=weeks_in))
    roster = roster_from_ics(ics_export(rota, first, weeks, swap))
    assert roster.found.seen_repeating and roster.found.period == len(rota["cycle"])
    assert 1 <= roster.found.changes <= 2
    assert not same_days(roster.rota(), rota, first)


def test_a_swap_seen_in_one_of_two_rounds_keeps_the_period_and_changes_only_those_days():
    rota = preset_rota("health_3week")
    first = dt.date(2027, 1, 11)
    swap = a_swap(rota, first + dt.timedelta(weeks=2))
    roster = roster_from_ics(ics_export(rota, first, 6, swap))
    assert roster.found.period == 21 and roster.found.changes == 2
    # Seen twice, once each way: the first one seen is kept; every other day is the preset's.
    assert {day.weekday() for day in same_days(roster.rota(), rota, first)} <= {swap[0].weekday(), swap[1].weekday()}


def test_the_learner_may_choose_another_length():
    rota = preset_rota("health_3week")
    roster = roster_from_ics(ics_export(rota, dt.date(2027, 1, 11), 6))
    six = roster.rota(42)
    assert len(six["cycle"]) == 42 and not same_days(six, rota, dt.date(2027, 1, 11), 42)
    longer = roster.rota(56)  # longer than the export: the days it never shows are days off
    assert len(longer["cycle"]) == 56 and longer["cycle"][-1] == []


def test_an_irregular_export_is_not_forced_into_a_cycle():
    import random

    draw = random.Random(7)
    shifts = [[["07:00", "15:00"]] if draw.random() < 0.45 else [] for _ in range(35)]
    found = find_cycle(shifts)
    assert not found.seen_repeating and found.period == 35
    assert found.cycle == shifts


def test_the_same_day_over_and_over_shows_no_period():
    found = find_cycle(["away"] * 14)
    assert not found.seen_repeating and found.period == 14

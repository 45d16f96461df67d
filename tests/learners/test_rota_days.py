"""What a rota holds on a date, and which shifts keep a weekly class from being attended."""
import datetime as dt

from nortime.services.rota_days import blockers_for_slot, day_entry, shift_kind, weeks_from
from nortime.rota_presets import build_rota

MONDAY = dt.date(2027, 1, 11)


def test_the_cycle_repeats_both_ways():
    cycle = [[["07:00", "15:00"]], [], "away"]
    assert day_entry(cycle, MONDAY, MONDAY + dt.timedelta(days=3)) == cycle[0]
    assert day_entry(cycle, MONDAY, MONDAY - dt.timedelta(days=1)) == "away"


def test_four_weeks_start_on_a_monday():
    weeks = weeks_from([[]] * 7, MONDAY, dt.date(2027, 1, 14), 4)
    assert len(weeks) == 4 and weeks[0][0].day == MONDAY and all(len(week) == 7 for week in weeks)


def test_shift_kinds():
    assert [shift_kind(s) for s in (["07:30", "15:00"], ["14:30", "22:00"], ["21:45", "07:45"])] == \
        ["day", "evening", "night"]


def test_health_rota_tuesday_evening_is_blocked_in_week_two_only():
    rota = build_rota("health_3week", MONDAY)
    blockers = blockers_for_slot(rota["cycle"], dt.date.fromisoformat(rota["start"]), 1, 18 * 60, 120, 30)
    assert [(b.week, b.kind) for b in blockers] == [(2, "evening")]


def test_a_night_shift_the_evening_before_counts_and_the_buffer_matters():
    cycle = [[], [["22:00", "06:00"]], [], [], [], [], []]  # Tuesday night
    # A Wednesday 07:00 class starts an hour after the night shift ends: blocked with a 90-minute gap.
    assert blockers_for_slot(cycle, MONDAY, 2, 7 * 60, 60, 90)[0].kind == "night"
    assert blockers_for_slot(cycle, MONDAY, 2, 7 * 60, 60, 60) == []  # exactly the gap is enough


def test_cycles_that_are_not_whole_weeks_have_no_week_numbers():
    rota = build_rota("continuous_3shift", MONDAY)
    blockers = blockers_for_slot(rota["cycle"], MONDAY, 0, 18 * 60, 120, 30)
    assert blockers and all(b.week is None for b in blockers)

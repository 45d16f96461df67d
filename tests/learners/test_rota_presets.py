"""Rota presets: each cycle matches its description, and build_rota makes a valid rota."""

from datetime import date, timedelta

import pytest

from nortime.rota_presets import PRESETS, build_rota
from solver.problem import parse_clock, read_problem

MONDAY = date(2027, 1, 11)


def hours(rota) -> float:
    """Wall-clock hours worked in one cycle."""
    total = 0
    for day in rota["cycle"]:
        if day != "away":
            for start, end in day:
                minutes = parse_clock(end) - parse_clock(start)
                total += minutes if minutes > 0 else minutes + 1440
    return total / 60


def weekday_of(rota, index) -> int:
    return (date.fromisoformat(rota["start"]) + timedelta(days=index)).weekday()


def worked_weekends(rota) -> list[bool]:
    """Per week of the cycle: does the worker have a shift or away day on Saturday or Sunday?"""
    weeks = len(rota["cycle"]) // 7
    return [any(rota["cycle"][7 * w + d] for d in (5, 6)) for w in range(weeks)]


def as_problem(rota):
    doc = {"timezone": "Europe/Oslo", "term": {"first_day": "2027-01-11", "last_day": "2027-03-07"},
           "places": [{"id": "p", "lat": 69.0, "lon": 18.0}], "slots": [], "venues": [], "courses": [],
           "teachers": [], "learners": [{"id": "L", "home": "p", "level": "A2", "rota": rota}]}
    return read_problem(doc)


def test_every_issue_preset_is_offered():
    assert set(PRESETS) == {"office", "two_shift", "health_3week", "health_2week", "continuous_3shift",
                            "army_field_week", "offshore_14_28", "land_14_21", "weekend_retail",
                            "fish_cod_season", "none"}
    for preset in PRESETS.values():
        assert preset.name and preset.description.endswith(".")


@pytest.mark.parametrize("preset_id", [p for p in PRESETS if p != "none"])
def test_each_preset_builds_a_valid_rota_of_its_cycle_length(preset_id):
    preset = PRESETS[preset_id]
    rota = build_rota(preset_id, MONDAY)
    assert len(rota["cycle"]) == preset.cycle_days
    problem = as_problem(rota)
    assert len(problem.learners[0].rota.cycle) == preset.cycle_days
    used = {tuple(s) for day in rota["cycle"] if day != "away" for s in day}
    assert used == {tuple(preset.default_times[name]) for name in preset.shift_names}


def test_none_has_no_rota():
    assert build_rota("none", MONDAY) is None


@pytest.mark.parametrize("preset_id, cycle_hours, weekends", [
    ("office", 40, [False]),
    ("two_shift", 80, [False, False]),
    ("health_3week", 95, [False, False, True]),  # every third weekend
    ("health_2week", 60, [False, True]),  # every second weekend
    ("army_field_week", 120, [False, False, False, False]),
    ("weekend_retail", 21, [True]),
    ("fish_cod_season", 60, [True]),
])
def test_weekly_presets_hours_and_weekends(preset_id, cycle_hours, weekends):
    rota = build_rota(preset_id, MONDAY)
    assert weekday_of(rota, 0) == 0  # weekly cycles start on a Monday
    assert hours(rota) == cycle_hours
    assert worked_weekends(rota) == weekends


def test_office_works_monday_to_friday_days():
    rota = build_rota("office", MONDAY)
    assert rota["cycle"] == [[["08:00", "16:00"]]] * 5 + [[], []]


def test_two_shift_alternates_day_and_evening_weeks():
    cycle = build_rota("two_shift", MONDAY)["cycle"]
    assert cycle[:5] == [[["06:00", "14:00"]]] * 5 and cycle[7:12] == [[["14:00", "22:00"]]] * 5


def test_health_three_week_rota_has_nights_before_its_working_weekend():
    cycle = build_rota("health_3week", MONDAY)["cycle"]
    nights = [i for i, day in enumerate(cycle) if day == [["21:45", "07:45"]]]
    assert nights and all(14 <= i < 21 for i in nights)

@pytest.mark.parametrize("preset_id", [p for p in PRESETS if p not in ("none", "offshore_14_28")])
def test_every_preset_leaves_eleven_hours_daily_rest(preset_id):
    # Working Environment Act: 11 hours' rest between shifts, across the cycle's wrap-around too.
    assert min_rest_hours(build_rota(preset_id, MONDAY)["cycle"]) >= 11


def min_rest_hours(cycle) -> float:
    spans = []
    for i, day in enumerate(cycle * 2):
        if day != "away":
            for start, end in day:
                s = i * 1440 + parse_clock(start)
                e = i * 1440 + parse_clock(end) + (1440 if parse_clock(end) <= parse_clock(start) else 0)
                spans.append((s, e))
    spans.sort()
    return min(b[0] - a[1] for a, b in zip(spans, spans[1:])) / 60


def test_continuous_three_shift_covers_each_shift_twice_in_ten_days():
    rota = build_rota("continuous_3shift", date(2027, 1, 13))
    assert rota["start"] == "2027-01-13"  # the anchor is the first morning, not a Monday
    names = [tuple(day[0]) if day else None for day in rota["cycle"]]
    assert names == [("06:00", "14:00")] * 2 + [("14:00", "22:00")] * 2 + [("22:00", "06:00")] * 2 + [None] * 4
    assert hours(rota) == 48
    # Five crews on this cycle, started two days apart, cover every hour of the day.
    covered = set()
    for crew in range(5):
        for i, day in enumerate(rota["cycle"]):
            for start, _ in day:
                covered.add(((i + 2 * crew) % 10, start))
    assert covered == {(d, s) for d in range(10) for s in ("06:00", "14:00", "22:00")}


def test_army_field_week_is_away_monday_to_friday_one_week_in_four():
    cycle = build_rota("army_field_week", MONDAY)["cycle"]
    away = [i for i, day in enumerate(cycle) if day == "away"]
    assert away == [21, 22, 23, 24, 25]


@pytest.mark.parametrize("preset_id, on_days, off_days", [("offshore_14_28", 14, 28), ("land_14_21", 14, 21)])
def test_rotations_are_on_then_off(preset_id, on_days, off_days):
    rota = build_rota(preset_id, date(2027, 1, 13))
    assert rota["start"] == "2027-01-13"
    on = [day for day in rota["cycle"] if day]
    assert len(on) == on_days and all(rota["cycle"][i] for i in range(on_days))
    assert len(rota["cycle"]) - len(on) == off_days


def test_offshore_days_are_away_and_land_plant_days_are_twelve_hours():
    assert build_rota("offshore_14_28", MONDAY)["cycle"][:14] == ["away"] * 14
    assert hours(build_rota("land_14_21", MONDAY)) == 14 * 12


def test_cod_season_runs_from_the_afternoon_until_late_at_night():
    cycle = build_rota("fish_cod_season", MONDAY)["cycle"]
    start, end = cycle[0][0]
    assert parse_clock(start) >= 12 * 60 and parse_clock(end) < parse_clock(start)  # past midnight
    assert cycle[6] == []


def test_weekly_anchor_is_any_day_of_the_first_week():
    assert build_rota("office", date(2027, 1, 14))["start"] == "2027-01-11"
    assert build_rota("two_shift", date(2027, 1, 17))["start"] == "2027-01-11"


def test_week_says_which_week_of_the_cycle_the_anchor_is_in():
    rota = build_rota("two_shift", date(2027, 1, 13), week=1)
    assert rota["start"] == "2027-01-04"
    learner = as_problem(rota).learners[0]
    # The anchor's week is the evening week.
    assert learner.rota.day(date(2027, 1, 13))[0].start == parse_clock("14:00")
    assert build_rota("offshore_14_28", date(2027, 1, 13), week=2)["start"] == "2026-12-30"


def test_own_shift_times_replace_the_defaults():
    rota = build_rota("health_3week", MONDAY, times={"night": ("22:00", "07:00")})
    assert [["22:00", "07:00"]] in rota["cycle"]
    assert [["21:45", "07:45"]] not in rota["cycle"]
    assert [["07:30", "15:00"]] in rota["cycle"]


def test_bad_preset_requests_say_what_is_accepted():
    with pytest.raises(ValueError, match="unknown rota preset 'nurse'; use one of office"):
        build_rota("nurse", MONDAY)
    with pytest.raises(ValueError, match="its shifts are day, evening, night"):
        build_rota("health_3week", MONDAY, times={"late": ("16:00", "23:00")})
    with pytest.raises(ValueError, match="HH:MM"):
        build_rota("office", MONDAY, times={"day": ("8:00", "16:00")})

"""Reading a problem document: the spec's example, defaults, and every error naming its field."""

import copy
from datetime import date, datetime

import pytest

from solver.problem import (
    AWAY,
    InvalidProblem,
    Shift,
    Slot,
    Window,
    format_clock,
    parse_clock,
    parse_day,
    read_problem,
)


def errors_of(doc) -> dict[str, str]:
    with pytest.raises(InvalidProblem) as caught:
        read_problem(doc)
    return {e["path"]: e["message"] for e in caught.value.errors}


def test_the_spec_example_reads_into_domain_objects(spec_example):
    problem = read_problem(spec_example)
    assert problem.timezone == "Europe/Oslo"
    assert problem.term.first_day == date(2027, 1, 11)
    assert date(2027, 5, 17) in problem.term.closed
    assert problem.slots == (Slot(0, 18 * 60), Slot(5, 10 * 60))
    assert problem.slots[0].label == "mon 18:00"
    assert problem.slots[1].to_json() == {"day": "sat", "start": "10:00"}
    venue = problem.venues[0]
    assert venue.rooms == 2
    assert venue.open[0] == Window(days=frozenset({0, 1, 2, 3}), start=16 * 60, end=22 * 60)
    assert problem.courses[0].venues == ("finnsnes-vo",)
    assert problem.teachers[0].levels == frozenset({"A1", "A2"})
    learner = problem.learners[0]
    assert learner.rota.start == date(2027, 1, 4)
    assert learner.rota.cycle[3] == (Shift(23 * 60, 7 * 60),)
    assert learner.rota.cycle[3][0].crosses_midnight
    assert learner.rota.cycle[4] == AWAY
    assert learner.busy[0].start == datetime(2027, 2, 1, 16, 0)
    assert learner.prefer_days == frozenset({5})
    assert problem.travel_minutes == (("finnsnes", "silsand", 8),)


def test_defaults_fill_in_what_the_spec_allows_to_be_left_out(spec_example):
    learner = spec_example["learners"][0]
    for field in ("max_travel_minutes", "buffer_minutes", "priority", "rota", "busy", "prefer_days"):
        del learner[field]
    del spec_example["venues"][0]["rooms"]
    del spec_example["courses"][0]["min_attendance"]
    del spec_example["courses"][0]["venues"]
    spec_example["venues"].append({"id": "silsand-skole", "name": "Silsand skole", "place": "silsand", "open": []})
    for field in ("current", "weights", "format", "travel_minutes"):
        del spec_example[field]
    problem = read_problem(spec_example)
    learner = problem.learners[0]
    assert (learner.buffer_minutes, learner.priority, learner.max_travel_minutes) == (30, 1, 60)
    assert learner.rota is None and learner.busy == () and learner.prefer_days == frozenset()
    assert problem.venues[0].rooms == 1
    assert problem.courses[0].min_attendance == 0.75
    assert problem.courses[0].venues == ("finnsnes-vo", "silsand-skole")
    assert problem.current_groups == () and problem.locked_learners == frozenset()
    assert dict(problem.weights) == {}


def test_extra_fields_are_accepted_silently(spec_example):
    spec_example["learners"][0]["name"] = "Olga"
    spec_example["learners"][0]["email"] = "olga@example.org"
    spec_example["venues"][0]["address"] = "Storgata 1"
    read_problem(spec_example)


def test_current_groups_and_locked_learners(spec_example):
    spec_example["current"] = {
        "groups": [{"id": "g1", "course": "a2", "venue": "finnsnes-vo", "teacher": "t-kari",
                    "slots": [{"day": "mon", "start": "18:00"}], "learners": ["L001"], "sessions": 19,
                    "locked": True}],
        "locked": ["L001"],
    }
    problem = read_problem(spec_example)
    group = problem.current_groups[0]
    assert group.slots == (Slot(0, 1080),) and group.learners == ("L001",) and group.locked
    assert problem.locked_learners == frozenset({"L001"})


# -- the bad inputs ------------------------------------------------------


def test_an_unknown_weekday_names_the_field_and_the_accepted_days(spec_example):
    spec_example["slots"][0]["day"] = "mandag"
    errors = errors_of(spec_example)
    assert errors == {"slots[0].day": "'mandag' is not a weekday; use one of mon, tue, wed, thu, fri, sat, sun"}


def test_an_impossible_clock_time_names_the_shift(spec_example):
    spec_example["learners"][0]["rota"]["cycle"][2] = [["07:00", "25:00"]]
    errors = errors_of(spec_example)
    assert errors == {"learners[0].rota.cycle[2][0][1]": "'25:00' is not a time; use HH:MM from 00:00 to 23:59"}


def test_an_empty_cycle_is_an_error(spec_example):
    spec_example["learners"][0]["rota"]["cycle"] = []
    errors = errors_of(spec_example)
    assert list(errors) == ["learners[0].rota.cycle"]
    assert "empty" in errors["learners[0].rota.cycle"]


def test_a_busy_interval_ending_before_it_starts(spec_example):
    spec_example["learners"][0]["busy"][0]["end"] = "2027-02-01T15:00"
    errors = errors_of(spec_example)
    assert list(errors) == ["learners[0].busy[0].end"]
    assert "must end after it starts" in errors["learners[0].busy[0].end"]


def test_a_window_ending_before_it_starts(spec_example):
    spec_example["venues"][0]["open"][1]["to"] = "08:00"
    assert list(errors_of(spec_example)) == ["venues[0].open[1].to"]


def test_an_unknown_timezone(spec_example):
    spec_example["timezone"] = "Europe/Tromso"
    errors = errors_of(spec_example)
    assert errors == {"timezone": "'Europe/Tromso' is not a known IANA time zone; use e.g. \"Europe/Oslo\""}


def test_every_error_is_reported_at_once(spec_example):
    spec_example["timezone"] = 7
    spec_example["term"]["first_day"] = "11.01.2027"
    spec_example["slots"][1]["start"] = "9:00"
    spec_example["learners"][0]["rota"]["cycle"][0] = "sick"
    spec_example["learners"][0]["priority"] = 0
    spec_example["courses"][0]["max_group"] = 3
    assert set(errors_of(spec_example)) == {
        "timezone", "term.first_day", "slots[1].start", "learners[0].rota.cycle[0]", "learners[0].priority",
        "courses[0].max_group"}


# -- references, duplicates, types and ranges --------------------------------------


@pytest.mark.parametrize("change, path", [
    (lambda d: d["learners"][0].update(home="tromso"), "learners[0].home"),
    (lambda d: d["venues"][0].update(place="tromso"), "venues[0].place"),
    (lambda d: d["teachers"][0].update(home="tromso"), "teachers[0].home"),
    (lambda d: d["courses"][0].update(venues=["nowhere"]), "courses[0].venues[0]"),
    (lambda d: d["travel_minutes"].append(["finnsnes", "tromso", 90]), "travel_minutes[1][1]"),
    (lambda d: d["current"].update(locked=["L999"]), "current.locked[0]"),
    (lambda d: d["current"]["groups"].append({"id": "g", "course": "b1", "venue": "finnsnes-vo", "slots": [],
                                              "learners": []}), "current.groups[0].course"),
    (lambda d: d["current"]["groups"].append({"id": "g", "course": "a2", "venue": "finnsnes-vo",
                                              "teacher": "t-ola", "slots": [], "learners": []}),
     "current.groups[0].teacher"),
    (lambda d: d["current"]["groups"].append({"id": "g", "course": "a2", "venue": "finnsnes-vo",
                                              "slots": [{"day": "tue", "start": "18:00"}], "learners": []}),
     "current.groups[0].slots[0]"),
])
def test_unknown_references_name_the_field(spec_example, change, path):
    change(spec_example)
    errors = errors_of(spec_example)
    assert list(errors) == [path]
    assert "unknown" in errors[path] or "not one of" in errors[path]


@pytest.mark.parametrize("section", ["places", "venues", "courses", "teachers", "learners"])
def test_duplicate_ids_are_errors(spec_example, section):
    spec_example[section].append(copy.deepcopy(spec_example[section][0]))
    path = f"{section}[{len(spec_example[section]) - 1}].id"
    errors = errors_of(spec_example)
    assert list(errors) == [path]
    assert "duplicate" in errors[path]


def test_a_learner_in_two_current_groups(spec_example):
    group = {"id": "g1", "course": "a2", "venue": "finnsnes-vo", "slots": [], "learners": ["L001"]}
    spec_example["current"]["groups"] = [group, dict(group, id="g2")]
    assert list(errors_of(spec_example)) == ["current.groups[1].learners[0]"]


@pytest.mark.parametrize("change, path", [
    (lambda d: d["learners"][0].update(buffer_minutes=-5), "learners[0].buffer_minutes"),
    (lambda d: d["learners"][0].update(buffer_minutes="30"), "learners[0].buffer_minutes"),
    (lambda d: d["learners"][0].update(priority=True), "learners[0].priority"),
    (lambda d: d["learners"][0].update(prefer_days=["someday"]), "learners[0].prefer_days[0]"),
    (lambda d: d["courses"][0].update(min_attendance=1.5), "courses[0].min_attendance"),
    (lambda d: d["courses"][0].update(session_minutes=0), "courses[0].session_minutes"),
    (lambda d: d["courses"][0].update(sessions_per_week=8), "courses[0].sessions_per_week"),
    (lambda d: d["courses"][0].update(venues=[]), "courses[0].venues"),
    (lambda d: d["venues"][0].update(rooms=0), "venues[0].rooms"),
    (lambda d: d["places"][0].update(lat=95), "places[0].lat"),
    (lambda d: d["travel_minutes"][0].__setitem__(2, -1), "travel_minutes[0][2]"),
    (lambda d: d["slots"].append({"day": "tue", "start": "10:00"}), "slots[2].start"),
    (lambda d: d["slots"].append({"day": "mon", "start": "18:00"}), "slots[2]"),
    (lambda d: d["term"].update(last_day="2027-01-10"), "term.last_day"),
    (lambda d: d["term"].update(closed=["2027-02-30"]), "term.closed[0]"),
    (lambda d: d["learners"][0]["rota"].update(start="2027-13-01"), "learners[0].rota.start"),
    (lambda d: d["learners"][0]["rota"]["cycle"].__setitem__(0, [["07:00"]]), "learners[0].rota.cycle[0][0]"),
    (lambda d: d["learners"][0]["busy"][0].update(start="2027-02-01 16:00"), "learners[0].busy[0].start"),
    (lambda d: d["weights"].update(travel="much"), "weights.travel"),
    (lambda d: d.update(format="nortime.problem/2"), "format"),
    (lambda d: d["learners"][0].pop("level"), "learners[0].level"),
])
def test_bad_values_name_their_field(spec_example, change, path):
    change(spec_example)
    errors = errors_of(spec_example)
    assert list(errors) == [path]


def test_an_error_message_says_what_would_be_accepted(spec_example):
    spec_example["slots"].append({"day": "tue", "start": "10:00"})
    spec_example["learners"][0]["buffer_minutes"] = -5
    errors = errors_of(spec_example)
    assert "16:00 or later" in errors["slots[2].start"]
    assert "at least 0" in errors["learners[0].buffer_minutes"]


def test_not_an_object_at_all():
    assert errors_of([1, 2]) == {"": "expected the problem as a JSON object, got a list"}


def test_invalid_problem_message_lists_the_paths(spec_example):
    spec_example["timezone"] = "Mars/Olympus"
    with pytest.raises(InvalidProblem, match="timezone"):
        read_problem(spec_example)


# -- clock and weekday helpers ---------------------------------------------------


def test_clock_helpers_round_trip():
    assert parse_clock("00:00") == 0
    assert parse_clock("23:59") == 1439
    assert format_clock(7 * 60 + 5) == "07:05"
    assert parse_clock("24:00", allow_24=True) == 1440
    assert parse_day("sun") == 6
    for bad in ("24:00", "7:00", "07:60", "0700", 700, None):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_clock(bad)
    with pytest.raises(ValueError, match="mon, tue"):
        parse_day("Monday")


def test_venue_windows_may_end_at_midnight(spec_example):
    spec_example["venues"][0]["open"][1]["to"] = "24:00"
    assert read_problem(spec_example).venues[0].open[1].end == 1440
    assert read_problem(spec_example).venues[0].open[1].contains(5, 22 * 60, 120)


def test_optional_fields_given_as_null_count_as_left_out(spec_example):
    for field in ("busy", "prefer_days", "rota", "buffer_minutes"):
        spec_example["learners"][0][field] = None
    spec_example["courses"][0]["venues"] = None
    spec_example["weights"] = None
    spec_example["current"] = None
    problem = read_problem(spec_example)
    assert problem.learners[0].buffer_minutes == 30 and problem.learners[0].rota is None
    assert problem.courses[0].venues == ("finnsnes-vo",)


def test_required_fields_given_as_null_are_errors(spec_example):
    spec_example["learners"][0]["home"] = None
    spec_example["timezone"] = None
    assert set(errors_of(spec_example)) == {"learners[0].home", "timezone"}

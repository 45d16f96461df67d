"""solve() on bad input: status invalid_input and an error naming the JSON path, for every field."""

import pytest

from optimizer_cases import base_problem, learner
from solver import solve


def problem():
    doc = base_problem([learner("L0", rota={"start": "2027-01-04", "cycle": [[["07:00", "15:00"]], []]},
                                busy=[{"start": "2027-01-12T16:00", "end": "2027-01-12T21:00"}],
                                prefer_days=["sat"]),
                        learner("L1")])
    doc["current"] = {"groups": [{"id": "g1", "course": "a2", "venue": "fvo", "teacher": "t-kari",
                                  "slots": [{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"}],
                                  "learners": ["L1"], "locked": False}], "locked": []}
    return doc


def setter(path, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change



CASES = [
    (("format",), "nortime.problem/9", "format"),
    (("timezone",), "Europe/Nowhere", "timezone"),
    (("term", "first_day"), "2027-13-01", "term.first_day"),
    (("term", "last_day"), "2026-01-01", "term"),
    (("term", "closed"), ["someday"], "term.closed[0]"),
    (("places", 0, "lat"), "north", "places[0].lat"),
    (("places", 1, "id"), "finnsnes", "places[1].id"),
    (("travel_minutes", 0, 2), -5, "travel_minutes[0]"),
    (("travel_minutes", 0, 0), "nowhere", "travel_minutes[0]"),
    (("slots", 0, "day"), "funday", "slots[0].day"),
    (("slots", 0, "start"), "25:00", "slots[0].start"),
    (("venues", 0, "place"), "atlantis", "venues[0].place"),
    (("venues", 0, "rooms"), 0, "venues[0].rooms"),
    (("venues", 0, "open", 0, "to"), "15:00", "venues[0].open[0]"),
    (("courses", 0, "sessions_per_week"), 0, "courses[0].sessions_per_week"),
    (("courses", 0, "session_minutes"), "long", "courses[0].session_minutes"),
    (("courses", 0, "min_group"), 9, "courses[0]"),
    (("courses", 0, "min_attendance"), 1.5, "courses[0].min_attendance"),
    (("courses", 0, "venues"), ["nowhere"], "courses[0].venues[0]"),
    (("teachers", 0, "home"), "atlantis", "teachers[0].home"),
    (("teachers", 0, "levels"), "A2", "teachers[0].levels"),
    (("teachers", 0, "max_sessions_per_week"), -1, "teachers[0].max_sessions_per_week"),
    (("teachers", 0, "available", 0, "days"), ["someday"], "teachers[0].available[0].days[0]"),
    (("learners", 0, "home"), "atlantis", "learners[0].home"),
    (("learners", 0, "level"), 7, "learners[0].level"),
    (("learners", 0, "max_travel_minutes"), -10, "learners[0].max_travel_minutes"),
    (("learners", 0, "buffer_minutes"), "soon", "learners[0].buffer_minutes"),
    (("learners", 0, "priority"), 0, "learners[0].priority"),
    (("learners", 0, "rota", "start"), "yesterday", "learners[0].rota.start"),
    (("learners", 0, "rota", "cycle"), [], "learners[0].rota.cycle"),
    (("learners", 0, "rota", "cycle", 0, 0, 1), "25:00", "learners[0].rota.cycle[0][0][1]"),
    (("learners", 0, "busy", 0, "end"), "2027-01-12T15:00", "learners[0].busy[0]"),
    (("learners", 0, "prefer_days"), ["someday"], "learners[0].prefer_days[0]"),
    (("learners", 1, "id"), "L0", "learners[1].id"),
    (("current", "groups", 0, "course"), "zz", "current.groups[0].course"),
    (("current", "groups", 0, "learners"), ["nobody"], "current.groups[0].learners[0]"),
    (("current", "locked"), ["nobody"], "current.locked[0]"),
    (("weights",), {"share": "much"}, "weights.share"),
    (("learners",), "many", "learners"),
    (("slots",), {"day": "mon"}, "slots"),
]


@pytest.mark.parametrize("path, value, expected", CASES, ids=[c[2] for c in CASES])
def test_every_field_is_checked_and_named(path, value, expected):
    doc = problem()
    setter(path, value)(doc)
    solution = solve(doc, time_limit=1)
    assert solution["status"] == "invalid_input"
    paths = [e["path"] for e in solution["errors"]]
    assert any(p.startswith(expected) for p in paths), paths
    assert solution["groups"] == [] and all(e["message"] for e in solution["errors"])


def test_the_unchanged_problem_is_valid():
    assert solve(problem(), time_limit=2, workers=2)["status"] in ("optimal", "feasible")

"""Shared helpers for the solver tests.

`problem_doc(...)` builds a small valid problem document (two places, one
venue, one course) that a test adjusts; `reference_availability` (a plain
per-occurrence implementation) is importable from this folder by name.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

# pytest runs with --import-mode=importlib, which does not put test folders on
# sys.path; the reference implementation is shared by several test files.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

SPEC_EXAMPLE = {
    "format": "nortime.problem/1",
    "timezone": "Europe/Oslo",
    "term": {"first_day": "2027-01-11", "last_day": "2027-06-11",
             "closed": ["2027-02-22", "2027-02-23", "2027-03-29", "2027-05-17"]},
    "places": [{"id": "finnsnes", "name": "Finnsnes", "municipality": "5530", "lat": 69.2297, "lon": 17.9812},
               {"id": "silsand", "name": "Silsand", "municipality": "5530", "lat": 69.2386, "lon": 17.9389}],
    "travel_minutes": [["finnsnes", "silsand", 8]],
    "slots": [{"day": "mon", "start": "18:00"}, {"day": "sat", "start": "10:00"}],
    "venues": [{"id": "finnsnes-vo", "name": "Senja voksenopplæring", "place": "finnsnes", "rooms": 2,
                "open": [{"days": ["mon", "tue", "wed", "thu"], "from": "16:00", "to": "22:00"},
                         {"days": ["sat"], "from": "09:00", "to": "16:00"}]}],
    "courses": [{"id": "a2", "name": "Norsk A2", "level": "A2", "sessions_per_week": 2, "session_minutes": 120,
                 "min_group": 5, "max_group": 12, "min_attendance": 0.75, "venues": ["finnsnes-vo"]}],
    "teachers": [{"id": "t-kari", "name": "Kari", "home": "finnsnes", "levels": ["A1", "A2"],
                  "max_sessions_per_week": 6,
                  "available": [{"days": ["mon", "tue", "wed", "thu", "sat"], "from": "16:00", "to": "22:00"}]}],
    "learners": [{"id": "L001", "home": "silsand", "level": "A2", "max_travel_minutes": 45,
                  "buffer_minutes": 30, "priority": 1,
                  "rota": {"start": "2027-01-04",
                           "cycle": [[["07:00", "15:00"]], [["07:00", "15:00"]], [],
                                     [["23:00", "07:00"]], "away", [], []]},
                  "busy": [{"start": "2027-02-01T16:00", "end": "2027-02-01T21:00"}],
                  "prefer_days": ["sat"]}],
    "current": {"groups": [], "locked": []},
    "weights": {},
}


def problem_doc(*, first_day="2027-01-11", last_day="2027-02-07", closed=(), slots=(("sat", "10:00"),),
                minutes=120, travel=8, buffer=30, rota=None, busy=(), timezone="Europe/Oslo",
                learner_home="silsand") -> dict:
    """A minimal valid problem: venue at Finnsnes, one learner at `learner_home`, one course."""
    learner = {"id": "L1", "home": learner_home, "level": "A2", "buffer_minutes": buffer,
               "busy": [{"start": s, "end": e} for s, e in busy]}
    if rota is not None:
        learner["rota"] = rota
    return {
        "timezone": timezone,
        "term": {"first_day": first_day, "last_day": last_day, "closed": list(closed)},
        "places": copy.deepcopy(SPEC_EXAMPLE["places"]),
        "travel_minutes": [["finnsnes", "silsand", travel]],
        "slots": [{"day": d, "start": t} for d, t in slots],
        "venues": [{"id": "vo", "name": "VO", "place": "finnsnes",
                    "open": [{"days": ["sat", "sun"], "from": "00:00", "to": "24:00"}]}],
        "courses": [{"id": "c", "name": "C", "level": "A2", "sessions_per_week": 1, "session_minutes": minutes,
                     "min_group": 1, "max_group": 10}],
        "teachers": [],
        "learners": [learner],
    }


@pytest.fixture
def spec_example() -> dict:
    """A fresh copy of the spec's example problem."""
    return copy.deepcopy(SPEC_EXAMPLE)


@pytest.fixture
def make_doc():
    """problem_doc(...) as a fixture (see its docstring)."""
    return problem_doc

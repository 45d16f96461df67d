"""Properties of the availability matrix on random rotas, checked with Hypothesis.

Random problems are small (a few learners, venues and slots over a few weeks)
but deliberately awkward: terms across daylight-saving changes in several
zones (including Lord Howe's half-hour change), shifts at 02:00-03:00,
overlapping shifts, away days and busy intervals around the term's edges.
"""

import copy
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from reference_availability import attendable_occurrences, reference_matrix
from solver.availability import compute_availability, occurrence_conflicts
from solver.problem import read_problem

ROOT = Path(__file__).resolve().parents[2]
ZONES = ("Europe/Oslo", "Europe/Oslo", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo")
# Term starts near the 2026/27 daylight-saving changes of those zones.
TERM_STARTS = (date(2026, 10, 12), date(2027, 3, 15), date(2027, 1, 11), date(2026, 9, 28), date(2027, 3, 8),
               date(2026, 3, 23))
PLACES = [{"id": "a", "lat": 69.23, "lon": 17.98}, {"id": "b", "lat": 69.24, "lon": 17.94},
          {"id": "c", "lat": 69.05, "lon": 18.55}]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# NORTIME_HYPOTHESIS_EXAMPLES=1000 for a long bug hunt; CI keeps the suite quick.
common = settings(max_examples=int(os.environ.get("NORTIME_HYPOTHESIS_EXAMPLES", "40")), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Daylight-saving changes and midnights bite at these minutes.
AWKWARD_MINUTES = (0, 60, 120, 150, 180, 210, 1305, 1320)


@st.composite
def problems(draw, max_learners=3):
    """A small random problem document.

    Each problem has a grid (whole hours, quarter hours or any minute) for its
    clock times, buffers, travel and busy intervals, so that gaps of exactly
    buffer + travel, and shifts touching sessions, come up often.
    """
    grid = draw(st.sampled_from([60, 15, 1]))
    minute = st.one_of(st.integers(0, 1439 // grid).map(lambda q: q * grid), st.sampled_from(AWKWARD_MINUTES))
    shift = st.tuples(minute, minute).map(lambda p: [clock(p[0]), clock(p[1])])
    rota_day = st.one_of(st.lists(shift, max_size=2), st.just("away"))
    evening = st.integers(960 // grid, 1439 // grid).map(lambda q: q * grid)
    slot = st.one_of(st.tuples(st.sampled_from(DAYS[:5]), evening), st.tuples(st.sampled_from(DAYS[5:]), minute))
    on_grid = st.integers(0, 120 // grid).map(lambda q: q * grid)

    first = draw(st.sampled_from(TERM_STARTS)) + timedelta(days=draw(st.integers(0, 6)))
    weeks = draw(st.integers(1, 4))
    last = first + timedelta(days=7 * weeks - draw(st.integers(1, 7)))
    term_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    closed = draw(st.lists(st.sampled_from(term_days), max_size=3, unique=True))

    def moment(minute_offset):
        return (datetime.combine(first, datetime.min.time()) + timedelta(minutes=minute_offset)).strftime(
            "%Y-%m-%dT%H:%M")

    learners = []
    for i in range(draw(st.integers(1, max_learners))):
        learner = {"id": f"L{i}", "home": draw(st.sampled_from("abc")), "level": "A2",
                   "buffer_minutes": draw(on_grid)}
        if draw(st.booleans()) or i == 0:
            learner["rota"] = {
                "start": (first + timedelta(days=draw(st.integers(-60, 60)))).isoformat(),
                "cycle": draw(st.lists(rota_day, min_size=1, max_size=10)),
            }
        busy = []
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.integers(-3 * 1440 // grid, (weeks * 7 + 2) * 1440 // grid)) * grid
            busy.append({"start": moment(start), "end": moment(start + grid * draw(st.integers(1, 3000 // grid)))})
        learner["busy"] = busy
        learners.append(learner)
    travel = [[a, b, draw(on_grid)] for a, b in (("a", "b"), ("a", "c"), ("b", "c")) if draw(st.booleans())]
    return {
        "timezone": draw(st.sampled_from(ZONES)),
        "term": {"first_day": first.isoformat(), "last_day": last.isoformat(),
                 "closed": [d.isoformat() for d in closed]},
        "places": PLACES,
        "travel_minutes": travel,
        "slots": [{"day": d, "start": clock(m)}
                  for d, m in draw(st.lists(slot, min_size=1, max_size=4, unique=True))],
        "venues": [{"id": f"v{j}", "place": p, "open": []}
                   for j, p in enumerate(draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=3)))],
        "courses": [{"id": f"c{m}", "level": "A2", "sessions_per_week": 1, "session_minutes": m,
                     "min_group": 1, "max_group": 9}
                    for m in draw(st.lists(st.sampled_from([30, 60, 90, 120, 180]), min_size=1, max_size=2,
                                           unique=True))],
        "teachers": [],
        "learners": learners,
    }


def attendable(doc):
    return compute_availability(read_problem(doc)).attendable


@common
@given(problems())
def test_vectorised_matrix_equals_the_per_occurrence_reference(doc):
    availability = compute_availability(read_problem(doc))
    durations, total, expected = reference_matrix(doc)
    assert availability.durations == durations
    assert availability.total.tolist() == total
    assert availability.attendable.tolist() == expected


@common
@given(problems(max_learners=1), st.data())
def test_occurrence_conflicts_agree_with_the_matrix_and_the_reference(doc, data):
    problem = read_problem(doc)
    availability = compute_availability(problem)
    v = data.draw(st.integers(0, len(problem.venues) - 1))
    s = data.draw(st.integers(0, len(problem.slots) - 1))
    minutes = data.draw(st.sampled_from(availability.durations))
    conflicts = occurrence_conflicts(problem, "L0", problem.venues[v].id, problem.slots[s], minutes)
    flags = [ok for _, ok, _ in conflicts]
    assert flags == attendable_occurrences(doc, "L0", problem.venues[v].id, doc["slots"][s], minutes)
    assert sum(flags) == availability.attendable[0, v, availability.duration_index(minutes), s]
    assert all((why is None) == ok for _, ok, why in conflicts)


@common
@given(problems(), st.integers(-4, 4).filter(bool))
def test_shifting_the_anchor_by_whole_cycles_changes_nothing(doc, cycles):
    before = attendable(doc)
    shifted = copy.deepcopy(doc)
    rota = shifted["learners"][0]["rota"]
    start = date.fromisoformat(rota["start"]) + timedelta(days=cycles * len(rota["cycle"]))
    rota["start"] = start.isoformat()
    assert np.array_equal(attendable(shifted), before)


@common
@given(problems(), st.integers(-3 * 1440, 30 * 1440), st.integers(1, 2000))
def test_adding_a_busy_interval_never_raises_a_share(doc, offset, length):
    before = attendable(doc)
    busier = copy.deepcopy(doc)
    start = datetime.fromisoformat(doc["term"]["first_day"]) + timedelta(minutes=offset)
    busier["learners"][0]["busy"].append({"start": start.strftime("%Y-%m-%dT%H:%M"),
                                          "end": (start + timedelta(minutes=length)).strftime("%Y-%m-%dT%H:%M")})
    after = attendable(busier)
    assert (after <= before).all()
    assert np.array_equal(after[1:], before[1:])  # other learners are untouched


@common
@given(problems(), st.integers(1, 600))
def test_raising_the_buffer_never_raises_a_share(doc, extra):
    before = attendable(doc)
    stricter = copy.deepcopy(doc)
    stricter["learners"][0]["buffer_minutes"] += extra
    assert (attendable(stricter) <= before).all()


_CHILD = """
import json, sys
from solver.availability import compute_availability
from solver.problem import read_problem
docs = json.load(sys.stdin)
print(json.dumps([compute_availability(read_problem(d)).attendable.tolist() for d in docs]))
"""


def _matrices_under(zones: list[str], docs: list) -> list[list]:
    """The matrices computed by fresh interpreters whose machine time zone is each of `zones`."""
    children = [
        subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, env={**os.environ, "TZ": tz, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
        for tz in zones
    ]
    outputs = [child.communicate(json.dumps(docs))[0] for child in children]
    assert all(child.returncode == 0 for child in children)
    return [json.loads(output) for output in outputs]


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(problems(), min_size=8, max_size=12))
def test_results_do_not_depend_on_the_machines_time_zone(docs):
    here = [attendable(d).tolist() for d in docs]
    under_utc, under_tokyo = _matrices_under(["UTC", "Asia/Tokyo"], docs)
    assert under_utc == here
    assert under_tokyo == here

"""Driving minutes: listed pairs both ways, else great-circle x 1.3 at 60 km/h rounded up."""

import json
from pathlib import Path

import numpy as np

from solver.problem import read_problem
from solver.travel import estimated_minutes, travel_matrix, travel_minutes_between

REGION = Path(__file__).resolve().parents[2] / "nortime" / "demo" / "data" / "midt_troms.json"


def doc_with(places, travel=()):
    return {"timezone": "Europe/Oslo", "term": {"first_day": "2027-01-11", "last_day": "2027-01-17"},
            "places": places, "travel_minutes": list(travel), "slots": [], "venues": [], "courses": [],
            "teachers": [], "learners": []}


def test_listed_pairs_hold_in_both_directions_and_a_place_to_itself_is_zero():
    places = [{"id": "x", "lat": 69.0, "lon": 18.0}, {"id": "y", "lat": 69.5, "lon": 18.0}]
    index, minutes = travel_matrix(read_problem(doc_with(places, [["y", "x", 17]])))
    assert index == {"x": 0, "y": 1}
    assert minutes.tolist() == [[0, 17], [17, 0]]
    assert minutes.dtype == np.int32


def test_unlisted_pairs_are_estimated_from_coordinates():
    # One degree of latitude is 111.195 km; x 1.3 road factor = 144.55 km = 144.55 minutes at 60 km/h.
    places = [{"id": "x", "lat": 69.0, "lon": 18.0}, {"id": "y", "lat": 70.0, "lon": 18.0},
              {"id": "z", "lat": 69.0, "lon": 18.0}]
    problem = read_problem(doc_with(places))
    _, minutes = travel_matrix(problem)
    assert minutes[0, 1] == minutes[1, 0] == 145
    assert minutes[0, 2] == 0  # two places at the same spot
    assert travel_minutes_between(problem, "x", "y") == 145
    assert estimated_minutes(problem.places[0], problem.places[0]) == 0


def test_midt_troms_listed_minutes_are_used_as_given():
    region = json.loads(REGION.read_text())
    problem = read_problem(doc_with(region["places"], region["travel_minutes"]))
    index, minutes = travel_matrix(problem)
    for a, b, listed in region["travel_minutes"]:
        assert minutes[index[a], index[b]] == minutes[index[b], index[a]] == listed
        assert travel_minutes_between(problem, b, a) == listed
    assert (np.diag(minutes) == 0).all()
    assert (minutes == minutes.T).all()


def test_the_matrix_estimates_agree_with_the_single_pair_estimate():
    region = json.loads(REGION.read_text())
    problem = read_problem(doc_with(region["places"]))  # nothing listed: every pair estimated
    index, minutes = travel_matrix(problem)
    for a in problem.places:
        for b in problem.places:
            assert minutes[index[a.id], index[b.id]] == estimated_minutes(a, b)

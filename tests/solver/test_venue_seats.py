"""A venue's `seats`: no group there holds more learners than its room seats (issue 16)."""

import copy

import pytest

import checker
from optimizer_cases import base_problem, learner
from solver import solve, verify
from solver.problem import InvalidProblem, read_problem


def small_room_problem(seats):
    """Eight A2 learners, max_group 8, one room; `seats` on the venue (None: not given)."""
    problem = base_problem([learner(f"L{i}") for i in range(8)], rooms=1)
    problem["courses"][0].update(min_group=3, max_group=8)
    if seats is not None:
        problem["venues"][0]["seats"] = seats
    return problem


def test_without_seats_a_group_takes_max_group():
    problem = small_room_problem(None)
    solution = solve(problem, time_limit=5, workers=2)
    checker.assert_valid(problem, solution)
    assert max(len(g["learners"]) for g in solution["groups"]) == 8


def test_a_small_room_caps_every_group_and_the_rest_get_a_second_group_or_a_reason():
    problem = small_room_problem(5)
    solution = solve(problem, time_limit=5, workers=2)
    checker.assert_valid(problem, solution)
    assert verify(problem, solution) == []
    assert solution["groups"] and all(len(g["learners"]) <= 5 for g in solution["groups"])
    # Two groups of 3-5 fit in one room on different days: everyone is placed.
    assert solution["placed"] == 8


def test_a_room_smaller_than_a_courses_min_group_is_refused_with_what_to_do():
    problem = small_room_problem(2)
    with pytest.raises(InvalidProblem) as error:
        read_problem(problem)
    assert error.value.errors == [{"path": "venues[0].seats", "message": "2 seats are fewer than course a2's "
                                   "min_group 3; give at least 3 or leave fvo out of the course's venues"}]
    assert solve(problem, time_limit=2, workers=1)["status"] == "invalid_input"


def test_verify_and_the_checker_both_refuse_a_group_over_the_room():
    problem = small_room_problem(None)
    solution = solve(problem, time_limit=5, workers=2)
    assert verify(problem, solution) == []
    crowded = copy.deepcopy(problem)
    crowded["venues"][0]["seats"] = 6
    broken = [v for v in verify(crowded, solution) if v.rule == "group_size"]
    assert broken and "seats 6" in broken[0].message
    assert any("outside 3..6" in fault for fault in checker.violations(crowded, solution))


@pytest.mark.parametrize("seats, says", [(0, "at least 1"), ("eight", "whole number"), (2.5, "whole number")])
def test_bad_seats_are_named_with_their_path(seats, says):
    problem = small_room_problem(None)
    problem["venues"][0]["seats"] = seats
    with pytest.raises(InvalidProblem) as error:
        read_problem(problem)
    assert any(e["path"] == "venues[0].seats" and says in e["message"] for e in error.value.errors)

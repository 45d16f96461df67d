"""solve(): hard rules, reasons, locked parts, progress, on small hand-made problems.

Every solution is validated by the independent checker (tests/solver/checker.py),
including the truth of every reason given for an unplaced learner.
"""

import pytest

import checker
from optimizer_cases import base_problem, evening_shift_on, learner
from solver import solve, verify


def solved(problem, **kwargs):
    solution = solve(problem, time_limit=kwargs.pop("time_limit", 5), workers=2, **kwargs)
    checker.assert_valid(problem, solution)
    assert verify(problem, solution) == []
    return solution


def codes_of(solution, lid):
    return {r["code"] for u in solution["unplaced"] if u["learner"] == lid for r in u["reasons"]}


def test_a_group_forms_for_learners_who_can_all_come():
    problem = base_problem([learner(f"L{i}") for i in range(4)])
    solution = solved(problem)
    assert solution["status"] == "optimal"
    assert solution["placed"] == solution["placed_bound"] == 4
    assert len(solution["groups"]) == 1 and solution["groups"][0]["teacher"] == "t-kari"


def test_priority_counts_as_that_many_placements():
    learners = [learner(f"L{i}") for i in range(5)]
    learners[4]["priority"] = 3
    solution = solved(base_problem(learners))
    assert "L4" in solution["attendance"]
    assert solution["placed"] == 3 + 3  # four seats: L4 plus three others


def test_shift_workers_get_the_slots_their_rota_leaves_free():
    # Two learners work Monday and Tuesday evenings: only Wednesday + Saturday suits all four.
    learners = [learner("L0", rota=evening_shift_on({0, 1})), learner("L1", rota=evening_shift_on({0, 1})),
                learner("L2"), learner("L3")]
    solution = solved(base_problem(learners))
    assert solution["placed"] == 4
    assert {s["day"] for s in solution["groups"][0]["slots"]} == {"wed", "sat"}


def test_reasons_for_level_reach_and_rota():
    always_working = {"start": "2027-01-04", "cycle": [[["08:00", "23:00"]]]}
    learners = [learner(f"L{i}") for i in range(3)] + [
        learner("B2", level="B2"),
        learner("FAR", home="husoy", max_travel_minutes=30),
        learner("ROTA", rota=always_working),
    ]
    solution = solved(base_problem(learners))
    assert codes_of(solution, "B2") == {"no_course_at_level"}
    assert codes_of(solution, "FAR") == {"no_venue_in_reach"}
    assert "rota_conflict" in codes_of(solution, "ROTA")


def test_a_full_group_and_too_few_for_another():
    solution = solved(base_problem([learner(f"L{i}") for i in range(5)]))
    assert solution["placed"] == 4
    (left,) = solution["unplaced"]
    assert {"group_full", "too_few_for_group"} <= codes_of(solution, left["learner"])


def test_no_teacher_when_nobody_can_teach():
    solution = solved(base_problem([learner(f"L{i}") for i in range(3)], teachers=[]))
    assert solution["placed"] == 0
    assert all("no_teacher" in codes_of(solution, f"L{i}") for i in range(3))


def test_rooms_and_teacher_limits_hold_with_many_learners():
    problem = base_problem([learner(f"L{i}", home="silsand" if i % 2 else "finnsnes") for i in range(11)],
                           rooms=1)
    problem["teachers"].append({"id": "t-ola", "name": "Ola", "home": "silsand", "levels": ["A2"],
                                "max_sessions_per_week": 2,
                                "available": [{"days": ["mon", "tue", "wed"], "from": "16:00", "to": "22:00"}]})
    solution = solved(problem)
    # One room, four slots, two sessions per group: at most two groups of four.
    assert solution["placed"] == solution["placed_bound"] == 8


def test_locked_group_and_learner_stay_exactly():
    problem = base_problem([learner(f"L{i}") for i in range(7)], rooms=2)
    problem["current"] = {
        "groups": [{"id": "kept", "course": "a2", "venue": "fvo", "teacher": "t-kari",
                    "slots": [{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"}],
                    "learners": ["L0", "L1", "L2"], "locked": True}],
        "locked": ["L6"],
    }
    solution = solved(problem)
    kept = next(g for g in solution["groups"] if g["id"] == "kept")
    assert kept["learners"] == ["L0", "L1", "L2"]
    assert codes_of(solution, "L6") == {"locked_out"}


def test_a_locked_group_that_breaks_a_rule_is_infeasible():
    problem = base_problem([learner(f"L{i}") for i in range(3)])
    problem["current"]["groups"] = [{"id": "bad", "course": "a2", "venue": "fvo", "teacher": "t-kari",
                                     "slots": [{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"}],
                                     "learners": ["L0", "L1"], "locked": True}]   # under min_group 3
    solution = solve(problem, time_limit=5, workers=2)
    assert solution["status"] == "infeasible"
    assert solution["groups"] == [] and solution["errors"]


def test_progress_reports_elapsed_placed_and_bound():
    updates = []
    solved(base_problem([learner(f"L{i}") for i in range(4)]), on_progress=updates.append)
    assert updates and all({"elapsed", "placed", "bound"} <= set(u) for u in updates)
    assert updates[-1]["placed"] <= updates[-1]["bound"]


def test_what_if_names_only_unused_slots():
    learners = [learner(f"L{i}") for i in range(4)] + [learner("SAT", rota=evening_shift_on({0, 1, 2}))]
    solution = solved(base_problem(learners))
    used = {(s["day"], s["start"]) for g in solution["groups"] for s in g["slots"]}
    assert all((w["slot"]["day"], w["slot"]["start"]) not in used for w in solution["what_if"])


@pytest.mark.parametrize("document", [None, [], "text", {}, {"format": "nortime.problem/1"}])
def test_bad_documents_give_invalid_input_not_exceptions(document):
    solution = solve(document, time_limit=1)
    assert solution["status"] == "invalid_input" and solution["errors"]
    assert all({"path", "message"} <= set(e) for e in solution["errors"])


def test_a_suiting_group_that_is_locked_is_the_reason():
    problem = base_problem([learner(f"L{i}") for i in range(4)])
    problem["current"]["groups"] = [{"id": "kept", "course": "a2", "venue": "fvo", "teacher": "t-kari",
                                     "slots": [{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"}],
                                     "learners": ["L0", "L1", "L2"], "locked": True}]
    solution = solved(problem)
    assert solution["placed"] == 3
    assert "locked_out" in codes_of(solution, "L3")

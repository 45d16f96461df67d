"""Ruin and recreate (`solver.ruin`): better timetables, every rule kept, the input untouched."""

import importlib
import time

import checker
from optimizer_cases import base_problem, learner
from solver.options import build_options
from solver.problem import read_problem
from solver.ruin import ruin_and_recreate
from solver.explain import explain
from solver.greedy import augment
from solver.solution import name_groups, write_solution
from solver.synthetic import midt_troms_problem
from solver.timetable import Group, Timetable

solve_module = importlib.import_module("solver.solve")
FAR = 10 ** 9      # a deadline that never comes: the tests stop the search by its steps


def as_solution(options, table, blocked=frozenset()):
    """The solution document of `table`, every unplaced learner with the solver's reasons."""
    names = name_groups([(options, table)], options.problem)
    unplaced = [{"learner": options.problem.learners[l].id, "reasons": why}
                for l, why in explain(options, table, set(blocked), lambda g: names[id(g)], False).items()]
    return write_solution(options.problem, [(options, table)], unplaced, "feasible", 0, 0.0, [], {})


def snapshot(table):
    return sorted((g.course, g.venue, g.slots, g.teacher, tuple(sorted(g.learners))) for g in table.groups)


def test_it_places_more_than_the_greedy_start_and_keeps_every_rule():
    problem = midt_troms_problem(learners=400, seed=2)
    options = build_options(read_problem(problem))
    start, _ = solve_module.start_timetable(options, set())
    before = snapshot(start)
    found = ruin_and_recreate(start, set(), time.monotonic() + FAR, seed=0, steps=60)
    assert found.placed_value() > start.placed_value()
    assert snapshot(start) == before            # the start is not changed
    checker.assert_valid(problem, as_solution(options, found))


def test_a_seed_and_a_step_count_give_the_same_timetable():
    problem = midt_troms_problem(learners=200, seed=3)
    options = build_options(read_problem(problem))
    start, _ = solve_module.start_timetable(options, set())
    runs = [ruin_and_recreate(start, set(), time.monotonic() + FAR, seed=5, steps=15) for _ in range(2)]
    assert snapshot(runs[0]) == snapshot(runs[1])


def test_locked_groups_and_blocked_learners_stay_as_they_are():
    # Eight learners who could all meet on Monday or Tuesday, one locked Monday group of
    # three; L7 is blocked (a locked learner outside every group).
    course = {"id": "a2", "name": "Norsk A2", "level": "A2", "sessions_per_week": 1, "session_minutes": 120,
              "min_group": 2, "max_group": 4, "min_attendance": 0.75}
    problem = base_problem([learner(f"L{i}") for i in range(8)], rooms=2, courses=[course],
                           slots=[{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"}])
    options = build_options(read_problem(problem))
    locked = Group(0, 0, (0,), 0, [0, 1, 2], id="a2-fvo-1", locked=True)
    start = solve_module.fill(Timetable(options, [locked]), {7}, False)
    found = ruin_and_recreate(start, {7}, time.monotonic() + FAR, seed=1, steps=30)
    kept = [g for g in found.groups if g.locked]
    assert [(g.slots, sorted(g.learners)) for g in kept] == [((0,), [0, 1, 2])]
    assert 7 not in found.group_of
    assert found.placed_value() == 7          # the locked three and a group of the four others


def test_it_stops_at_a_proven_bound():
    # A timetable that places the bound is returned as it is: nothing better exists.
    problem = midt_troms_problem(learners=120, seed=4)
    options = build_options(read_problem(problem))
    start, _ = solve_module.start_timetable(options, set())
    assert ruin_and_recreate(start, set(), time.monotonic() + 3, seed=0, ceiling=start.placed_value()) is start


def test_a_search_that_finds_nothing_better_ends_before_its_deadline(monkeypatch):
    # The start seats all seven learners; without a ceiling the search cannot know that
    # nothing better exists, so it ends after STALL_STEPS steps without placing more,
    # long before the deadline.
    import solver.ruin as ruin
    course = {"id": "a2", "name": "Norsk A2", "level": "A2", "sessions_per_week": 1, "session_minutes": 120,
              "min_group": 2, "max_group": 4, "min_attendance": 0.75}
    problem = base_problem([learner(f"L{i}") for i in range(7)], rooms=2, courses=[course],
                           slots=[{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"}])
    options = build_options(read_problem(problem))
    start = solve_module.fill(Timetable(options), set(), False)
    assert start.placed_value() == 7
    steps = []
    monkeypatch.setattr(ruin, "STALL_STEPS", 5)
    monkeypatch.setattr(ruin, "augment", lambda table, *args: steps.append(1) or augment(table, *args))
    found = ruin_and_recreate(start, set(), time.monotonic() + FAR, seed=0)
    assert found.placed_value() == 7
    assert len(steps) == 5

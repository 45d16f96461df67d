"""`captive_start`: the captive venues re-planned around the rest of a timetable.

Husøy is 80 minutes from Finnsnes.  The one teacher already has a Monday 18:00
group in Finnsnes; the Husøy learners can only be seated by that teacher, so
their group must go where the teacher is free (Tuesday), and nothing else moves.
"""

import importlib

from optimizer_cases import base_problem, evening_shift_on, learner
from solver.options import build_options
from solver.problem import read_problem
from solver.timetable import Group, Timetable

solve_module = importlib.import_module("solver.solve")

WEEKLY = {"id": "a2", "name": "Norsk A2", "level": "A2", "sessions_per_week": 1, "session_minutes": 120,
          "min_group": 2, "max_group": 4, "min_attendance": 0.75}
VENUES = [{"id": "fvo", "name": "Finnsnes VO", "place": "finnsnes", "rooms": 1,
           "open": [{"days": ["mon", "tue"], "from": "16:00", "to": "22:00"}]},
          {"id": "hus", "name": "Husøy grendehus", "place": "husoy", "rooms": 1,
           "open": [{"days": ["mon", "tue"], "from": "16:00", "to": "22:00"}]}]
SLOTS = [{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"}]


def problem_with(max_sessions):
    teacher = {"id": "t1", "name": "t1", "home": "finnsnes", "levels": ["A2"], "max_sessions_per_week": max_sessions,
               "available": [{"days": ["mon", "tue"], "from": "16:00", "to": "22:00"}]}
    learners = [learner(f"F{i}", max_travel_minutes=10) for i in range(3)] + \
        [learner(f"H{i}", home="husoy", max_travel_minutes=10) for i in range(3)]
    return base_problem(learners, slots=SLOTS, courses=[WEEKLY], venues=VENUES, teachers=[teacher])


def finnsnes_on_monday(options):
    # Learners 0-2 live in Finnsnes; slot 0 is Monday 18:00; teacher 0 takes it.
    return Timetable(options, [Group(0, 0, (0,), 0, [0, 1, 2])])


def test_the_captive_group_goes_where_the_teacher_is_free():
    options = build_options(read_problem(problem_with(max_sessions=2)))
    planned = solve_module.captive_start(options, set(), finnsnes_on_monday(options), {1}, 10, 2, 0)
    assert planned is not None
    by_venue = {g.venue: g for g in planned.groups}
    assert (by_venue[0].slots, by_venue[0].teacher, sorted(by_venue[0].learners)) == ((0,), 0, [0, 1, 2])
    assert by_venue[1].slots == (1,) and by_venue[1].teacher == 0
    assert sorted(by_venue[1].learners) == [3, 4, 5]


def test_a_teacher_with_a_full_week_is_not_given_the_captive_group():
    options = build_options(read_problem(problem_with(max_sessions=1)))
    planned = solve_module.captive_start(options, set(), finnsnes_on_monday(options), {1}, 10, 2, 0)
    assert planned is not None
    assert [(g.venue, g.slots) for g in planned.groups] == [(0, (0,))]
    assert planned.placed_value() == 3


def test_no_captive_group_where_it_would_clash_with_the_teachers_other_group():
    # The Husøy learners work Tuesday evenings: only Monday 18:00 suits them, when the
    # teacher is in Finnsnes; a Husøy group then would break the teacher's day.
    problem = problem_with(max_sessions=2)
    for l in problem["learners"][3:]:
        l["rota"] = evening_shift_on([1])
    options = build_options(read_problem(problem))
    planned = solve_module.captive_start(options, set(), finnsnes_on_monday(options), {1}, 10, 2, 0)
    assert planned is None or [(g.venue, g.slots) for g in planned.groups] == [(0, (0,))]

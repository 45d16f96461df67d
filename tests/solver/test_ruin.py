"""Ruin and recreate (`solver.ruin`): better timetables, every rule kept, the input untouched."""

import importlib
import time

import checker
from optimizer_cases import base_problem, learner
from solver.config import SolverConfig, Weights
from solver.options import build_options
from solver.problem import read_problem
from solver.ruin import ruin_and_recreate
from solver.explain import explain
from solver.greedy import augment
from solver.solution import name_groups, write_solution
from nortime.demo.synthetic import midt_troms_problem
from solver.timetable import Group, Timetable

solve_module = importlib.import_module("solver.solve")
FAR = 10 ** 9      # a deadline that never comes: the tests stop the search by its steps


def as_solution(options, table, blocked=frozenset()):
    """The solution document of `table`, every unplaced learner with the solver's reasons."""
    names = name_groups([(options, table)], options.problem)
    unplaced = [{"learner": options.problem.learners[l].id, "reasons": why}
                for l, why in explain(options, table, set(blocked), lambda g: names[id(g)], False).items()]
    return write_solution(options.problem, [(options, table)], unplaced, "feasible", 0, 0.0, [], {}, Weights())


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
    # nothing better exists, so it ends after `ruin_stall_steps` steps without placing more,
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
    monkeypatch.setattr(ruin, "augment", lambda table, *args: steps.append(1) or augment(table, *args))
    found = ruin_and_recreate(start, set(), time.monotonic() + FAR, seed=0, config=SolverConfig(ruin_stall_steps=5))
    assert found.placed_value() == 7
    assert len(steps) == 5


# -- making a place for one unplaced learner --------------------------------------------------

ONE_SESSION = {"id": "a2", "name": "Norsk A2", "level": "A2", "sessions_per_week": 1, "session_minutes": 120,
               "min_group": 3, "max_group": 4, "min_attendance": 0.75}
MON, TUE = 0, 1      # slot indexes of base_problem's mon and tue 18:00


def busy_on(*days):
    """A weekly rota busy all day on the given weekday indexes (0 = Monday)."""
    return {"rota": {"start": "2027-01-04", "cycle": [[["00:00", "23:59"]] if d in days else [] for d in range(7)]}}


def husoy_venue():
    return {"id": "hus", "name": "Husøy grendehus", "place": "husoy", "rooms": 1,
            "open": [{"days": ["mon", "tue", "wed", "thu"], "from": "16:00", "to": "22:00"}]}


def fvo_venue():
    return {"id": "fvo", "name": "Finnsnes VO", "place": "finnsnes", "rooms": 1,
            "open": [{"days": ["mon", "tue", "wed", "thu"], "from": "16:00", "to": "22:00"}]}


def test_make_place_closes_the_group_of_those_who_could_join_and_opens_one_with_them():
    # U can only come on Tuesdays; A, B and C on either day sit in a Monday group.
    import random
    import solver.ruin as ruin
    people = [learner("U", **busy_on(0, 2, 3, 4, 5, 6))] + [learner(x) for x in "ABC"]
    problem = base_problem(people, courses=[ONE_SESSION])
    options = build_options(read_problem(problem))
    table = Timetable(options, [Group(0, 0, (MON,), 0, [1, 2, 3])])
    ruin._make_place(random.Random(0), table, 0, set(), set())
    assert [(g.slots, sorted(g.learners)) for g in table.groups] == [((TUE,), [0, 1, 2, 3])]
    checker.assert_valid(problem, as_solution(options, table))



def test_make_place_keeps_a_group_within_its_rooms_seats():
    # As above, but the room seats 3 (the course allows 4): U may not make the Tuesday group a group of 4.
    import random
    import solver.ruin as ruin
    people = [learner("U", **busy_on(0, 2, 3, 4, 5, 6))] + [learner(x) for x in "ABC"]
    problem = base_problem(people, courses=[ONE_SESSION])
    problem["venues"][0]["seats"] = 3
    options = build_options(read_problem(problem))
    table = Timetable(options, [Group(0, 0, (MON,), 0, [1, 2, 3])])
    ruin._make_place(random.Random(0), table, 0, set(), set())
    assert all(len(g.learners) <= 3 for g in table.groups)
    checker.assert_valid(problem, as_solution(options, table))

def test_make_place_frees_the_only_able_teacher_and_never_closes_a_locked_group():
    # Kari teaches a Tuesday group in Husøy, 80 minutes away: she cannot also teach in
    # Finnsnes that evening.  U, A and B (Finnsnes, Tuesdays only) need her there.
    import random
    import solver.ruin as ruin
    tuesdays = busy_on(0, 2, 3, 4, 5, 6)
    people = [learner(x, **tuesdays) for x in "UAB"] + \
        [learner(x, home="husoy", **tuesdays) for x in "XYZ"]
    problem = base_problem(people, courses=[dict(ONE_SESSION, venues=["fvo", "hus"])],
                           venues=[fvo_venue(), husoy_venue()])
    options = build_options(read_problem(problem))
    fvo, hus = options.venue_index["fvo"], options.venue_index["hus"]
    husoy_group = Group(0, hus, (TUE,), 0, [3, 4, 5])
    table = Timetable(options, [husoy_group])
    ruin._make_place(random.Random(0), table, 0, set(), set())
    assert [(g.venue, g.slots, g.teacher, sorted(g.learners)) for g in table.groups] == [(fvo, (TUE,), 0, [0, 1, 2])]
    checker.assert_valid(problem, as_solution(options, table))
    # The same with the Husøy group locked: it stays, and nothing opens in Finnsnes.
    locked = Group(0, hus, (TUE,), 0, [3, 4, 5], id="a2-hus-1", locked=True)
    table = Timetable(options, [locked])
    ruin._make_place(random.Random(0), table, 0, set(), set())
    assert table.groups == [locked] and sorted(locked.learners) == [3, 4, 5]


def test_make_place_takes_mates_from_a_group_that_keeps_its_minimum():
    # U can only come on Tuesdays; A-E could come either day and fill a Monday group of
    # five (3 to 5 a group).  Two of them join U on Tuesday, and the Monday group goes on
    # with three: no group closes, nobody loses a place.
    import random
    import solver.ruin as ruin
    course = dict(ONE_SESSION, max_group=5)
    people = [learner("U", **busy_on(0, 2, 3, 4, 5, 6))] + [learner(x) for x in "ABCDE"]
    problem = base_problem(people, courses=[course])
    options = build_options(read_problem(problem))
    monday = Group(0, 0, (MON,), 0, [1, 2, 3, 4, 5])
    table = Timetable(options, [monday])
    ruin._make_place(random.Random(0), table, 0, set(), set(), SolverConfig(ruin_pull=1.0))
    groups = {g.slots: sorted(g.learners) for g in table.groups}
    assert set(groups) == {(MON,), (TUE,)}
    assert len(groups[MON,]) == 3 and len(groups[TUE,]) == 3 and groups[TUE,][0] == 0
    assert sorted(groups[MON,] + groups[TUE,]) == [0, 1, 2, 3, 4, 5]
    checker.assert_valid(problem, as_solution(options, table))
    # Without enough to spare (only A-C, a Monday group of three), the group is closed instead.
    problem = base_problem(people[:4], courses=[course])
    options = build_options(read_problem(problem))
    table = Timetable(options, [Group(0, 0, (MON,), 0, [1, 2, 3])])
    ruin._make_place(random.Random(0), table, 0, set(), set())
    assert [(g.slots, sorted(g.learners)) for g in table.groups] == [((TUE,), [0, 1, 2, 3])]


def test_it_finds_the_optimum_that_needs_a_group_split():
    # Two Monday groups of five (4 to 5 a group) hold everyone who could come on Tuesdays
    # too; U, V and W can only come on Tuesdays.  The optimum (all thirteen) takes one
    # learner out of a Monday group for a Tuesday group with U, V and W.
    course = dict(ONE_SESSION, min_group=4, max_group=5)
    tuesdays = busy_on(0, 2, 3, 4, 5, 6)
    people = [learner(x, **tuesdays) for x in "UVW"] + [learner(f"M{i}") for i in range(10)]
    teachers = [{"id": f"t-{name}", "name": name, "home": "finnsnes", "levels": ["A2"], "max_sessions_per_week": 2,
                 "available": [{"days": ["mon", "tue"], "from": "09:00", "to": "22:00"}]} for name in ("kari", "ola")]
    problem = base_problem(people, rooms=2, courses=[course], teachers=teachers)
    options = build_options(read_problem(problem))
    start = Timetable(options, [Group(0, 0, (MON,), 0, [3, 4, 5, 6, 7]), Group(0, 0, (MON,), 1, [8, 9, 10, 11, 12])])
    found = ruin_and_recreate(start, set(), time.monotonic() + FAR, seed=0, steps=200, ceiling=13)
    assert found.placed_value() == 13
    checker.assert_valid(problem, as_solution(options, found))


def test_helper_processes_search_alongside_and_are_gone_afterwards(monkeypatch):
    # This process's own search is switched off (the helper, a fresh interpreter, keeps the
    # real one): whatever is better than the start came from the helper.
    import multiprocessing
    import solver.ruin as ruin
    problem = midt_troms_problem(learners=150, seed=6)
    options = build_options(read_problem(problem))
    start, _ = solve_module.start_timetable(options, set())
    monkeypatch.setattr(ruin, "_search", lambda table, *args: table)
    heard = []
    found = ruin_and_recreate(start, set(), time.monotonic() + 6, seed=2, on_progress=heard.append, helpers=1)
    assert multiprocessing.active_children() == []
    assert found.placed_value() > start.placed_value()
    assert heard == sorted(set(heard)) and heard[-1] == found.placed_value()
    checker.assert_valid(problem, as_solution(options, found))


def helper_case(seconds):
    """A synthetic problem, its start and a helper's payload (as `_start_helpers` sends it)."""
    from dataclasses import replace
    import solver.ruin as ruin
    problem = midt_troms_problem(learners=120, seed=7)
    options = build_options(read_problem(problem))
    start, _ = solve_module.start_timetable(options, set())
    parsed = options.problem
    payload = dict(problem=replace(parsed, weights=dict(parsed.weights)), blocked=set(), groups=ruin._groups(start),
                   deadline=time.monotonic() + seconds, ceiling=None)
    return problem, options, start, payload


def test_a_helpers_timetable_comes_back_whole():
    # The helper itself, run in this process: what it sends rebuilds into a valid timetable.
    import multiprocessing
    import solver.ruin as ruin
    problem, options, start, payload = helper_case(1.5)
    mine, theirs = multiprocessing.Pipe()
    ruin._helper(payload, 3, theirs)
    messages = []
    while mine.poll():
        try:
            messages.append(mine.recv())
        except EOFError:        # the helper closed its end after its timetable
            break
    kinds = [kind for kind, _ in messages]
    assert kinds[-1] == "groups" and set(kinds[:-1]) <= {"placed"}
    found = ruin._rebuilt(options, messages[-1][1])
    assert found is not None and found.placed_value() >= start.placed_value()
    assert [value for kind, value in messages[:-1]] == sorted({value for kind, value in messages[:-1]})
    checker.assert_valid(problem, as_solution(options, found))


def test_a_helper_whose_parent_is_gone_stops_at_once_and_quietly():
    # The parent's end of the pipe is closed (as when the solving process is killed): the
    # helper stops at its next step, long before its deadline, and raises nothing.
    import multiprocessing
    import solver.ruin as ruin
    _, _, _, payload = helper_case(60)
    mine, theirs = multiprocessing.Pipe()
    mine.close()
    began = time.monotonic()
    ruin._helper(payload, 3, theirs)
    assert time.monotonic() - began < 30

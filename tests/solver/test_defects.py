"""Defects of issue 20, each pinned by a test that failed before its fix."""

import pytest

from optimizer_cases import base_problem, learner
from solver import solve
from solver.bounds import _cluster_model_bound, cluster_model, counted_seats, usable_venues
from solver.config import Weights
from solver.model import TimetableModel
from solver.options import build_options
from solver.patterns import PatternModel
from solver.problem import read_problem
from solver.tiers import InternalModelError
from solver.timetable import Group, Timetable

WEEKLY = {"id": "a2", "name": "Norsk A2", "level": "A2", "sessions_per_week": 1, "session_minutes": 120,
          "min_group": 2, "max_group": 3, "min_attendance": 0.75}


def teacher(tid, home="finnsnes", days=("mon", "tue")):
    return {"id": tid, "name": tid, "home": home, "levels": ["A2"], "max_sessions_per_week": 4,
            "available": [{"days": list(days), "from": "09:00", "to": "22:00"}]}


def two_venue_problem():
    """Finnsnes (one Monday slot) and Husøy (Tuesday); four Finnsnes-only learners, two who reach both."""
    venues = [{"id": "fvo", "name": "Finnsnes VO", "place": "finnsnes", "rooms": 1,
               "open": [{"days": ["mon"], "from": "09:00", "to": "22:00"}]},
              {"id": "hus", "name": "Husøy grendehus", "place": "husoy", "rooms": 1,
               "open": [{"days": ["tue"], "from": "09:00", "to": "22:00"}]}]
    learners = [learner(f"F{i}", max_travel_minutes=20, priority=2) for i in range(4)] + \
        [learner(f"B{i}", max_travel_minutes=90) for i in range(2)]
    return base_problem(learners, slots=[{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"}],
                        courses=[WEEKLY], venues=venues, teachers=[teacher("t1")])


def test_the_cluster_model_marks_its_fillers_by_a_flag_and_keeps_every_priority():
    options = build_options(read_problem(two_venue_problem()))
    counted, fillers = [0, 1, 2, 3], [4, 5]
    cluster = cluster_model(options, {0}, counted, fillers)
    model = cluster.model
    # Learners keep their own priority (fillers were once marked by priority + 100000).
    assert [l.priority for l in model.problem.learners] == [options.problem.learners[l].priority
                                                            for l in cluster.learner_of]
    fillers_in_model = {k for k, l in enumerate(cluster.learner_of) if l in fillers}
    for q in model.classes:
        assert q.counted == (not set(q.members) & fillers_in_model)
    assert counted_seats(model) and len(counted_seats(model)) < sum(len(q) for q in model.class_vars)
    # Three seats at the one Monday slot, for priority-2 learners: at most 6.
    most, _ = _cluster_model_bound(options, {0}, counted, usable_venues(options, set()), 10, 2, 0)
    assert most == 6
    # The courses the model holds are the problem's, each under its own id; copies would be listed in course_of.
    assert [c.id for c in model.problem.courses] == ["a2"] and cluster.course_of == [0]


def test_an_invalid_model_is_an_internal_error_not_locked_groups_that_cannot_be_kept(monkeypatch):
    # A programming error (here: a variable with an empty domain) makes CP-SAT answer MODEL_INVALID.
    # It used to come back as status "infeasible" with "the locked groups ... cannot be kept".
    problem = base_problem([learner(f"L{i}") for i in range(4)])
    problem["current"] = {"groups": [{"id": "g1", "course": "a2", "venue": "fvo", "teacher": "t-kari",
                                      "slots": [{"day": "mon", "start": "18:00"}, {"day": "wed", "start": "18:00"}],
                                      "learners": ["L0", "L1", "L2"]}], "locked": []}
    original = TimetableModel.limit_placements

    def broken(self, limits):
        original(self, limits)
        self.model.new_int_var(5, 3, "broken")

    monkeypatch.setattr(TimetableModel, "limit_placements", broken)
    with pytest.raises(InternalModelError):
        solve(problem, time_limit=3, workers=1)


def test_the_counting_model_counts_teacher_driving_in_tier_4_like_the_slot_model():
    # One group, two teachers: Kari lives at the venue, Ola 80 minutes away on Husøy.  The
    # start gives the group Ola; settling tier 4 must hand it to Kari in both models.
    problem = base_problem([learner(f"L{i}") for i in range(3)], slots=[{"day": "mon", "start": "18:00"}],
                           courses=[WEEKLY], teachers=[teacher("t-kari"), teacher("t-ola", home="husoy")])
    options = build_options(read_problem(problem))
    start = Timetable(options, [Group(0, 0, (0,), 1, [0, 1, 2])])
    for model in (PatternModel(options, start, set(), Weights()),
                  TimetableModel(options, start, set(), Weights())):
        first = model.prove(5, 1, 0)
        table = model.settle(first)
        assert [g.teacher for g in table.groups] == [0], type(model).__name__

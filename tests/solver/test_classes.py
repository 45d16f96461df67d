"""Learner classes: the slot model checks a group's attendance row for a class's first
member only, so every member must reach min_attendance exactly where the first one does."""

import numpy as np
import pytest

from solver.model import learner_classes
from solver.options import build_options
from solver.problem import read_problem
from nortime.demo.synthetic import midt_troms_problem


@pytest.mark.parametrize("learners", [60, 120])
def test_class_members_reach_min_attendance_on_the_same_patterns(learners):
    options = build_options(read_problem(midt_troms_problem(learners=learners, seed=1)))
    for q in learner_classes(options, set(), {}, set()):
        for i in q.offers:
            offer = options.offers[i]
            course = options.problem.courses[offer.course]
            enough = offer.shares[[offer.row_of[l] for l in q.members]] + 1e-9 >= course.min_attendance
            assert (enough == enough[0]).all(), (q.members, i)

"""The matrix for the seeded Midt-Troms demo problem agrees with the plain reference.

Realistic rotas (the presets, anchored anywhere) over a term that spans the
March daylight-saving change; a sample of learners keeps the reference quick.
"""

import random

from reference_availability import attendable_occurrences
from solver.availability import compute_availability, occurrence_conflicts
from solver.problem import read_problem
from nortime.demo.synthetic import midt_troms_problem


def test_demo_problem_matches_the_reference_for_a_sample_of_learners():
    doc = midt_troms_problem(learners=60, seed=3)
    problem = read_problem(doc)
    availability = compute_availability(problem)
    rng = random.Random(7)
    durations = availability.durations
    checked = 0
    for l in rng.sample(range(len(problem.learners)), 6):
        learner = problem.learners[l]
        v = rng.randrange(len(problem.venues))
        k = rng.randrange(len(durations))
        for s in rng.sample(range(len(problem.slots)), min(4, len(problem.slots))):
            expected = attendable_occurrences(doc, learner.id, problem.venues[v].id, doc["slots"][s], durations[k])
            assert availability.attendable[l, v, k, s] == sum(expected)
            conflicts = occurrence_conflicts(problem, learner.id, problem.venues[v].id, problem.slots[s], durations[k])
            assert [ok for _, ok, _ in conflicts] == expected
            checked += len(expected)
    assert checked > 0
    assert (availability.attendable <= availability.total[None, None, None, :]).all()

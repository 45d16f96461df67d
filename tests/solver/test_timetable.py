"""`Timetable` keeps its room and teacher answers per slot; they must stay what a plain check says.

The reference below works on (day, start, end) intervals straight from the problem,
the way the checker does, after every kind of change: add, remove, copy, a teacher
changed in place (then `forget`).
"""

import random

import numpy as np

from solver.options import build_options
from solver.problem import read_problem
from nortime.demo.synthetic import midt_troms_problem
from solver.timetable import Group, Timetable


def sessions(options, groups):
    return [(int(options.slot_day[s]), int(options.slot_start[s]), int(options.slot_start[s]) + options.minutes(g.course),
             g) for g in groups for s in g.slots]


def room_free(options, groups, course, venue, slots):
    rooms = options.problem.venues[venue].rooms
    busy = [(d, s, e) for d, s, e, g in sessions(options, groups) if g.venue == venue]
    for d, s, e, _ in sessions(options, [Group(course, venue, tuple(slots), None)]):
        for minute in range(s, e):
            if sum(1 for d2, s2, e2 in busy if d2 == d and s2 <= minute < e2) >= rooms:
                return False
    return True


def teacher_can(options, groups, teacher, course, venue, slots):
    if not all(options.teacher_slots[teacher, course, s] for s in slots):
        return False
    own = [g for g in groups if g.teacher == teacher]
    if sum(len(g.slots) for g in own) + len(slots) > options.problem.teachers[teacher].max_sessions_per_week:
        return False
    mine = sessions(options, [Group(course, venue, tuple(slots), teacher)])
    for d2, s2, e2, g in sessions(options, own):
        drive = int(options.venue_travel[g.venue, venue])
        if any(d == d2 and s < e2 + drive and s2 < e + drive for d, s, e, _ in mine):
            return False
    return True


def test_kept_answers_match_a_plain_check_through_every_kind_of_change():
    options = build_options(read_problem(midt_troms_problem(learners=120, seed=5)))
    rng = random.Random(3)
    table = Timetable(options)
    teachers = len(options.problem.teachers)
    opened = 0
    said_no = {"room": 0, "teacher": 0}
    for step in range(160):
        offer = rng.choice(options.offers)
        slots = offer.pattern_slots[rng.randrange(len(offer.patterns))]
        groups = list(table.groups)
        # The answers, for this pattern and for the offer's every pattern at once.
        assert table.room_free(offer.course, offer.venue, slots) == \
            room_free(options, groups, offer.course, offer.venue, slots)
        said_no["room"] += not room_free(options, groups, offer.course, offer.venue, slots)
        for t in range(teachers):
            assert table.teacher_can(t, offer.course, offer.venue, slots) == \
                teacher_can(options, groups, t, offer.course, offer.venue, slots)
            # Qualified and available, yet busy or at the weekly maximum: the interesting "no".
            said_no["teacher"] += all(options.teacher_slots[t, offer.course, s] for s in slots) and \
                not teacher_can(options, groups, t, offer.course, offer.venue, slots)
        found = table.pattern_teachers(offer.course, offer.venue, offer.patterns)
        for p in rng.sample(range(len(offer.patterns)), 5):
            pattern = offer.pattern_slots[p]
            able = [t for t in range(teachers)
                    if room_free(options, groups, offer.course, offer.venue, pattern)
                    and teacher_can(options, groups, t, offer.course, offer.venue, pattern)]
            assert (found[p] in able) if able else found[p] == -1
        # Then a change of some kind.
        kind = rng.random()
        free = table.free_teachers(offer.course, offer.venue, slots)
        if kind < 0.55 and free and table.room_free(offer.course, offer.venue, slots):
            table.add(Group(offer.course, offer.venue, slots, rng.choice(free)))
            opened += 1
        elif kind < 0.65 and table.groups:
            table.remove(rng.choice(table.groups))
        elif kind < 0.9:
            table = table.copy()
        elif table.groups:
            group = rng.choice(table.groups)
            group.teacher = rng.randrange(teachers)     # may break a rule: the answers must still be true
            table.forget()
    # The walk built up timetables busy enough for both kinds of "no".
    assert opened > 20 and said_no["room"] > 5 and said_no["teacher"] > 20


def test_pattern_teachers_says_no_when_the_room_is_taken():
    options = build_options(read_problem(midt_troms_problem(learners=60, seed=1)))
    offer = options.offers[0]
    rooms = options.problem.venues[offer.venue].rooms
    table = Timetable(options)
    slots = offer.pattern_slots[0]
    for _ in range(rooms):
        table.add(Group(offer.course, offer.venue, slots, None))
    found = table.pattern_teachers(offer.course, offer.venue, offer.patterns)
    assert found[0] == -1
    assert not table.room_free(offer.course, offer.venue, slots)
    assert np.any(found >= 0)   # other patterns still have a room and a teacher

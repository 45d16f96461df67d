"""solver.verify: the hard rules a solution breaks, each under its code, never an exception.

The hand-made timetable below keeps every rule (the independent checker agrees); each
test breaks one rule on purpose.  The Hypothesis tests perturb solver solutions and
check that `verify` and the tests' own checker (tests/solver/checker.py, which shares
no code with the solver) agree on whether a timetable is valid, and that no document,
however odd, makes `verify` raise.
"""

import copy
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import checker
from optimizer_cases import base_problem, evening_shift_on, learner
from solver import Violation, solve, verify
from solver.rules import RULE, RULES


def problem_with_two_venues():
    """Finnsnes (fvo) and Silsand (svo) 8 minutes apart, far Husøy; A2 and B1; Kari and Ola."""
    learners = [learner(f"L{i}") for i in range(6)] + [learner(f"B{i}", level="B1") for i in range(3)]
    learners += [learner("FAR", home="husoy"), learner("SHIFT", rota=evening_shift_on({0, 2}))]
    slots = [{"day": d, "start": "18:00"} for d in ("mon", "tue", "wed")] + [
        {"day": "mon", "start": "20:00"}, {"day": "sat", "start": "10:00"}]
    venues = [{"id": "fvo", "name": "Finnsnes VO", "place": "finnsnes", "rooms": 1,
               "open": [{"days": ["mon", "tue", "wed", "thu"], "from": "16:00", "to": "22:00"},
                        {"days": ["sat"], "from": "09:00", "to": "16:00"}]},
              {"id": "svo", "name": "Silsand VO", "place": "silsand", "rooms": 1,
               "open": [{"days": ["mon", "tue", "wed"], "from": "16:00", "to": "22:00"}]}]
    courses = [{"id": "a2", "name": "Norsk A2", "level": "A2", "sessions_per_week": 2, "session_minutes": 120,
                "min_group": 3, "max_group": 4, "min_attendance": 0.75},
               {"id": "b1", "name": "Norsk B1", "level": "B1", "sessions_per_week": 2, "session_minutes": 120,
                "min_group": 2, "max_group": 4, "min_attendance": 0.75, "venues": ["svo"]}]
    teachers = [{"id": "t-kari", "name": "Kari", "home": "finnsnes", "levels": ["A1", "A2"],
                 "max_sessions_per_week": 6,
                 "available": [{"days": ["mon", "tue", "wed", "thu", "sat"], "from": "09:00", "to": "22:00"}]},
                {"id": "t-ola", "name": "Ola", "home": "silsand", "levels": ["A2", "B1"],
                 "max_sessions_per_week": 2,
                 "available": [{"days": ["mon", "tue", "wed"], "from": "16:00", "to": "22:00"}]}]
    return base_problem(learners, slots=slots, venues=venues, courses=courses, teachers=teachers)


def slot(day, start="18:00"):
    return {"day": day, "start": start}


def group(gid, course, venue, teacher, slots, learners, sessions=None):
    g = {"id": gid, "course": course, "venue": venue, "teacher": teacher, "slots": slots, "learners": learners}
    if sessions is not None:
        g["sessions"] = sessions
    return g


def valid_plan():
    """A timetable that keeps every rule: A2 at Finnsnes Mon+Wed (Kari), B1 at Silsand Tue+Wed (Ola)."""
    return {"groups": [group("g1", "a2", "fvo", "t-kari", [slot("mon"), slot("wed")], ["L0", "L1", "L2"]),
                       group("g2", "b1", "svo", "t-ola", [slot("tue"), slot("wed")], ["B0", "B1"])]}


def rules_of(problem, solution):
    return {v.rule for v in verify(problem, solution)}


def test_the_hand_made_plan_keeps_every_rule_and_the_checker_agrees():
    problem, plan = problem_with_two_venues(), valid_plan()
    assert verify(problem, plan) == []
    complete = solve(problem, time_limit=3, workers=2)   # a full document, for the checker
    assert verify(problem, complete) == []
    assert checker.violations(problem, complete) == []


@pytest.mark.parametrize("change, rule", [
    # Rooms: fvo has one room; a second A2 group at the same time there.
    (lambda p: p["groups"].append(group("g3", "a2", "fvo", "t-ola", [slot("mon"), slot("wed")],
                                        ["L3", "L4", "L5"])), "room"),
    # Teachers: Kari twice at once, Kari not teaching B1, no teacher, Ola over her weekly two.
    (lambda p: p["groups"].append(group("g3", "a2", "svo", "t-kari", [slot("mon"), slot("wed")],
                                        ["L3", "L4", "L5"])), "teacher"),
    (lambda p: p["groups"][1].update(teacher="t-kari"), "teacher"),
    (lambda p: p["groups"][0].update(teacher=None), "teacher"),
    (lambda p: p["groups"].append(group("g3", "a2", "fvo", "t-ola", [slot("tue"), slot("sat", "10:00")],
                                        ["L3", "L4", "L5"])), "teacher"),
    # Travel: Kari from Finnsnes at 18-20 to Silsand at 20:00 (8 minutes' drive); a learner too far away.
    (lambda p: p["groups"].append(group("g3", "a2", "svo", "t-kari", [slot("mon", "20:00"), slot("tue")],
                                        ["L3", "L4", "L5"])), "travel"),
    (lambda p: p["groups"][0]["learners"].append("FAR"), "travel"),
    (lambda p: p["groups"][0]["learners"].append("B2"), "level"),
    (lambda p: p["groups"][0]["learners"].pop(), "group_size"),
    (lambda p: p["groups"][0]["learners"].extend(["L3", "L4"]), "group_size"),
    # SHIFT works Monday and Wednesday evenings: none of g1's sessions.
    (lambda p: p["groups"][0]["learners"].append("SHIFT"), "attendable_share"),
    (lambda p: p["groups"][1]["learners"].append("L0"), "one_group"),
    (lambda p: p["groups"][0]["learners"].append("L0"), "one_group"),
    # Weekly pattern: one session only, twice on Monday, B1 where it is not taught, outside opening hours.
    (lambda p: p["groups"][0].update(slots=[slot("mon")]), "pattern"),
    (lambda p: p["groups"][0].update(slots=[slot("mon"), slot("mon", "20:00")]), "pattern"),
    (lambda p: p["groups"][1].update(venue="fvo"), "pattern"),
    (lambda p: p["groups"][1].update(slots=[slot("tue"), slot("sat", "10:00")]), "pattern"),
    (lambda p: p["groups"][0].update(course="c9"), "unknown_id"),
    (lambda p: p["groups"][0].update(venue="nowhere"), "unknown_id"),
    (lambda p: p["groups"][0].update(teacher="t-nobody"), "unknown_id"),
    (lambda p: p["groups"][0]["learners"].append("ghost"), "unknown_id"),
    (lambda p: p["groups"][0].update(slots=[slot("mon"), slot("thu")]), "unknown_id"),
    (lambda p: p["groups"][1].update(id="g1"), "format"),
    (lambda p: p["groups"][0].update(slots="mon"), "format"),
    (lambda p: p["groups"][0].update(slots=[slot("mon"), {"day": "someday", "start": "18"}]), "format"),
    (lambda p: p["groups"].append("a group"), "format"),
    (lambda p: p.update(format="nortime.solution/0"), "format"),
    (lambda p: p.update(status="infeasible"), "format"),
    (lambda p: p.update(placed=7), "figures"),
    (lambda p: p["groups"][0].update(sessions=99), "figures"),
])
def test_each_rule_broken_on_purpose_is_reported_under_its_code(change, rule):
    problem, plan = problem_with_two_venues(), valid_plan()
    change(plan)
    found = verify(problem, plan)
    assert rule in {v.rule for v in found}, found
    assert all(v.rule in RULE for v in found)
    assert all(isinstance(v.message, str) and v.message.endswith(".") for v in found)


def test_a_violation_names_its_group_and_learner_and_is_plain_data():
    problem, plan = problem_with_two_venues(), valid_plan()
    plan["groups"][0]["learners"].append("SHIFT")
    (found,) = [v for v in verify(problem, plan) if v.rule == "attendable_share"]
    assert (found.group, found.learner) == ("g1", "SHIFT")
    assert "SHIFT" in found.message and "g1" in found.message
    assert found.to_dict() == {"rule": "attendable_share", "message": found.message, "group": "g1",
                               "learner": "SHIFT"}
    with pytest.raises(AttributeError):
        found.rule = "other"    # frozen


def test_locked_groups_and_learners_must_stay():
    problem, plan = problem_with_two_venues(), valid_plan()
    problem["current"] = {"groups": [dict(copy.deepcopy(plan["groups"][0]), locked=True),
                                     copy.deepcopy(plan["groups"][1])], "locked": ["B0"]}
    assert verify(problem, plan) == []
    moved = copy.deepcopy(plan)
    moved["groups"][0]["learners"][2] = "L3"
    assert rules_of(problem, moved) == {"lock"}
    retaught = copy.deepcopy(plan)
    retaught["groups"][0]["slots"] = [slot("mon"), slot("tue")]
    assert rules_of(problem, retaught) == {"lock"}
    left = copy.deepcopy(plan)
    left["groups"][1]["learners"] = ["B1", "B2"]
    assert [(v.rule, v.learner) for v in verify(problem, left)] == [("lock", "B0")]
    closed = copy.deepcopy(plan)
    del closed["groups"][0]
    assert rules_of(problem, closed) == {"lock"}


def test_a_plan_without_summary_fields_or_without_groups_is_fine_and_an_invalid_problem_is_said():
    problem = problem_with_two_venues()
    assert verify(problem, {"groups": []}) == []
    assert verify(problem, {"status": "unknown", "groups": []}) == []
    assert [v.rule for v in verify({"format": "nonsense"}, valid_plan())] == ["problem"]


def test_every_rule_has_a_statement():
    assert len({r.code for r in RULES}) == len(RULES)
    assert all(r.statement.endswith(".") for r in RULES)
    assert {"room", "teacher", "travel", "level", "group_size", "attendable_share", "lock", "unknown_id",
            "format"} <= set(RULE)


# -- Hypothesis: any document, and solver solutions perturbed -------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
group_like = st.fixed_dictionaries({}, optional={
    "id": st.sampled_from(["g1", "g2", ""]) | json_values,
    "course": st.sampled_from(["a2", "b1", "zz"]) | json_values,
    "venue": st.sampled_from(["fvo", "svo"]) | json_values,
    "teacher": st.sampled_from(["t-kari", "t-ola", None]) | json_values,
    "slots": st.lists(st.sampled_from([slot("mon"), slot("tue"), slot("fri")]) | json_values, max_size=3)
    | json_values,
    "learners": st.lists(st.sampled_from(["L0", "L1", "B0", "nobody"]) | json_values, max_size=5) | json_values,
    "sessions": json_values})
documents = json_values | st.fixed_dictionaries({}, optional={
    "format": st.just("nortime.solution/1") | json_values, "status": st.sampled_from(["optimal", "unknown"])
    | json_values, "groups": st.lists(group_like | json_values, max_size=3) | json_values,
    "placed": json_values, "placed_bound": json_values, "attendance": json_values, "unplaced": json_values})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_verify_never_raises_whatever_the_document(document):
    found = verify(PROBLEM, document)
    assert all(isinstance(v, Violation) and (v.rule in RULE) for v in found)


PROBLEM = problem_with_two_venues()
# More A2 learners than the rooms and teachers can seat: some always wait, so a cloned
# group can break the room rule alone.
CROWDED = problem_with_two_venues()
CROWDED["learners"] += [learner(f"X{i}") for i in range(10)]


@pytest.fixture(scope="module")
def solved():
    return solve(CROWDED, time_limit=4, workers=2, seed=1)


def refreshed(problem, solution):
    """The document's own figures recomputed by the checker's World from its groups (not by solver code)."""
    w = checker.World(problem)
    doc = copy.deepcopy(solution)
    placed = {}
    for g in doc["groups"]:
        slots = checker.group_slots(g)
        g["sessions"] = sum(len(list(w.dates(d))) for d, _ in slots)
        course = w.courses[g["course"]]
        for lid in g["learners"]:
            placed.setdefault(lid, round(w.share(w.learners[lid], g["venue"], slots, course["session_minutes"]), 3))
    doc["placed"] = sum(w.learner_field(w.learners[lid], "priority") for lid in placed)
    doc["placed_bound"] = max(doc["placed_bound"], doc["placed"])
    doc["status"] = "feasible"
    doc["attendance"] = placed
    doc["unplaced"] = [{"learner": lid, "reasons": [{"code": "group_full", "message": "-", "details": {}}]}
                       for lid in sorted(set(w.learners) - set(placed))]
    return doc


def perturb(problem, solution, steps):
    """`solution` after a few random changes that keep it well-formed (every id known)."""
    doc = copy.deepcopy(solution)
    ids = [l["id"] for l in problem["learners"]]
    slots = [dict(s) for s in problem["slots"]]
    for kind, pick, pick2 in steps:
        groups = doc["groups"]
        if not groups:
            break
        g = groups[pick % len(groups)]
        h = groups[pick2 % len(groups)]
        lid = ids[pick2 % len(ids)]
        if kind == "add" and lid not in g["learners"]:
            g["learners"].append(lid)
        elif kind == "remove" and g["learners"]:
            g["learners"].pop(pick2 % len(g["learners"]))
        elif kind == "move" and g["learners"] and g is not h:
            h["learners"].append(g["learners"].pop(pick2 % len(g["learners"])))
        elif kind == "slot" and g["slots"]:
            g["slots"][pick2 % len(g["slots"])] = slots[pick2 % len(slots)]
        elif kind == "teacher":
            g["teacher"] = problem["teachers"][pick2 % len(problem["teachers"])]["id"]
        elif kind == "venue":
            g["venue"] = problem["venues"][pick2 % len(problem["venues"])]["id"]
        elif kind == "course":
            g["course"] = problem["courses"][pick2 % len(problem["courses"])]["id"]
        elif kind == "copy":
            groups.append(dict(copy.deepcopy(g), id=f"copy{len(groups)}", learners=[]))
        elif kind == "clone":
            # Another group at the same time and place, with another teacher and learners
            # nobody seats yet: it may break only the room rule, or the teacher's.
            seated = {l for other in groups for l in other["learners"]}
            level = {c["id"]: c["level"] for c in problem["courses"]}[g["course"]]
            free = [l["id"] for l in problem["learners"] if l["id"] not in seated and l["level"] == level]
            teacher = problem["teachers"][pick2 % len(problem["teachers"])]["id"]
            groups.append(dict(copy.deepcopy(g), id=f"clone{len(groups)}", teacher=teacher, learners=free[:4]))
        elif kind == "drop":
            groups.remove(g)
    return doc


KINDS = ["add", "remove", "move", "slot", "teacher", "venue", "course", "copy", "clone", "drop"]
steps = st.lists(st.tuples(st.sampled_from(KINDS),
                           st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=3)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_verify_agrees_with_the_independent_checker_on_perturbed_solutions(solved, steps):
    document = refreshed(CROWDED, perturb(CROWDED, solved, steps))
    ours = verify(CROWDED, document)
    theirs = checker.violations(CROWDED, document)
    assert bool(ours) == bool(theirs), (ours, theirs)


def test_the_perturbations_reach_both_answers(solved):
    # The agreement above means something only if perturbed timetables are sometimes valid, sometimes not.
    rng = random.Random(7)
    verdicts = set()
    for _ in range(60):
        change = [(rng.choice(KINDS), rng.randrange(50), rng.randrange(50)) for _ in range(rng.randint(1, 2))]
        verdicts.add(bool(verify(CROWDED, refreshed(CROWDED, perturb(CROWDED, solved, change)))))
    assert verdicts == {True, False}

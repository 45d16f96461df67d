"""SolverConfig and the objective's weights: one place for every tuning number, checked names and values."""

import dataclasses

import pytest

from optimizer_cases import base_problem, learner
from solver import solve
from solver.config import DEFAULT, WEIGHT_NAMES, SolverConfig, Weights


def four_learners(weights=None):
    problem = base_problem([learner(f"L{i}") for i in range(4)])
    if weights is not None:
        problem["weights"] = weights
    return problem


def test_an_unknown_weight_name_is_rejected_naming_the_known_ones():
    solution = solve(four_learners({"groups": 5}), time_limit=2, workers=1)
    assert solution["status"] == "invalid_input"
    (error,) = solution["errors"]
    assert error["path"] == "weights.groups"
    assert all(name in error["message"] for name in WEIGHT_NAMES)


def test_a_fractional_weight_is_rejected_not_rounded_to_nothing():
    solution = solve(four_learners({"share": 0.4}), time_limit=2, workers=1)
    assert solution["status"] == "invalid_input"
    (error,) = solution["errors"]
    assert error["path"] == "weights.share" and "whole number" in error["message"]


def test_whole_weights_override_the_defaults_in_the_objective():
    default = solve(four_learners(), time_limit=3, workers=1)
    heavier = solve(four_learners({"group": 100, "share": 2.0}), time_limit=3, workers=1)
    assert default["status"] == heavier["status"] == "optimal" and len(heavier["groups"]) == 1
    # One group: tier 4 holds 60 (default) or 100 per group; tier 3 doubles with share 2.
    assert heavier["stats"]["objective"][3] - default["stats"]["objective"][3] == 40
    assert heavier["stats"]["objective"][2] == 2 * default["stats"]["objective"][2]


def test_the_default_weights_live_in_one_place():
    assert DEFAULT.weights == Weights()
    assert dict(zip(WEIGHT_NAMES, dataclasses.astuple(Weights()))) == {
        "change_learner": 1, "change_group": 1, "share": 1, "prefer_day": 20, "group": 60,
        "learner_drive": 1, "teacher_drive": 1}


def test_a_config_is_frozen_and_checks_its_values():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.ruin_share = 0.5
    with pytest.raises(ValueError, match="ruin_make_place"):
        SolverConfig(ruin_make_place=1.5)
    with pytest.raises(ValueError, match="whole number"):
        SolverConfig(ruin_max_closed=2.5)
    with pytest.raises(ValueError, match="non-negative"):
        SolverConfig(pattern_model_from=-1)


def test_settings_from_text_as_the_benchmark_passes_them():
    config = DEFAULT.with_settings({"ruin_make_place": "0.5", "ruin_max_closed": "6", "weights.group": "40"})
    assert (config.ruin_make_place, config.ruin_max_closed, config.weights.group) == (0.5, 6, 40)
    assert config.weights.share == DEFAULT.weights.share
    with pytest.raises(ValueError, match="unknown setting 'ruin_makeplace'"):
        DEFAULT.with_settings({"ruin_makeplace": "0.5"})
    with pytest.raises(ValueError, match="unknown weight 'groups'"):
        DEFAULT.with_settings({"weights.groups": "1"})


def test_every_field_is_documented_in_the_source():
    import inspect

    import solver.config as config_module
    source = inspect.getsource(config_module)
    for field in dataclasses.fields(SolverConfig) + dataclasses.fields(Weights):
        line = next(l for l in source.splitlines() if l.strip().startswith(f"{field.name}:"))
        assert "#" in line, f"{field.name} has no comment saying what it is"

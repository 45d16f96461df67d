"""`flask counts`: the dashboard's figures, with the same rule, as CSV or JSON."""
from __future__ import annotations

import csv
import io
import json

import pytest


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["counts", *args])
    return result


def test_municipalities_as_csv(region_app):
    result = run(region_app, "--by", "municipality", "--format", "csv", "--lang", "en")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows == [
        ["Municipality", "Signed up", "Placed", "Waiting", "Not placed", "Attending"],
        ["Bardu", "6", "fewer than 5", "fewer than 5", "fewer than 5", "fewer than 5"],
        ["Målselv", "8", "hidden", "fewer than 5", "fewer than 5", "5"],
        ["Senja", "10", "6", "fewer than 5", "fewer than 5", "fewer than 5"],
        ["Total", "24", "15", "fewer than 5", "hidden", "11"],
    ]


def test_levels_as_json(region_app):
    result = run(region_app, "--by", "level", "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = {row["label"]: row for row in data["rows"]}
    assert rows["A1"]["values"] == {"signed_up": 9, "placed": 6, "waiting": None, "not_placed": None,
                                    "attending": None}
    assert rows["A1"]["fewer_than_5"] == ["waiting", "not_placed", "attending"]
    assert data["total"]["values"]["signed_up"] == 24


def test_weeks_and_venues(region_app):
    weeks = list(csv.reader(io.StringIO(run(region_app, "--by", "week", "--lang", "en").output)))
    assert weeks[0] == ["Week", "Participants", "Attending", "Sessions", "Teaching hours"]
    assert weeks[1] == ["Week 2", "15", "11", "3", "4.5"]
    venues = json.loads(run(region_app, "--by", "venue", "--format", "json", "--lang", "en").output)
    assert {row["label"]: row["values"]["planned_hours"] for row in venues["rows"]} == {
        "Bardufoss hall": 6.5, "Finnsnes hall": 12.0, "Setermoen hall": 4.0}


def test_no_names_on_the_command_line_either(region_app):
    for breakdown in ("municipality", "level", "venue", "week", "provider", "rota", "unplaced"):
        output = run(region_app, "--by", breakdown, "--format", "json").output
        assert not any(name in output for name in region_app.region.names)


@pytest.mark.parametrize(("args", "accepted"), [(["--by", "learner"], "municipality"), (["--format", "xlsx"], "csv")])
def test_unknown_choices_are_refused_with_the_accepted_ones(region_app, args, accepted):
    result = run(region_app, *args)
    assert result.exit_code == 2
    assert accepted in result.output

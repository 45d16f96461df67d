"""Time limits are 1–3600 seconds: forms, the service and the command refuse anything else with a clear message."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nortime import jobs
from nortime.db import db
from nortime.models import Provider, SolveRun
from nortime.services import planning

from .conftest import in_english

BAD = ["nan", "NaN", "inf", "-inf", "1e9", "0", "0.5", "3601", "-5", "abc", "1e400"]


def _runs(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SolveRun))


@pytest.mark.parametrize("value", BAD)
def test_the_plan_form_refuses_a_time_limit_out_of_bounds(demo_app, staff, login, value):
    client = in_english(login(staff))
    response = client.post("/provider/plan", data={"time_limit": value})
    assert response.status_code == 400
    assert "time limit: give a number of seconds from 1 to 3600." in response.get_data(as_text=True)
    assert _runs(demo_app) == 0


def test_the_what_if_form_refuses_nan(demo_app, staff, login):
    client = in_english(login(staff))
    response = client.post("/provider/what-if", data={"kind": "teacher", "level": "A1", "home": "finnsnes",
                                                      "time_limit": "nan"})
    assert response.status_code == 400 and "from 1 to 3600" in response.get_data(as_text=True)
    assert _runs(demo_app) == 0


def test_the_service_stores_only_bounded_time_limits(demo_app):
    with demo_app.test_request_context("/?lang=en"):
        provider = db.session.scalar(select(Provider).where(Provider.slug == "mtvo"))
        term = planning.current_term(provider)
        for value in (1e9, float("nan"), True):
            with pytest.raises(jobs.BadTimeLimit):
                jobs.create_run(provider, term, planning.build_problem(provider, term), time_limit=value)
        assert _runs(demo_app) == 0
        run = jobs.create_run(provider, term, planning.build_problem(provider, term), time_limit="3600")
        assert run.time_limit == 3600.0


@pytest.mark.parametrize("value", ["nan", "1e9"])
def test_the_plan_command_refuses_a_time_limit_out_of_bounds(demo_app, runner, value):
    result = runner.invoke(args=["plan", "--provider", "mtvo", "--time-limit", value])
    assert result.exit_code == 2 and "--time-limit" in result.output and "from 1 to 3600" in result.output
    assert _runs(demo_app) == 0

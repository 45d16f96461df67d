"""The steps of `make run`, in order, on a fresh database; a second run reuses what exists."""
import re

from sqlalchemy import select

from nortime import create_app
from nortime.db import db
from nortime.models import Group, Plan

MAKEFILE_RUN_STEPS = ["db upgrade", "demo", "plan --all --publish --unless-published --time-limit 20"]


def read_run_steps():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    return [line.split("$(FLASK)", 1)[1].strip() for line in recipe.splitlines() if "$(FLASK)" in line]


def test_make_run_steps_are_the_ones_tested():
    assert read_run_steps() == MAKEFILE_RUN_STEPS


def test_run_steps_build_publish_and_reuse(tmp_path, monkeypatch):
    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("NORTIME_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "s" * 32, "SOLVER_WORKERS": 2,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'run.sqlite'}"})
    runner = app.test_cli_runner()
    steps = [re.sub(r"--time-limit \d+", "--time-limit 3", step) for step in MAKEFILE_RUN_STEPS]
    steps[1] = "demo --learners 60"
    for step in steps:
        result = runner.invoke(args=step.split())
        assert result.exit_code == 0, (step, result.output)
    with app.app_context():
        published = db.session.scalars(select(Plan).where(Plan.status == "published")).all()
        assert {plan.provider.slug for plan in published} == {"mtvo", "fu-nord"}
        groups_before = db.session.scalars(select(Group.id).order_by(Group.id)).all()
        assert groups_before
    for step in steps:
        result = runner.invoke(args=step.split())
        assert result.exit_code == 0, (step, result.output)
    assert "nothing changed" in runner.invoke(args=steps[1].split()).output
    assert result.output.count("a plan is published already") == 2
    with app.app_context():
        assert db.session.scalars(select(Group.id).order_by(Group.id)).all() == groups_before
        db.engine.dispose()

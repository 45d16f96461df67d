"""GDPR retention: `flask purge`, the privacy page's promise, scrubbed solve runs, ids never reused."""
import datetime as dt
import json
import stat

import pytest
from sqlalchemy import func, select

from nortime.db import db
from nortime.models import Learner, Municipality, Place, Plan, Provider, SolveRun, Term, Unplacement

TODAY = dt.date.today()


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def setup_region():
    db.session.add(Municipality(number="5530", name="Senja"))
    db.session.add(Place(id="finnsnes", name="Finnsnes", municipality_number="5530", lat=69.23, lon=17.98))
    provider = Provider(slug="nord", name="Nord")
    db.session.add(provider)
    return provider


def term(provider, ended_days_ago: int, length: int = 150) -> Term:
    last = days_ago(ended_days_ago)
    found = Term(provider=provider, name=f"ends {last}", first_day=last - dt.timedelta(days=length), last_day=last)
    db.session.add(found)
    return found


def learner(provider, name: str, signed_up_days_ago: int, home: str = "finnsnes") -> Learner:
    found = Learner(provider=provider, name=name, email=f"{name.lower()}@example.org", home_place_id=home,
                    level="A2", created_at=dt.datetime.combine(days_ago(signed_up_days_ago), dt.time(12)))
    db.session.add(found)
    return found


@pytest.fixture
def population(app):
    """Learners around nord's term that ended 500 days ago and sør's term that ended 200 days ago."""
    with app.app_context():
        nord = setup_region()
        term(nord, ended_days_ago=500)
        sor = Provider(slug="sor", name="Sør")
        db.session.add(sor)
        sor_term = term(sor, ended_days_ago=200)
        learner(nord, "Old", signed_up_days_ago=700)  # last term ended 500 days ago: due
        learner(nord, "Waiting", signed_up_days_ago=300)  # signed up after that term: no course yet
        learner(sor, "Recent", signed_up_days_ago=400)  # last term ended 200 days ago: kept
        # nord's learner, but also in a plan of sør's later term (e.g. moved there): kept.
        planned = learner(nord, "Planned", signed_up_days_ago=700)
        plan = Plan(provider=sor, term=sor_term, status="published")
        db.session.add(plan)
        db.session.flush()
        db.session.add(Unplacement(plan_id=plan.id, learner_id=planned.id, reasons=[{"code": "group_full"}]))
        db.session.commit()
    return app


def names(app) -> set[str]:
    with app.app_context():
        found = set(db.session.scalars(select(Learner.name)))
        db.session.remove()
        return found


def test_purge_deletes_learners_a_year_after_their_last_term(population, runner):
    done = runner.invoke(args=["purge"])
    assert done.exit_code == 0, done.output
    assert "Deleted 1 learner(s)" in done.output and "nord: 1" in done.output
    assert names(population) == {"Waiting", "Recent", "Planned"}


def test_a_dry_run_counts_and_deletes_nothing(population, runner):
    done = runner.invoke(args=["purge", "--dry-run"])
    assert done.exit_code == 0 and "Would delete 1 learner(s)" in done.output and "nord: 1" in done.output
    assert names(population) == {"Old", "Waiting", "Recent", "Planned"}


def test_the_time_is_a_setting(population, runner):
    population.config["RETENTION_MONTHS"] = 6
    assert "Would delete 3 learner(s)" in runner.invoke(args=["purge", "--dry-run"]).output
    population.config["RETENTION_MONTHS"] = 24
    done = runner.invoke(args=["purge"])
    assert "Deleted 0 learner(s)" in done.output
    assert len(names(population)) == 4


def test_a_later_term_of_their_provider_counts(population, runner):
    """A learner of nord is kept while nord has a term running or to come."""
    with population.app_context():
        nord = db.session.scalars(select(Provider).where(Provider.slug == "nord")).one()
        term(nord, ended_days_ago=-30)
        db.session.commit()
    assert "Would delete 0 learner(s)" in runner.invoke(args=["purge", "--dry-run"]).output


def test_retention_must_be_whole_months(tmp_path, monkeypatch):
    from ..conftest import make_app

    with pytest.raises(SystemExit, match="RETENTION_MONTHS"):
        make_app(tmp_path, monkeypatch, RETENTION_MONTHS=0.5)


@pytest.mark.parametrize("months, language, expected", [
    (12, "en", "1 year"), (12, "nb", "1 år"), (24, "en", "2 years"), (18, "en", "18 months"), (18, "pl", "18 miesięcy"),
])
def test_the_privacy_page_states_the_setting(app, client, months, language, expected):
    app.config["RETENTION_MONTHS"] = months
    page = client.get(f"/privacy?lang={language}").get_data(as_text=True)
    assert f": {expected}." in page


# --- Deleting a learner scrubs stored solve runs -----------------------------------------


def solve_run(provider, term_, learners: list[Learner]) -> SolveRun:
    """A run whose documents have the solver's shapes (see solver/README.md)."""
    from nortime.services.planning import learner_json, learner_key

    keys = [learner_key(found) for found in learners]
    problem = {"format": "nortime.problem/1", "places": [{"id": "finnsnes"}],
               "learners": [learner_json(found) for found in learners],
               "current": {"groups": [{"id": "g1", "course": "c", "venue": "v", "learners": keys}],
                           "locked": keys}}
    solution = {"format": "nortime.solution/1", "status": "feasible",
                "groups": [{"id": "g1", "course": "c", "venue": "v", "learners": keys[:1]}],
                "attendance": {keys[0]: 0.9},
                "unplaced": [{"learner": key, "reasons": [{"code": "group_full"}]} for key in keys[1:]],
                "changes": {"learners": {"added": [{"learner": key, "group": "g1"} for key in keys]}}}
    run = SolveRun(provider_id=provider.id, term_id=term_.id, status="done", problem=problem, solution=solution)
    db.session.add(run)
    return run


@pytest.fixture
def stored_run(app):
    with app.app_context():
        provider = setup_region()
        db.session.add(Place(id="silsand", name="Silsand", municipality_number="5530", lat=69.2, lon=17.9))
        term_ = term(provider, ended_days_ago=400)
        leaving = learner(provider, "Leaving", signed_up_days_ago=600, home="silsand")
        staying = learner(provider, "Staying", signed_up_days_ago=600)
        db.session.flush()  # ids for the run's documents
        run = solve_run(provider, term_, [leaving, staying])
        db.session.commit()
        return {"run": run.id, "leaving": leaving.id, "staying": staying.id, "token": leaving.access_token}


def run_documents(app, run_id) -> tuple[dict, dict]:
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        documents = run.problem, run.solution
        db.session.remove()
        return documents


def assert_scrubbed(app, ids):
    problem, solution = run_documents(app, ids["run"])
    text = json.dumps([problem, solution])
    assert f'"L{ids["leaving"]}"' not in text and "silsand" not in json.dumps(problem["learners"])
    staying = f"L{ids['staying']}"
    assert [entry["id"] for entry in problem["learners"]] == [staying]
    assert problem["current"] == {"groups": [{"id": "g1", "course": "c", "venue": "v", "learners": [staying]}],
                                  "locked": [staying]}
    assert problem["places"] == [{"id": "finnsnes"}]


def test_a_learner_deleting_themselves_leaves_no_trace_in_solve_runs(stored_run, app, client):
    answer = client.post(f"/me/{stored_run['token']}/delete", data={"sure": "y"})
    assert answer.status_code == 302
    assert_scrubbed(app, stored_run)
    _, solution = run_documents(app, stored_run["run"])
    assert solution["groups"][0]["learners"] == [] and solution["attendance"] == {}
    assert solution["unplaced"] == [{"learner": f"L{stored_run['staying']}", "reasons": [{"code": "group_full"}]}]


def test_purge_scrubs_solve_runs_too(stored_run, app, runner):
    app.config["RETENTION_MONTHS"] = 1
    with app.app_context():
        db.session.get(Learner, stored_run["staying"]).created_at = dt.datetime.now()  # waiting: kept
        db.session.commit()
    assert "Deleted 1 learner(s)" in runner.invoke(args=["purge"]).output
    assert_scrubbed(app, stored_run)


def test_scrubbing_many_learners_at_once(stored_run, app):
    """A purge of thousands of learners scrubs in one pass (SQLite limits an expression's depth)."""
    from nortime.services.retention import scrub_solve_runs

    with app.app_context():
        keys = {f"L{number}" for number in range(100_000, 103_000)} | {f"L{stored_run['leaving']}"}
        assert scrub_solve_runs(keys) == 1
        db.session.commit()
    assert_scrubbed(app, stored_run)


# --- Ids are never reused; the database file is private -----------------------------------


def test_a_deleted_learners_id_is_never_given_again(app):
    from nortime.services.learner_page import delete_learner

    with app.app_context():
        provider = setup_region()
        first = learner(provider, "First", signed_up_days_ago=1)
        db.session.commit()
        first_id = first.id
        delete_learner(first)
        assert db.session.scalar(select(func.count()).select_from(Learner)) == 0
        second = learner(provider, "Second", signed_up_days_ago=1)
        db.session.commit()
        assert second.id > first_id


def test_the_sqlite_file_is_created_owner_only(tmp_path, monkeypatch):
    from nortime import create_app

    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("NORTIME_DATABASE_URL", raising=False)
    create_app({"SECRET_KEY": "x" * 32})
    assert stat.S_IMODE((tmp_path / "nortime.sqlite").stat().st_mode) == 0o600


def autoincrement_tables(url: str) -> set[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        found = {name for name, sql in connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
                 if "AUTOINCREMENT" in sql}
    engine.dispose()
    return found


def test_the_migration_makes_sqlite_ids_autoincrement_and_keeps_the_rows(tmp_path, monkeypatch):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from nortime import create_app

    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0001_initial")
        assert autoincrement_tables(url) == set()
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO municipalities VALUES ('5530', 'Senja')"))
            connection.execute(text("INSERT INTO places VALUES ('finnsnes', 'Finnsnes', '5530', 69.2, 17.9)"))
            connection.execute(text(
                "INSERT INTO learners (id, access_token, name, email, language, home_place_id, level, "
                "max_travel_minutes, buffer_minutes, priority, preferred_days, consent_at, created_at) VALUES "
                "(7, 't', 'Seven', 's@example.org', 'nb', 'finnsnes', 'A1', 60, 30, 1, '', '2026-01-01', '2026-01-01')"))
        upgrade()
        assert autoincrement_tables(url) == {"learners", "users"}
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT id, name FROM learners")).all() == [(7, "Seven")]
        downgrade(revision="0001_initial")
        assert autoincrement_tables(url) == set()
        db.engine.dispose()

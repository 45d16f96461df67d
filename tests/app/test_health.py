"""/healthz answers 200 only when the database (and Redis, when configured) really answer."""

import pytest

from nortime import create_app

from ..gunicorn import free_port
from ..conftest import BASE_TEST_CONFIG, TEST_REDIS_URL


def app_on(tmp_path, monkeypatch, url, **overrides):
    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("NORTIME_REDIS_URL", raising=False)
    return create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "CHECK_DATABASE_ON_START": False,
                       **overrides})


def test_all_up_is_200(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_unreachable_postgresql_is_503_naming_the_database(tmp_path, monkeypatch):
    app = app_on(tmp_path, monkeypatch, f"postgresql://postgres@127.0.0.1:{free_port()}/nt_nothing")
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "down", "down": ["database"]}


def test_unopenable_sqlite_is_503(tmp_path, monkeypatch):
    folder = tmp_path / "not-a-file.sqlite"
    folder.mkdir()  # a folder where the database file should be: SQLite cannot open it
    app = app_on(tmp_path, monkeypatch, f"sqlite:///{folder}")
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.get_json()["down"] == ["database"]


def test_unreachable_redis_is_503_naming_redis(app):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/4"
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "down", "down": ["redis"]}


@pytest.mark.skipif(not TEST_REDIS_URL, reason="NORTIME_TEST_REDIS_URL is not set")
def test_reachable_redis_is_200(app):
    app.config["REDIS_URL"] = TEST_REDIS_URL
    assert app.test_client().get("/healthz").status_code == 200

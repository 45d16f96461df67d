"""Fixtures for every test: `app`, `client`, `runner`, and `db_session` helpers.

By default each test gets a fresh SQLite database in its own temporary folder.
With NORTIME_TEST_DATABASE_URL set (CI sets it to this machine's PostgreSQL),
the schema is created there once per run and every table is emptied after
each test, so tests stay isolated on a real server too.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text

TEST_DATABASE_URL = os.environ.get("NORTIME_TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("NORTIME_TEST_REDIS_URL")

BASE_TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SERVER_NAME": "nortime.test",
    "SOLVER_WORKERS": 2,
    "SOLVER_TIME_LIMIT": 10.0,
}
_schema_ready = False


def make_app(tmp_path, monkeypatch, **overrides):
    """A fresh app on an empty database (see the module docstring)."""
    global _schema_ready
    from nortime import create_app
    from nortime.db import db

    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path / "instance"))
    for variable in ("NORTIME_DATABASE_URL", "NORTIME_SECRET_KEY", "NORTIME_REDIS_URL"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "instance").mkdir(exist_ok=True)
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'instance' / 'test.sqlite'}"
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, **overrides})
    with app.app_context():
        if TEST_DATABASE_URL is None:
            db.create_all()
        elif not _schema_ready:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            db.create_all()
            _schema_ready = True
    return app


def empty_all_tables(app) -> None:
    from nortime.db import db

    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL is None:
            db.engine.dispose()
            return
        names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def app(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch)
    yield app
    empty_all_tables(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo_app(app):
    """The app with the Midt-Troms demo (120 learners, to stay quick) loaded."""
    from nortime.demo import load_demo

    with app.app_context():
        load_demo(learners=120, seed=1)
    return app


@pytest.fixture
def make_user(app):
    """Create a staff account: make_user("provider_staff", provider=p) -> User (password "correct horse 1")."""
    from werkzeug.security import generate_password_hash

    from nortime.db import db
    from nortime.models import User

    counter = iter(range(1, 10_000))

    def make(role: str, provider=None, email: str | None = None, password: str = "correct horse 1"):
        with app.app_context():
            user = User(email=email or f"{role}{next(counter)}@example.org", name=role.replace("_", " ").title(),
                        password_hash=generate_password_hash(password), role=role,
                        provider_id=getattr(provider, "id", provider))
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def login(client):
    """Log the test client in as a user without going through the login form."""

    def log_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client

    return log_in

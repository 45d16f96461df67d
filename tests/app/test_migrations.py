"""Alembic migrations: from empty to head and back, on SQLite and PostgreSQL, matching the models."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from nortime import create_app
from nortime.db import db

from ..conftest import TEST_DATABASE_URL


def database_urls(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    if TEST_DATABASE_URL:
        yield "postgresql", TEST_DATABASE_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def migration_app(request, tmp_path, monkeypatch):
    """An app on an empty database: a temporary SQLite file, or a fresh PostgreSQL schema."""
    monkeypatch.setenv("NORTIME_INSTANCE_PATH", str(tmp_path))
    if request.param == "sqlite":
        url, cleanup = f"sqlite:///{tmp_path / 'migrations.sqlite'}", None
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("NORTIME_TEST_DATABASE_URL is not set")
        schema = f"migrations_{uuid.uuid4().hex[:10]}"
        admin = create_engine(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in TEST_DATABASE_URL else "?"
        url = f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}"

        def cleanup():
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": url})
    yield app
    with app.app_context():
        db.engine.dispose()
    if cleanup:
        cleanup()


def table_names(app):
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_creates_every_table(migration_app):
    with migration_app.app_context():
        upgrade()
    assert table_names(migration_app) == set(db.metadata.tables)


def test_migrations_match_the_models(migration_app):
    with migration_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_downgrade_and_upgrade_round_trip(migration_app):
    with migration_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert table_names(migration_app) == set()
        upgrade()
    assert table_names(migration_app) == set(db.metadata.tables)


def test_data_survives_an_upgrade_to_head(migration_app):
    """Rows written at the first revision are all still there after every later migration."""
    with migration_app.app_context():
        upgrade(revision="0001_initial")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO municipalities (number, name) VALUES ('5530', 'Senja')"))
            connection.execute(text("INSERT INTO places (id, name, municipality_number, lat, lon) "
                                    "VALUES ('finnsnes', 'Finnsnes', '5530', 69.2, 17.9)"))
            connection.execute(text("INSERT INTO providers (slug, name) VALUES ('mtvo', 'Midt-Troms')"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM municipalities")).scalar_one() == "Senja"
            assert connection.execute(text("SELECT municipality_number FROM places")).scalar_one() == "5530"
            assert connection.execute(text("SELECT slug FROM providers")).scalar_one() == "mtvo"
